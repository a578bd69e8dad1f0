#!/usr/bin/env bash
# The offline change plan of a pull request: what `pulumi up` would do to each stack compared
# with the base branch (`npm run plan -- <stack> --base <ref>`, plan/changeCli.ts).
#
#   change-plan.sh run STACK BASE_REF OUT_DIR   # writes OUT_DIR/change-plan.json, prints Markdown,
#                                               # exits 1 when a stateful/protected resource would be
#                                               # replaced or deleted (or on a mandatory policy violation)
#   change-plan.sh render CHANGE_PLAN_JSON      # Markdown only (used for fork artifacts)
#   change-plan.sh comment STACK MARKDOWN_FILE  # post/update the stack's PR comment
#                                               # (env GH_TOKEN, REPO, PR)
#
# The Markdown names resources, actions and changed input paths, never values: a fork's artifact
# is rendered by base-repository code and nothing the plan holds is posted verbatim.
set -euo pipefail

render() {
  # The plan may come from a fork's artifact (fork-plan-comment.yml): every string in it goes out
  # through plan_summary.py's code_span (literal text in a code span; `|` escaped for tables), every
  # number is checked to be one, so nothing in the file becomes Markdown, HTML, a link or a mention.
  PYTHONPATH="$(dirname "$0")" python3 - "$1" <<'PY'
import json, sys
from plan_summary import code_span
with open(sys.argv[1], encoding="utf-8") as f:
    p = json.load(f)
if not isinstance(p, dict) or p.get("format") != "shop-platform/change-plan@1":
    sys.exit(f"change-plan: {sys.argv[1]} is not a shop-platform/change-plan@1 file")
def cell(v, limit=120):
    return code_span(str(v)[:limit])
def num(v):
    if isinstance(v, bool) or not isinstance(v, int):
        sys.exit("change-plan: a summary count is not an integer")
    return str(v)
s = p.get("summary") or {}
blocking = set(map(str, p.get("blocking", [])))
print(f"### Change plan: {code_span(p.get('stack', '?'), in_table=False)} against {code_span(p.get('base', '?'), in_table=False)}")
print()
print(f"{num(s.get('create'))} to create, {num(s.get('update'))} to update ({num(s.get('rolled'))} rolled), {num(s.get('replace'))} to replace, {num(s.get('delete'))} to delete, {num(s.get('same'))} unchanged.")
changes = [c for c in p.get("changes", []) if isinstance(c, dict)]
if blocking:
    print()
    print(f"**BLOCKED: {len(blocking)} stateful or protected resource(s) would be replaced or deleted:**")
    for c in changes:
        if str(c.get("urn")) in blocking:
            print(f"- {cell(c.get('action'))} {cell(c.get('type'))} {cell(c.get('display'))} — {cell(c.get('stateful', '') or '-')}")
if changes:
    print()
    print("| action | type | resource | why / changed inputs |")
    print("|---|---|---|---|")
    for c in changes[:200]:
        flags = " (rolled)" if c.get("rolled") is True else ""
        flags += " (delete first)" if c.get("deleteBeforeReplace") is True else ""
        if c.get("action") == "replace":
            why = "; ".join(f"{r.get('path')}: {r.get('rule')}" for r in c.get("replaceReasons", [])[:3] if isinstance(r, dict))
        else:
            why = ", ".join(str(x.get("path")) for x in c.get("paths", [])[:6] if isinstance(x, dict))
        print(f"| {cell(c.get('action'))}{flags} | {cell(c.get('type'))} | {cell(c.get('display'))} | {cell(why or '-', 240)} |")
    if len(changes) > 200:
        print(f"\n_{len(changes) - 200} more: see the run's artifact._")
else:
    print()
    print("No changes.")
warnings = p.get("warnings", [])
if warnings:
    print()
    print("<details><summary>warnings</summary>\n")
    for w in warnings[:50]:
        print(f"- {cell(w, 300)}")
    print("\n</details>")
PY
}

cmd=${1:-}
case "$cmd" in
  run)
    stack=${2:?usage: change-plan.sh run STACK BASE_REF OUT_DIR} base=${3:?} out=${4:?}
    mkdir -p "$out"
    status=0
    npm run -s plan -- "$stack" --base "$base" --json --out "$out" >"$out/change-plan.json" || status=$?
    if [[ $status -gt 1 ]] || ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out/change-plan.json" 2>/dev/null; then
      echo "### Change plan: \`$stack\`: the change plan failed (exit $status): see the job log."
      exit 2
    fi
    render "$out/change-plan.json"
    exit "$status"
    ;;
  render)
    render "${2:?usage: change-plan.sh render CHANGE_PLAN_JSON}"
    ;;
  comment)
    stack=${2:?usage: change-plan.sh comment STACK MARKDOWN_FILE} md=${3:?}
    : "${REPO:?}" "${PR:?}"
    [[ "$PR" =~ ^[0-9]+$ ]] || { echo "change-plan: bad PR number" >&2; exit 1; }
    marker="<!-- shop-platform:change-plan:$stack -->"
    body=$(mktemp)
    { echo "$marker"; head -c 60000 "$md"; } >"$body"
    existing=$("${GH:-gh}" api --paginate "repos/$REPO/issues/$PR/comments" \
      --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1)
    if [[ -n "$existing" ]]; then
      "${GH:-gh}" api -X PATCH "repos/$REPO/issues/comments/$existing" -F "body=@$body" >/dev/null
    else
      "${GH:-gh}" api -X POST "repos/$REPO/issues/$PR/comments" -F "body=@$body" >/dev/null
    fi
    rm -f "$body"
    ;;
  *)
    echo "usage: change-plan.sh run|render|comment ..." >&2
    exit 2
    ;;
esac
