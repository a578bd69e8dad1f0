#!/usr/bin/env bash
# Post a one-line deploy notification to a Slack incoming webhook.
#
#   notify-slack.sh TEXT
#
# SLACK_WEBHOOK_URL comes from the environment (a repository/environment secret). When it is
# empty the script says so and exits 0: notifications are optional. The URL is never printed
# and never put on a command line (no `set -x`; curl reads it from a config on stdin).
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 TEXT" >&2
  exit 2
fi
if [[ -z "${SLACK_WEBHOOK_URL:-}" ]]; then
  echo "notify-slack: SLACK_WEBHOOK_URL not set, notification skipped"
  exit 0
fi

body="$(python3 -c 'import json,sys; print(json.dumps({"text": sys.argv[1]}))' "$1")"
# The URL goes to curl through a config read from a here-string (-K -), so it is not visible in
# the process list; curl's own error text is dropped so the token in the path cannot leak.
if ! curl -sS --fail --connect-timeout 5 --max-time 15 -o /dev/null \
  -H 'Content-Type: application/json' --data "$body" -K - <<<"url = \"${SLACK_WEBHOOK_URL}\"" 2>/dev/null; then
  echo "notify-slack: the webhook call failed (URL not shown)" >&2
  exit 1
fi
echo "notify-slack: sent"
