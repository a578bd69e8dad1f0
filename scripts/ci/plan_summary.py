#!/usr/bin/env python3
"""Markdown for an offline plan, safe to post where the plan's author is not trusted.

    plan_summary.py RESOURCES_JSON [POLICY_CHECK_LOG]     the summary of one stack
    plan_summary.py --missing NAME                         the line for an artifact without a plan

A fork pull request controls everything in its artifacts: resources.json (types, project and stack
names), the policy-check log and even the artifact names (its own preview.yml uploads them). None of
that may turn into Markdown, HTML, links or @mentions in the bot's comment. So every string this
script did not write goes out as literal text, in one of two containers that GitHub renders verbatim:

  - an inline code span (`code_span`): control characters become spaces, the backtick fence is one
    longer than the longest backtick run inside (CommonMark "Code spans"), and `|` is written `\\|`,
    which GitHub's table parser reads as a literal pipe even inside a code span (GFM "Tables");
  - a fenced code block (`code_block`): the fence is one longer than the longest backtick run in the
    text, so nothing inside can close it.

Inside code spans and code blocks GitHub does not process Markdown, raw HTML, autolinks or @mentions.
Inputs are never printed (only counts by type), so no plan value can leak into the summary.
"""

from __future__ import annotations

import collections
import json
import math
import os
import re
import sys

MAX_SPAN = 200  # characters of one untrusted name shown
MAX_LOG = 20000  # characters of the policy log shown (the tail)
CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _longest_backtick_run(s: str) -> int:
    return max((len(m) for m in re.findall(r"`+", s)), default=0)


def code_span(value: object, in_table: bool = True) -> str:
    s = CONTROL.sub(" ", str(value))
    if len(s) > MAX_SPAN:
        s = s[:MAX_SPAN] + "…"
    if s.strip() == "":
        s = "(empty)"
    fence = "`" * (_longest_backtick_run(s) + 1)
    if in_table:
        s = s.replace("|", "\\|")
    # One space inside each fence, always: CommonMark strips exactly one from each side when both are
    # there, so a name that starts or ends with a backtick or a space still renders as written.
    return f"{fence} {s} {fence}"


def code_block(text: str) -> str:
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", text).rstrip()
    fence = "`" * max(3, _longest_backtick_run(text) + 1)
    return f"{fence}text\n{text}\n{fence}"


def money(x: object) -> str | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        return None
    return f"${x:,.2f}"


def cost_section(cost_path: str) -> list[str]:
    """The monthly estimate of out/<stack>/cost.json (shop-platform/cost@1), if there is a valid one."""
    try:
        with open(cost_path, encoding="utf-8") as f:
            cost = json.load(f)
    except (OSError, ValueError):
        return []
    if not isinstance(cost, dict) or cost.get("format") != "shop-platform/cost@1" or money(cost.get("totalUsd")) is None:
        return []
    pf = cost.get("priceFile") if isinstance(cost.get("priceFile"), dict) else {}
    out = [
        f"**Estimated monthly cost: {money(cost['totalUsd'])}** ({code_span(str(cost.get('region'))[:20], in_table=False)}, "
        f"{code_span(str(cost.get('environment'))[:10], in_table=False)} assumptions, prices read {code_span(str(pf.get('read'))[:10], in_table=False)}; "
        "on-demand list prices, see `out/<stack>/cost.json` in the artifact).",
        "",
        "| component | per month |",
        "|---|---:|",
    ]
    for c in (cost.get("byComponent") or [])[:8]:
        if isinstance(c, dict) and money(c.get("monthlyUsd")) is not None:
            out.append(f"| {code_span(str(c.get('component'))[:60])} | {money(c['monthlyUsd'])} |")
    sav = [x.get("monthlyUsd") for x in (cost.get("savings") or []) if isinstance(x, dict) and money(x.get("monthlyUsd")) is not None]
    if sav:
        out += ["", f"Savings the plan sees: {len(sav)}, {money(sum(sav))}/month in total (listed in the plan's output)."]
    return out + [""]


def summary(resources_path: str, log_path: str | None) -> str:
    with open(resources_path, encoding="utf-8") as f:
        doc = json.load(f)
    if not isinstance(doc, dict) or doc.get("format") != "shop-platform/resources@1" or not isinstance(doc.get("resources"), list):
        raise SystemExit(f"plan-summary: {resources_path} is not a shop-platform/resources@1 file")
    resources = [r for r in doc["resources"] if isinstance(r, dict)]
    custom = [r for r in resources if r.get("custom") is True]
    by_type = collections.Counter(str(r.get("type", "?")) for r in resources)
    out = [
        f"### Offline plan: {code_span(doc.get('project', '?'), in_table=False)} / {code_span(doc.get('stack', '?'), in_table=False)}",
        "",
        f"{len(resources)} resources ({len(custom)} custom, {len(resources) - len(custom)} components).",
        "",
        *cost_section(os.path.join(os.path.dirname(os.path.abspath(resources_path)), "cost.json")),
        "| type | count |",
        "|---|---:|",
    ]
    for t, n in sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0])):
        out.append(f"| {code_span(t)} | {n} |")
    if log_path:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            log = f.read()[-MAX_LOG:]
        out += ["", "<details><summary>policy check</summary>", "", code_block(log), "", "</details>"]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--missing":
        print(f"### {code_span(argv[1], in_table=False)}: no plan was produced (see the run)")
        return 0
    if not 1 <= len(argv) <= 2:
        print("usage: plan_summary.py RESOURCES_JSON [POLICY_CHECK_LOG] | --missing NAME", file=sys.stderr)
        return 2
    print(summary(argv[0], argv[1] if len(argv) > 1 else None))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
