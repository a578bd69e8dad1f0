#!/usr/bin/env bash
# Record one deployment of a stack through the GitHub Deployments API (delivery metrics source).
#
#   record-deployment.sh STACK RESULT STARTED_AT
#
#   STACK       dev | staging | prod (the GitHub environment name)
#   RESULT      success | failure
#   STARTED_AT  Unix time (seconds) the deploy job started `pulumi up`
#
# Creates a deployment for the deployed commit with a payload carrying the commit time and the
# deploy start/finish times (lead time = finish - commit time), then posts its final status.
# Writes commit_timestamp, finished_at, lead_time_seconds and deployment_id to $GITHUB_OUTPUT
# (when set) and a line to $GITHUB_STEP_SUMMARY (when set).
#
# Environment: GITHUB_REPOSITORY (owner/repo), GH_TOKEN (for gh), DEPLOY_SHA or GITHUB_SHA,
# GITHUB_SERVER_URL + GITHUB_RUN_ID (for the log URL), GH (gh binary, default gh),
# NOW (override the finish time, for tests).
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 STACK success|failure STARTED_AT" >&2
  exit 2
fi
stack="$1" result="$2" started_at="$3"
case "$result" in success | failure) ;; *)
  echo "record-deployment: RESULT must be success or failure, got '$result'" >&2
  exit 2
  ;;
esac
if ! [[ "$started_at" =~ ^[0-9]+$ ]]; then
  echo "record-deployment: STARTED_AT must be a Unix time in seconds, got '$started_at'" >&2
  exit 2
fi
: "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY must be set (owner/repo)}"
sha="${DEPLOY_SHA:-${GITHUB_SHA:-}}"
if [[ -z "$sha" ]]; then
  echo "record-deployment: DEPLOY_SHA or GITHUB_SHA must be set" >&2
  exit 2
fi
GH="${GH:-gh}"

commit_ts="$(git show -s --format=%ct "$sha")"
finished_at="${NOW:-$(date -u +%s)}"
lead_time=$((finished_at - commit_ts))
run_url="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID:-0}"

request="$(mktemp)"
trap 'rm -f "$request"' EXIT

python3 - "$stack" "$result" "$sha" "$commit_ts" "$started_at" "$finished_at" "$run_url" >"$request" <<'PY'
import datetime, json, sys
stack, result, sha, commit_ts, started, finished, run_url = sys.argv[1:]
iso = lambda s: datetime.datetime.fromtimestamp(int(s), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
print(json.dumps({
    "ref": sha,
    "task": "deploy:pulumi-up",
    "environment": stack,
    "auto_merge": False,
    "required_contexts": [],
    "production_environment": stack == "prod",
    "transient_environment": False,
    "description": f"pulumi up {stack} ({result})",
    "payload": {
        "stack": stack,
        "commit_sha": sha,
        "commit_timestamp": iso(commit_ts),
        "commit_timestamp_seconds": int(commit_ts),
        "deploy_started_at": iso(started),
        "deploy_finished_at": iso(finished),
        "deploy_finished_at_seconds": int(finished),
        "lead_time_seconds": int(finished) - int(commit_ts),
        "result": result,
        "run_url": run_url,
    },
}))
PY

deployment_id="$("$GH" api --method POST "repos/${GITHUB_REPOSITORY}/deployments" \
  -H 'Accept: application/vnd.github+json' --input "$request" --jq '.id')"
if ! [[ "$deployment_id" =~ ^[0-9]+$ ]]; then
  echo "record-deployment: the Deployments API did not return an id (got '$deployment_id')" >&2
  exit 1
fi

"$GH" api --method POST "repos/${GITHUB_REPOSITORY}/deployments/${deployment_id}/statuses" \
  -H 'Accept: application/vnd.github+json' \
  -f state="$result" -f environment="$stack" -f log_url="$run_url" \
  -f description="pulumi up ${stack}: ${result}, lead time ${lead_time}s" \
  -F auto_inactive=true >/dev/null

echo "recorded deployment ${deployment_id}: stack=${stack} result=${result} commit=${sha} lead_time=${lead_time}s"
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  {
    echo "deployment_id=${deployment_id}"
    echo "commit_timestamp=${commit_ts}"
    echo "finished_at=${finished_at}"
    echo "lead_time_seconds=${lead_time}"
  } >>"$GITHUB_OUTPUT"
fi
if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  echo "Deployment \`${deployment_id}\` of \`${sha}\` to **${stack}**: **${result}**, lead time ${lead_time}s" >>"$GITHUB_STEP_SUMMARY"
fi
