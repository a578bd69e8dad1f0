#!/usr/bin/env bash
# Catalog benchmark (a script, not a test; issues 19 and 17), all in one run on this machine, loopback only:
#   - bare net/http hello vs the catalog's cached item/list reads vs the same uncached (CACHE_TTL_SECONDS=0);
#   - the catalog before this work (BASELINE_REF, built from git) on the same cached reads;
#   - tracing: no OTEL endpoint (the default) vs exporting every request to a local OTLP sink;
#   - stampede: 64 connections on one hot key across several expiries of a 2 s TTL, with the number of
#     list/item queries PostgreSQL executed (pg_stat_statements);
#   - a CPU profile (pprof build tag) of the cached item read: its top frames.
# Writes the "## Catalog" section of docs/benchmarks.md (other sections are kept; text after the
# <!-- catalog-notes --> marker is kept). Bounded: ROUNDS x 13 wrk runs of DURATION seconds, 2 stampede
# runs of STAMPEDE_SECONDS, one 8 s profile: about 5 minutes with the defaults.
# Usage: bash bench/catalog.sh      (needs go, wrk, postgresql-15, redis-server, psql; no app venv)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DURATION=${DURATION:-5}   # seconds per wrk run
ROUNDS=${ROUNDS:-3}       # interleaved rounds of every throughput variant (median reported)
STAMPEDE_SECONDS=${STAMPEDE_SECONDS:-10}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
STAMPEDE_TTL=${STAMPEDE_TTL:-2}
# Last commit before the catalog's issue-19/17 work; override to compare against another revision.
BASELINE_REF=${BASELINE_REF:-23346ce}
# Last commit before OpenTelemetry was added: the same code without any tracing dependency, to show that
# with no OTEL endpoint tracing costs nothing.
PRE_OTEL_REF=${PRE_OTEL_REF:-3cf66df}
SERVERS="$ROOT/apps/testing/servers.sh"
for tool in wrk go psql redis-server; do
  command -v "$tool" >/dev/null || { echo "bench/catalog.sh: $tool missing (apt-get install -y wrk postgresql-15 redis-server)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/catalog-bench.XXXXXX); chmod 755 "$WORK"
PGDIR="$WORK/pg"; RDIR="$WORK/redis"; mkdir -p "$RDIR"
PGPORT=$("$SERVERS" free-port); RPORT=$("$SERVERS" free-port)
PGPW=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9'); RPW=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  "$SERVERS" redis-stop "$RDIR" || true
  "$SERVERS" pg-stop "$PGDIR" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
"$SERVERS" pg-start "$PGDIR" "$PGPORT" "$PGPW"
"$SERVERS" redis-start "$RDIR" "$RPORT" "$RPW"
export PGPASSWORD="$PGPW"
PSQL=(psql -X -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d shop -v ON_ERROR_STOP=1)
for f in apps/storefront/storefront/migrations/*.sql; do "${PSQL[@]}" -f "$f"; done
"${PSQL[@]}" -c "INSERT INTO products (sku, name, description, price_cents, stock)
  SELECT format('DEMO-%s', lpad(i::text, 5, '0')), 'Demo product ' || i, 'A demo product', 100 + i, 1000
  FROM generate_series(1, 100) i ON CONFLICT DO NOTHING" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
export DATABASE_URL="postgresql://postgres:$PGPW@127.0.0.1:$PGPORT/shop"
export REDIS_URL="redis://:$RPW@127.0.0.1:$RPORT/0"
export HOST=127.0.0.1 LOG_LEVEL=info
unset OTEL_EXPORTER_OTLP_ENDPOINT OTEL_EXPORTER_OTLP_TRACES_ENDPOINT

echo "== build (t=${SECONDS}s)"
(cd apps/catalog && CGO_ENABLED=0 go build -trimpath -o "$WORK/catalog" . && CGO_ENABLED=0 go build -trimpath -tags pprof -o "$WORK/catalog-pprof" .)
(cd bench/hello-go && CGO_ENABLED=0 go build -o "$WORK/hello-go" .)
(cd bench/otlp-sink && CGO_ENABLED=0 go build -o "$WORK/otlp-sink" .)
build_ref() { # ref name -> prints the binary's path, or nothing when the ref is not in this clone
  if git rev-parse -q --verify "$1^{commit}" >/dev/null 2>&1; then
    mkdir -p "$WORK/$2" && git archive "$1" apps/catalog | tar -x -C "$WORK/$2"
    (cd "$WORK/$2/apps/catalog" && CGO_ENABLED=0 go build -trimpath -o "$WORK/catalog-$2" .) && echo "$WORK/catalog-$2"
  else
    echo "$1 not in this clone: no $2 rows" >&2
  fi
}
BASELINE=$(build_ref "$BASELINE_REF" baseline)
PREOTEL=$(build_ref "$PRE_OTEL_REF" preotel)

RESULTS="$WORK/results.tsv"; : >"$RESULTS"
QUERIES="$WORK/queries.tsv"; : >"$QUERIES"
APP_PID=""
start_app() { # port health-path cmd...   (env: the caller's)
  local port=$1 health=$2; shift 2
  PORT=$port "$@" >/dev/null 2>&1 &
  APP_PID=$!; PIDS+=("$APP_PID")
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port$health" >/dev/null && return 0; sleep 0.1; done
  echo "did not start: $*" >&2; exit 1
}
stop_app() { kill -TERM "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=""; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime of a process, in clock ticks
wrk_run() { # label url duration [pid]  -> one results row (the app's CPU per request when pid is given)
  local label=$1 url=$2 dur=$3 pid=${4:-} out t0=0 t1=0 reqs cpu_us=0
  [ -n "$pid" ] && t0=$(cpu_ticks "$pid")
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"${dur}s" --latency "$url")
  [ -n "$pid" ] && t1=$(cpu_ticks "$pid")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  [ -n "$pid" ] && [ "${reqs:-0}" -gt 0 ] && cpu_us=$(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$reqs" 'BEGIN {printf "%.1f", d / hz * 1e6 / n}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" \
    "$(awk '/^Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1=="50%" {print $2}' <<<"$out")" \
    "$(awk '$1=="99%" {print $2}' <<<"$out")" "$(awk '/Non-2xx/ {print $NF}' <<<"$out" | grep . || echo 0)" \
    "$(awk '/Socket errors/ {gsub(",", ""); n = $4 + $6 + $8 + $10} END {print n + 0}' <<<"$out")" "$cpu_us" | tee -a "$RESULTS"
}
pgcalls() { # fragment -> calls since the last reset
  "${PSQL[@]}" -At -c "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE '%$1%' AND query NOT LIKE '%pg_stat_statements%'"
}

free() { "$SERVERS" free-port; }
SINKPORT=$(free); PPROF=$(free); P=$(free)
ITEM=/v1/products/DEMO-00042; LIST='/v1/products?limit=20'
# Every variant runs at once on its own port (idle ones cost nothing) and the measurements are
# interleaved in ROUNDS rounds, so that the shared machine's changing load hits all of them alike; the
# report takes the median of the rounds.
start_app "$SINKPORT" /stats "$WORK/otlp-sink"
TARGETS=()  # label|url|pid of the process measured
add() { TARGETS+=("$1|$2|$APP_PID"); }
PH=$(free); start_app "$PH" / "$WORK/hello-go"; add go-hello "http://127.0.0.1:$PH/"
PC=$(free); CACHE_TTL_SECONDS=300 start_app "$PC" /healthz "$WORK/catalog" serve
add catalog-item-cached "http://127.0.0.1:$PC$ITEM"; add catalog-list-cached "http://127.0.0.1:$PC$LIST"
if [ -n "$PREOTEL" ]; then
  PO=$(free); CACHE_TTL_SECONDS=300 start_app "$PO" /healthz "$PREOTEL" serve
  add preotel-item-cached "http://127.0.0.1:$PO$ITEM"; add preotel-list-cached "http://127.0.0.1:$PO$LIST"
fi
if [ -n "$BASELINE" ]; then
  PB=$(free); CACHE_TTL_SECONDS=300 start_app "$PB" /healthz "$BASELINE" serve
  add baseline-item-cached "http://127.0.0.1:$PB$ITEM"; add baseline-list-cached "http://127.0.0.1:$PB$LIST"
fi
PT=$(free); OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINKPORT" OTEL_TRACES_SAMPLER=always_on CACHE_TTL_SECONDS=300 \
  start_app "$PT" /healthz "$WORK/catalog" serve
add catalog-item-cached-traced "http://127.0.0.1:$PT$ITEM"; add catalog-list-cached-traced "http://127.0.0.1:$PT$LIST"
# what production would run: 10 % of new traces sampled (parent-based)
PS=$(free); OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINKPORT" OTEL_TRACES_SAMPLER=parentbased_traceidratio \
  OTEL_TRACES_SAMPLER_ARG=0.1 CACHE_TTL_SECONDS=300 start_app "$PS" /healthz "$WORK/catalog" serve
add catalog-item-cached-traced-10pct "http://127.0.0.1:$PS$ITEM"
PU=$(free); CACHE_TTL_SECONDS=0 start_app "$PU" /healthz "$WORK/catalog" serve
add catalog-item-uncached "http://127.0.0.1:$PU$ITEM"; add catalog-list-uncached "http://127.0.0.1:$PU$LIST"
APP_PID=""
for t in "${TARGETS[@]}"; do IFS='|' read -r _ url _ <<<"$t"; for _ in $(seq 1 20); do curl -sf "$url" >/dev/null; done; done
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round/$ROUNDS (t=${SECONDS}s, load $(cut -d' ' -f1 /proc/loadavg))"
  for t in "${TARGETS[@]}"; do
    IFS='|' read -r label url pid <<<"$t"
    wrk -t"$THREADS" -c"$CONNS" -d1s "$url" >/dev/null   # warm-up: connections, near cache
    wrk_run "$label" "$url" "$DURATION" "$pid"
  done
done
SINK_STATS=$(curl -sf "http://127.0.0.1:$SINKPORT/stats")
for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
PIDS=()

echo "== stampede: TTL ${STAMPEDE_TTL}s, $CONNS connections, ${STAMPEDE_SECONDS}s per key (t=${SECONDS}s)"
CACHE_TTL_SECONDS=$STAMPEDE_TTL start_app "$P" /healthz "$WORK/catalog" serve
for kind in list item; do
  if [ $kind = list ]; then url="http://127.0.0.1:$P/v1/products?limit=20&offset=7"; frag="FROM products ORDER BY sku LIMIT"
  else url="http://127.0.0.1:$P/v1/products/DEMO-00077"; frag="FROM products WHERE sku ="; fi
  "${PSQL[@]}" -At -c "SELECT pg_stat_statements_reset()" >/dev/null
  wrk_run "stampede-$kind" "$url" "$STAMPEDE_SECONDS" >/dev/null
  printf '%s\t%s\t%s\n' "$kind" "$(pgcalls "$frag")" "$(( STAMPEDE_SECONDS / STAMPEDE_TTL + 1 ))" | tee -a "$QUERIES"
done
stop_app

echo "== CPU profile of the cached item read (t=${SECONDS}s)"
CATALOG_PPROF_ADDR="127.0.0.1:$PPROF" CACHE_TTL_SECONDS=300 start_app "$P" /healthz "$WORK/catalog-pprof" serve
for _ in $(seq 1 20); do curl -sf "http://127.0.0.1:$P$ITEM" >/dev/null; done
(sleep 1; curl -sf -o "$WORK/cpu.pprof" "http://127.0.0.1:$PPROF/debug/pprof/profile?seconds=6") &
wrk -t"$THREADS" -c"$CONNS" -d8s "http://127.0.0.1:$P$ITEM" >/dev/null
wait $!
stop_app
go tool pprof -top -cum -nodecount=40 "$WORK/catalog-pprof" "$WORK/cpu.pprof" 2>/dev/null \
  | awk 'p && /main\.|slog|go-redis|net\/http\.\(\*conn\)\.serve|finishRequest|readRequest|prometheus|syscall\.Syscall$|singleflight/ {print} /flat%/ {p=1}' \
  | head -25 >"$WORK/profile.txt"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

python3 bench/catalog_report.py "$RESULTS" "$QUERIES" "$WORK/profile.txt" docs/benchmarks.md \
  "$(nproc)" "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)" \
  "$DURATION" "$CONNS" "$THREADS" "$STAMPEDE_TTL" "$ROUNDS" "$STAMPEDE_SECONDS" "$BASELINE_REF" "${BASELINE:+yes}" "$PRE_OTEL_REF" "${PREOTEL:+yes}" "$SINK_STATS" \
  "$LOAD_BEFORE" "$LOAD_AFTER" "$(go version | awk '{print $3}')" "$(redis-server --version | awk '{print $3}')"
echo "wrote the ## Catalog section of docs/benchmarks.md"
