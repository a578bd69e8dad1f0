#!/usr/bin/env bash
# Push delivery (DORA) metrics for one deployment to a Prometheus Pushgateway. Optional: does
# nothing (exit 0) unless PUSHGATEWAY_URL or PUSHGATEWAY_K8S_SERVICE is set.
#
#   push-metrics.sh STACK RESULT FINISHED_AT [LEAD_TIME_SECONDS]
#
# Metrics (grouping key job="shop_deploy" + the labels below; scrape with honorLabels: true;
# read by monitoring/rules/delivery.yaml and the Grafana "Delivery" dashboard):
#   shop_deployments_total{stack,result}                   counter: deployments finished
#   shop_deployment_last_timestamp_seconds{stack,result}   gauge: Unix time of the last one
#   shop_deployment_lead_time_seconds{stack}               gauge: commit -> deployed, last success
#   shop_deployment_lead_time_seconds_total{stack}         counter: sum of lead times of successes
#   shop_deployment_failing_since_timestamp_seconds{stack} gauge: first failure of the current
#                                                          failing streak, 0 after a success
#   shop_deployment_recoveries_total{stack}                counter: successes that ended a streak
#   shop_deployment_recovery_seconds_total{stack}          counter: sum of (recovery - failing since)
#
# The Pushgateway holds no counters of its own: the script reads the current values of the
# stack's series and pushes the updated ones (deploys of one stack never overlap:
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

# Current values of this stack's series (absent = 0): one `name value` line per metric.
state="$(curl -sS --fail --connect-timeout 5 --max-time 15 "$url/metrics" | python3 -c '
import re, sys
job, stack, result = sys.argv[1:]
want = {  # metric -> labels it must carry (besides job and stack)
    "shop_deployments_total": {"result": result},
    "shop_deployment_lead_time_seconds": {},
    "shop_deployment_lead_time_seconds_total": {},
    "shop_deployment_failing_since_timestamp_seconds": {},
    "shop_deployment_recoveries_total": {},
    "shop_deployment_recovery_seconds_total": {},
}
values = {k: 0.0 for k in want}
for line in sys.stdin:
    m = re.match(r"^(\w+)\{(.*)\}\s+(\S+)", line)
    if not m or m.group(1) not in want:
        continue
    labels = dict(re.findall(r"(\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"", m.group(2)))
    need = dict(want[m.group(1)], job=job, stack=stack)
    if all(labels.get(k) == v for k, v in need.items()):
        values[m.group(1)] = float(m.group(3))
for k, v in values.items():
    print(k, int(v))
' "$job" "$stack" "$result")"
val() { awk -v k="$1" '$1 == k { print $2 }' <<<"$state"; }

deployments=$(($(val shop_deployments_total) + 1))
lead_gauge="$(val shop_deployment_lead_time_seconds)"
lead_total="$(val shop_deployment_lead_time_seconds_total)"
failing_since="$(val shop_deployment_failing_since_timestamp_seconds)"
recoveries="$(val shop_deployment_recoveries_total)"
recovery_total="$(val shop_deployment_recovery_seconds_total)"

if [[ "$result" == "success" ]]; then
  if [[ -n "$lead_time" ]]; then
    lead_gauge="$lead_time"
    lead_total=$((lead_total + lead_time))
  fi
  if ((failing_since > 0)); then # this success ends a failing streak: one recovery
    recoveries=$((recoveries + 1))
    recovery_total=$((recovery_total + finished_at - failing_since))
    failing_since=0
  fi
elif ((failing_since == 0)); then
  failing_since="$finished_at"
fi

# group {job, stack, result}
printf '# TYPE shop_deployments_total counter\nshop_deployments_total %s\n# TYPE shop_deployment_last_timestamp_seconds gauge\nshop_deployment_last_timestamp_seconds %s\n' \
  "$deployments" "$finished_at" |
  curl -sS --fail --connect-timeout 5 --max-time 15 -X PUT --data-binary @- \
    "$url/metrics/job/$job/stack/$stack/result/$result" >/dev/null

# group {job, stack}: PUT replaces the whole group, so every series is sent again
{
  printf '# TYPE shop_deployment_lead_time_seconds gauge\nshop_deployment_lead_time_seconds %s\n' "$lead_gauge"
  printf '# TYPE shop_deployment_lead_time_seconds_total counter\nshop_deployment_lead_time_seconds_total %s\n' "$lead_total"
  printf '# TYPE shop_deployment_failing_since_timestamp_seconds gauge\nshop_deployment_failing_since_timestamp_seconds %s\n' "$failing_since"
  printf '# TYPE shop_deployment_recoveries_total counter\nshop_deployment_recoveries_total %s\n' "$recoveries"
  printf '# TYPE shop_deployment_recovery_seconds_total counter\nshop_deployment_recovery_seconds_total %s\n' "$recovery_total"
} | curl -sS --fail --connect-timeout 5 --max-time 15 -X PUT --data-binary @- \
  "$url/metrics/job/$job/stack/$stack" >/dev/null

echo "push-metrics: stack=$stack result=$result deployments_total=$deployments failing_since=$failing_since recoveries_total=$recoveries${lead_time:+ lead_time=${lead_time}s}"
