#!/usr/bin/env bash
# Render an offline plan (out/<stack>/resources.json, docs/contracts.md §3) and the output of
# `npm run policy:check` as Markdown, for the job summary of fork pull requests (which get no
# cloud preview and no PR comment: see docs/delivery.md "Fork pull requests").
#
#   plan-summary.sh RESOURCES_JSON [POLICY_CHECK_LOG]
#
# Prints Markdown on stdout: the monthly cost estimate when cost.json sits next to RESOURCES_JSON
# (numbers and sanitised component labels only), resource counts by type (inputs are never
# printed, so nothing the plan holds can leak into the summary) and the policy-check log, if
# given, in a code block.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 RESOURCES_JSON [POLICY_CHECK_LOG]" >&2
  exit 2
fi
python3 - "$@" <<'PY'
import collections, json, os, re, sys

path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    doc = json.load(f)
if doc.get("format") != "shop-platform/resources@1" or not isinstance(doc.get("resources"), list):
    sys.exit(f"plan-summary: {path} is not a shop-platform/resources@1 file")

resources = doc["resources"]
custom = [r for r in resources if r.get("custom")]
by_type = collections.Counter(r.get("type", "?") for r in resources)
print(f"### Offline plan: `{doc.get('project', '?')}` / `{doc.get('stack', '?')}`")
print()
print(f"{len(resources)} resources ({len(custom)} custom, {len(resources) - len(custom)} components).")
print()
cost_path = os.path.join(os.path.dirname(os.path.abspath(path)), "cost.json")
if os.path.exists(cost_path):
    # Artifacts of fork PRs are untrusted data: print numbers, and labels reduced to a safe alphabet.
    safe = lambda s, n=60: re.sub(r"[^A-Za-z0-9 ._:/{}()-]", "?", str(s))[:n]
    money = lambda x: f"${x:,.2f}"
    try:
        with open(cost_path, encoding="utf-8") as f:
            cost = json.load(f)
    except (OSError, ValueError):
        cost = None
    total = cost.get("totalUsd") if isinstance(cost, dict) and cost.get("format") == "shop-platform/cost@1" else None
    if isinstance(total, (int, float)):
        pf = cost.get("priceFile") or {}
        print(f"**Estimated monthly cost: {money(total)}** ({safe(cost.get('region'), 20)}, {safe(cost.get('environment'), 10)} assumptions, prices read {safe(pf.get('read'), 10)}; on-demand list prices, see `out/<stack>/cost.json` in the artifact).")
        print()
        print("| component | per month |")
        print("|---|---:|")
        for c in (cost.get("byComponent") or [])[:8]:
            if isinstance(c, dict) and isinstance(c.get("monthlyUsd"), (int, float)):
                print(f"| `{safe(c.get('component'))}` | {money(c['monthlyUsd'])} |")
        sav = [x.get("monthlyUsd") for x in (cost.get("savings") or []) if isinstance(x, dict) and isinstance(x.get("monthlyUsd"), (int, float))]
        if sav:
            print()
            print(f"Savings the plan sees: {len(sav)}, {money(sum(sav))}/month in total (listed in the plan's output).")
        print()
print("| type | count |")
print("|---|---:|")
for t, n in sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0])):
    print(f"| `{t}` | {n} |")
if len(sys.argv) > 2:
    with open(sys.argv[2], encoding="utf-8", errors="replace") as f:
        log = f.read()[-20000:]
    print()
    print("<details><summary>policy check</summary>")
    print()
    print("```")
    print(log.replace("```", "'''").rstrip())
    print("```")
    print()
    print("</details>")
PY
