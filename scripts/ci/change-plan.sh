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
  python3 - "$1" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    p = json.load(f)
if p.get("format") != "shop-platform/change-plan@1":
    sys.exit(f"change-plan: {sys.argv[1]} is not a shop-platform/change-plan@1 file")
def cell(s):
    return str(s).replace("|", "\\|").replace("`", "'").replace("\n", " ")[:120]
s = p["summary"]
blocking = set(p.get("blocking", []))
print(f"### Change plan: `{cell(p['stack'])}` against `{cell(p['base'])}`")
print()
print(f"{s['create']} to create, {s['update']} to update ({s['rolled']} rolled), {s['replace']} to replace, {s['delete']} to delete, {s['same']} unchanged.")
changes = p.get("changes", [])
if blocking:
    print()
    print(f"**BLOCKED: {len(blocking)} stateful or protected resource(s) would be replaced or deleted:**")
    for c in changes:
        if c["urn"] in blocking:
            print(f"- `{c['action']}` `{cell(c['type'])}` `{cell(c['display'])}` — {cell(c.get('stateful', ''))}")
if changes:
    print()
    print("| action | type | resource | why / changed inputs |")
    print("|---|---|---|---|")
    for c in changes[:200]:
        flags = " (rolled)" if c.get("rolled") else ""
        flags += " (delete first)" if c.get("deleteBeforeReplace") else ""
        if c["action"] == "replace":
            why = "; ".join(f"{r['path']}: {r['rule']}" for r in c.get("replaceReasons", [])[:3])
        else:
            why = ", ".join(x["path"] for x in c.get("paths", [])[:6])
        print(f"| {c['action']}{flags} | `{cell(c['type'])}` | `{cell(c['display'])}` | {cell(why)} |")
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
        print(f"- {cell(w)}")
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
