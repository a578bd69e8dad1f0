#!/usr/bin/env bash
# Benchmark (a script, not a test): each app's cached list and item reads vs the same uncached
# (CACHE_TTL_SECONDS=0) and vs a bare hello of the same framework, on this machine, loopback only, in one run.
# Bounded: wrk runs of DURATION seconds each (default 10) at CONNS connections (default 64).
# PostgreSQL runs with pg_stat_statements: every run counts the product-read queries the app sent (per key,
# since a run reads one key), and cached runs use a short TTL so that a run spans several expiries under
# load (the stampede check: at most 2 queries per key per TTL window per replica).
# Writes the "## Applications" section of docs/benchmarks.md (other sections are kept).
# Usage: bash bench/run.sh   (after make -C apps deps)
#   BENCH_APPS="storefront catalog"   which apps to run (default both)
#   SF_TTL=2 CAT_TTL=2                CACHE_TTL_SECONDS of the cached runs (short: each run spans several expiries)
#   WEB_CONCURRENCY=1                 uvicorn workers for the storefront and the Python hello
#   BENCH_OUT=docs/benchmarks.md      where the section is written
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
WARMUP=2
BENCH_APPS=${BENCH_APPS:-storefront catalog}
SF_TTL=${SF_TTL:-2}
CAT_TTL=${CAT_TTL:-2}
export WEB_CONCURRENCY=${WEB_CONCURRENCY:-1}
BENCH_OUT=${BENCH_OUT:-docs/benchmarks.md}
SERVERS="$ROOT/apps/testing/servers.sh"
PY="$ROOT/apps/storefront/.venv/bin/python"
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk (scripts/install-system-deps.sh)" >&2; exit 1; }
[ -x "$PY" ] || { echo "run make -C apps deps first" >&2; exit 1; }

WORK=$(mktemp -d /tmp/shop-bench.XXXXXX); chmod 755 "$WORK"
PGDIR="$WORK/pg"; RDIR="$WORK/redis"; mkdir -p "$RDIR"
PGPORT=$("$SERVERS" free-port); RPORT=$("$SERVERS" free-port)
PGPW=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9'); RPW=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
APP_PID=""
cleanup() {
  if [ -n "$APP_PID" ]; then kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; fi
  "$SERVERS" redis-stop "$RDIR" || true
  "$SERVERS" pg-stop "$PGDIR" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
"$SERVERS" pg-start "$PGDIR" "$PGPORT" "$PGPW"
"$SERVERS" redis-start "$RDIR" "$RPORT" "$RPW"
export DATABASE_URL="postgresql://postgres:$PGPW@127.0.0.1:$PGPORT/shop"
export REDIS_URL="redis://:$RPW@127.0.0.1:$RPORT/0"
export HOST=127.0.0.1 LOG_LEVEL=info ADMIN_TOKEN=bench-only
apps/storefront/run migrate >/dev/null
apps/storefront/run seed 100 >/dev/null
"$PY" bench/pgstat.py setup
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

RESULTS="$WORK/results.tsv"
: >"$RESULTS"

start_app() { # port cmd...
  local port=$1; shift
  PORT=$port "$@" >/dev/null 2>&1 &
  APP_PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/${HEALTH-healthz}" >/dev/null && return 0; sleep 0.1; done
  echo "app did not start: $*" >&2; exit 1
}
stop_app() { kill -TERM "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=""; }

cpu_ticks() { # utime+stime (clock ticks) of a process and its children (uvicorn workers)
  local total=0 p
  for p in "$1" $(pgrep -P "$1" 2>/dev/null); do
    [ -r "/proc/$p/stat" ] && total=$((total + $(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$p/stat")))
  done
  echo "$total"
}

measure() { # label url ttl   (ttl: the app's CACHE_TTL_SECONDS for this run, "-" for the hellos)
  local label=$1 url=$2 ttl=$3
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  "$PY" bench/pgstat.py reset
  local t0; t0=$(date +%s.%N)
  for _ in $(seq 1 20); do curl -sf "$url" >/dev/null; done          # warm caches and pools
  wrk -t"$THREADS" -c"$CONNS" -d${WARMUP}s "$url" >/dev/null          # short warm-up
  local c0; c0=$(cpu_ticks "$APP_PID")
  local out; out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$url")
  local c1; c1=$(cpu_ticks "$APP_PID")
  # CPU the app itself spent per request: unlike req/s it hardly depends on what else shares the CPUs
  local requests; requests=$(awk '/requests in/ {print $1}' <<<"$out")
  local cpu_us; cpu_us=$(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN {printf "%.0f", t * 1e6 / hz / n}')
  local elapsed; elapsed=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
  local rps p50 p99 non2xx queries
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); non2xx=${non2xx:-0}
  errors=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' <<<"$out"); errors=${errors:-0}
  queries=$("$PY" bench/pgstat.py count)   # "<list calls>\t<item calls>" since the reset
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$rps" "$p50" "$p99" "$non2xx" "$errors" \
    "$queries" "$ttl" "$elapsed" "$load" "$cpu_us" | tee -a "$RESULTS"
}

P=$("$SERVERS" free-port)
for app in $BENCH_APPS; do
  case "$app" in
    storefront)
      HEALTH="" start_app "$P" "$PY" bench/hello_fastapi.py
      measure "python-hello" "http://127.0.0.1:$P/" -
      stop_app
      CACHE_TTL_SECONDS=$SF_TTL start_app "$P" apps/storefront/run serve
      measure "storefront-item-cached" "http://127.0.0.1:$P/api/products/DEMO-00042" "$SF_TTL"
      measure "storefront-list-cached" "http://127.0.0.1:$P/api/products?limit=20" "$SF_TTL"
      stop_app
      CACHE_TTL_SECONDS=0 start_app "$P" apps/storefront/run serve
      measure "storefront-item-uncached" "http://127.0.0.1:$P/api/products/DEMO-00042" 0
      measure "storefront-list-uncached" "http://127.0.0.1:$P/api/products?limit=20" 0
      stop_app
      ;;
    catalog)
      (cd apps/catalog && CGO_ENABLED=0 go build -o "$WORK/catalog" .)
      (cd bench/hello-go && CGO_ENABLED=0 go build -o "$WORK/hello-go" .)
      HEALTH="" start_app "$P" "$WORK/hello-go"
      measure "go-hello" "http://127.0.0.1:$P/" -
      stop_app
      CACHE_TTL_SECONDS=$CAT_TTL start_app "$P" "$WORK/catalog" serve
      measure "catalog-item-cached" "http://127.0.0.1:$P/v1/products/DEMO-00042" "$CAT_TTL"
      measure "catalog-list-cached" "http://127.0.0.1:$P/v1/products?limit=20" "$CAT_TTL"
      stop_app
      CACHE_TTL_SECONDS=0 start_app "$P" "$WORK/catalog" serve
      measure "catalog-item-uncached" "http://127.0.0.1:$P/v1/products/DEMO-00042" 0
      measure "catalog-list-uncached" "http://127.0.0.1:$P/v1/products?limit=20" 0
      stop_app
      ;;
    *) echo "unknown app $app" >&2; exit 2 ;;
  esac
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

CPU=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
MEM=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
"$PY" bench/report.py "$RESULTS" "$BENCH_OUT" "$(nproc)" "$CPU" "$MEM" "$DURATION" "$CONNS" "$THREADS" \
  "$(redis-server --version | awk '{print $3}')" "$(go version | awk '{print $3}')" "$("$PY" --version)" \
  "$LOAD_START" "$LOAD_END" "$WEB_CONCURRENCY" "$WARMUP"
echo "wrote $BENCH_OUT"
