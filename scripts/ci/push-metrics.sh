#!/usr/bin/env bash
# Push delivery (DORA) metrics for one deployment to a Prometheus Pushgateway. Optional: does
# nothing (exit 0) unless PUSHGATEWAY_URL or PUSHGATEWAY_K8S_SERVICE is set.
#
#   push-metrics.sh STACK RESULT FINISHED_AT [LEAD_TIME_SECONDS]
#
# Metrics (grouping key job="shop_deploy" + the labels below; scrape with honorLabels: true):
#   shop_deployments_total{stack,result}                  counter: deployments finished
#   shop_deployment_last_timestamp_seconds{stack,result}  gauge: Unix time of the last one
#   shop_deployment_lead_time_seconds{stack}              gauge: commit -> deployed, last success
#
# The Pushgateway holds no counters of its own: the script reads the current value of
# shop_deployments_total for the group and pushes value+1 (deploys of one stack never overlap:
# the deploy job's concurrency group serialises them). A Pushgateway restart resets the counter,
# which increase()/rate() in the dashboard handle as a counter reset.
#
# Environment:
#   PUSHGATEWAY_URL          e.g. http://pushgateway.example:9091 (reachable from the runner), or
#   PUSHGATEWAY_K8S_SERVICE  namespace/service:port, reached by `kubectl port-forward`
#   PUSHGATEWAY_JOB          job label (default shop_deploy)
#   PUSHGATEWAY_LOCAL_PORT   local port for the port-forward (default 19091)
set -euo pipefail

if [[ $# -lt 3 || $# -gt 4 ]]; then
  echo "usage: $0 STACK success|failure FINISHED_AT [LEAD_TIME_SECONDS]" >&2
  exit 2
fi
stack="$1" result="$2" finished_at="$3" lead_time="${4:-}"
case "$result" in success | failure) ;; *)
  echo "push-metrics: RESULT must be success or failure, got '$result'" >&2
  exit 2
  ;;
esac
if ! [[ "$stack" =~ ^[a-z0-9-]+$ && "$finished_at" =~ ^[0-9]+$ ]]; then
  echo "push-metrics: bad STACK '$stack' or FINISHED_AT '$finished_at'" >&2
  exit 2
fi
if [[ -n "$lead_time" && ! "$lead_time" =~ ^-?[0-9]+$ ]]; then
  echo "push-metrics: LEAD_TIME_SECONDS must be an integer, got '$lead_time'" >&2
  exit 2
fi

job="${PUSHGATEWAY_JOB:-shop_deploy}"
url="${PUSHGATEWAY_URL:-}"
pf_pid=""
cleanup() {
  if [[ -n "$pf_pid" ]]; then
    kill "$pf_pid" 2>/dev/null || true
    wait "$pf_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

if [[ -z "$url" && -n "${PUSHGATEWAY_K8S_SERVICE:-}" ]]; then
  target="${PUSHGATEWAY_K8S_SERVICE}"
  ns="${target%%/*}" rest="${target#*/}"
  svc="${rest%%:*}" svc_port="${rest##*:}"
  local_port="${PUSHGATEWAY_LOCAL_PORT:-19091}"
  "${KUBECTL:-kubectl}" -n "$ns" port-forward "svc/$svc" "$local_port:$svc_port" >/dev/null 2>&1 &
  pf_pid=$!
  url="http://127.0.0.1:$local_port"
  for _ in $(seq 1 20); do
    curl -sf --max-time 2 "$url/-/ready" >/dev/null 2>&1 && break
    sleep 0.5
  done
fi
if [[ -z "$url" ]]; then
  echo "push-metrics: PUSHGATEWAY_URL / PUSHGATEWAY_K8S_SERVICE not set, skipped"
  exit 0
fi
url="${url%/}"

current="$(curl -sS --fail --connect-timeout 5 --max-time 15 "$url/metrics" | python3 -c '
import re, sys
job, stack, result = sys.argv[1:]
want = {"job": job, "stack": stack, "result": result}
value = 0.0
for line in sys.stdin:
    m = re.match(r"^shop_deployments_total\{(.*)\}\s+(\S+)", line)
    if not m:
        continue
    labels = dict(re.findall(r"(\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"", m.group(1)))
    if all(labels.get(k) == v for k, v in want.items()):
        value = float(m.group(2))
print(int(value))
' "$job" "$stack" "$result")"
next=$((current + 1))

printf '# TYPE shop_deployments_total counter\nshop_deployments_total %s\n# TYPE shop_deployment_last_timestamp_seconds gauge\nshop_deployment_last_timestamp_seconds %s\n' \
  "$next" "$finished_at" |
  curl -sS --fail --connect-timeout 5 --max-time 15 -X PUT --data-binary @- \
    "$url/metrics/job/$job/stack/$stack/result/$result" >/dev/null

if [[ "$result" == "success" && -n "$lead_time" ]]; then
  printf '# TYPE shop_deployment_lead_time_seconds gauge\nshop_deployment_lead_time_seconds %s\n' "$lead_time" |
    curl -sS --fail --connect-timeout 5 --max-time 15 -X PUT --data-binary @- \
      "$url/metrics/job/$job/stack/$stack" >/dev/null
fi
echo "push-metrics: stack=$stack result=$result deployments_total=$next${lead_time:+ lead_time=${lead_time}s}"
