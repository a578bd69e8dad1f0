#!/usr/bin/env bash
# Benchmark (a script, not a test): each app's cached list and item reads vs the same uncached
# (CACHE_TTL_SECONDS=0) and vs a bare hello of the same framework, on this machine, loopback only.
# Bounded: wrk runs of DURATION seconds each (default 10). Writes the "## Applications" section of
# docs/benchmarks.md (other sections are kept).  Usage: bash bench/run.sh   (after make -C apps deps)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DURATION=${DURATION:-10}
CONNS=${CONNS:-50}
THREADS=${THREADS:-2}
SERVERS="$ROOT/apps/testing/servers.sh"
PY="$ROOT/apps/storefront/.venv/bin/python"
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 1; }
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
(cd apps/catalog && CGO_ENABLED=0 go build -o "$WORK/catalog" .)
(cd bench/hello-go && CGO_ENABLED=0 go build -o "$WORK/hello-go" .)

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

measure() { # label url
  local label=$1 url=$2
  for _ in $(seq 1 20); do curl -sf "$url" >/dev/null; done          # warm caches and pools
  wrk -t"$THREADS" -c"$CONNS" -d2s "$url" >/dev/null                 # short warm-up
  local out; out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$url")
  local rps p50 p99 non2xx
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); non2xx=${non2xx:-0}
  printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$rps" "$p50" "$p99" "$non2xx" | tee -a "$RESULTS"
}

P=$("$SERVERS" free-port)
# --- Python ---
HEALTH="" start_app "$P" "$PY" bench/hello_fastapi.py
measure "python-hello" "http://127.0.0.1:$P/"
stop_app
CACHE_TTL_SECONDS=300 start_app "$P" apps/storefront/run serve
measure "storefront-item-cached" "http://127.0.0.1:$P/api/products/DEMO-00042"
measure "storefront-list-cached" "http://127.0.0.1:$P/api/products?limit=20"
stop_app
CACHE_TTL_SECONDS=0 start_app "$P" apps/storefront/run serve
measure "storefront-item-uncached" "http://127.0.0.1:$P/api/products/DEMO-00042"
measure "storefront-list-uncached" "http://127.0.0.1:$P/api/products?limit=20"
stop_app
# --- Go ---
HEALTH="" start_app "$P" "$WORK/hello-go"
measure "go-hello" "http://127.0.0.1:$P/"
stop_app
CACHE_TTL_SECONDS=300 start_app "$P" "$WORK/catalog" serve
measure "catalog-item-cached" "http://127.0.0.1:$P/v1/products/DEMO-00042"
measure "catalog-list-cached" "http://127.0.0.1:$P/v1/products?limit=20"
stop_app
CACHE_TTL_SECONDS=0 start_app "$P" "$WORK/catalog" serve
measure "catalog-item-uncached" "http://127.0.0.1:$P/v1/products/DEMO-00042"
measure "catalog-list-uncached" "http://127.0.0.1:$P/v1/products?limit=20"
stop_app

CPU=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
MEM=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
"$PY" bench/report.py "$RESULTS" docs/benchmarks.md "$(nproc)" "$CPU" "$MEM" "$DURATION" "$CONNS" "$THREADS" \
  "$(redis-server --version | awk '{print $3}')" "$(go version | awk '{print $3}')" "$("$PY" --version)"
echo "wrote docs/benchmarks.md"
