#!/usr/bin/env bash
# Render an offline plan (out/<stack>/resources.json, docs/contracts.md §3) and the output of
# `npm run policy:check` as Markdown, for job summaries and the fork PR comment (fork pull requests
# get no cloud preview: see docs/delivery.md "Fork pull requests").
#
#   plan-summary.sh RESOURCES_JSON [POLICY_CHECK_LOG]
#
# Prints Markdown on stdout: the monthly cost estimate when cost.json sits next to RESOURCES_JSON
# (numbers, and labels as literal text), resource counts by type (inputs are never printed, so
# nothing the plan holds can leak into the summary) and the policy-check log, if given, in a code
# block. Every string taken from the files is escaped by plan_summary.py (a fork controls them all).
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 RESOURCES_JSON [POLICY_CHECK_LOG]" >&2
  exit 2
fi
exec python3 "$(dirname "$0")/plan_summary.py" "$@"
