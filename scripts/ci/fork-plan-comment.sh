#!/usr/bin/env bash
# Post (or update) the offline plan of a fork pull request as one PR comment.
#
#   fork-plan-comment.sh DIR      # DIR holds fork-plan-<stack>/ artifacts (resources.json, policy-check.log)
#
# Env: GH_TOKEN, REPO (owner/name), HEAD_SHA (the preview run's head commit), RUN_URL.
# The artifacts come from a fork's run: they are data, rendered by plan-summary.sh (which prints
# counts and the policy log, never inputs, and escapes every string it did not write: plan_summary.py),
# and the PR is the open one whose head is HEAD_SHA. RUN_URL is GitHub's own (workflow_run.html_url).
set -euo pipefail
dir=${1:?usage: fork-plan-comment.sh DIR}
: "${REPO:?}" "${HEAD_SHA:?}"
[[ "$HEAD_SHA" =~ ^[0-9a-f]{40}$ ]] || { echo "fork-plan-comment: bad HEAD_SHA" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
marker='<!-- shop-platform:fork-plan -->'

pr=$("${GH:-gh}" api --paginate "repos/$REPO/pulls?state=open&per_page=100" \
  --jq ".[] | select(.head.sha == \"$HEAD_SHA\") | .number" | head -n 1)
if [[ -z "$pr" ]]; then
  echo "fork-plan-comment: no open pull request has head $HEAD_SHA; nothing to comment"
  exit 0
fi

body=$(mktemp)
{
  echo "$marker"
  echo "## Offline plan (fork pull request)"
  echo
  echo "Forks get no cloud credentials, so this is the offline plan and policy check of each stack"
  echo "([run](${RUN_URL:-})). A maintainer's branch or the merge to main runs the real \`pulumi preview\`."
  for stack_dir in "$dir"/fork-plan-*/; do
    [[ -d "$stack_dir" ]] || continue
    echo
    if [[ -f "$stack_dir/resources.json" ]]; then
      log="$stack_dir/policy-check.log"
      if [[ -f "$log" ]]; then "$here/plan-summary.sh" "$stack_dir/resources.json" "$log"; else "$here/plan-summary.sh" "$stack_dir/resources.json"; fi
    else
      # The artifact name comes from the fork's own workflow run: escaped like every other string.
      python3 "$here/plan_summary.py" --missing "$(basename "$stack_dir")"
    fi
    if [[ -f "$stack_dir/change-plan.json" ]]; then
      echo
      "$here/change-plan.sh" render "$stack_dir/change-plan.json" || echo "_(the change plan artifact could not be rendered)_"
    fi
  done
} >"$body"
# A comment holds at most 65536 characters.
if (($(wc -c <"$body") > 60000)); then
  head -c 60000 "$body" >"$body.cut" && printf '\n\n_(truncated: see the run)_\n' >>"$body.cut" && mv "$body.cut" "$body"
fi

existing=$("${GH:-gh}" api --paginate "repos/$REPO/issues/$pr/comments" \
  --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1)
if [[ -n "$existing" ]]; then
  "${GH:-gh}" api -X PATCH "repos/$REPO/issues/comments/$existing" -F "body=@$body" >/dev/null
  echo "fork-plan-comment: updated comment $existing on #$pr"
else
  "${GH:-gh}" api -X POST "repos/$REPO/issues/$pr/comments" -F "body=@$body" >/dev/null
  echo "fork-plan-comment: commented on #$pr"
fi
rm -f "$body"
