#!/usr/bin/env python3
"""Checks a Markdown comment body against hostile strings it was built from (helpers-test.sh).

    markdown_safety.py BODY.md PAYLOADS.json

PAYLOADS.json is a list of the strings the fork controlled. The body passes when:
  - outside code spans and fenced code blocks (found the way CommonMark 0.31.2 finds them: a code
    span closes at the next backtick run of the same length; a fence closes at a line of at least as
    many backticks) no payload survives in any recognisable piece: no `<` other than our own
    <details>/<summary>/marker tags, no `@`, no `[`, `](`, `http`, `*`, `_`, `~`, and no payload
    substring of 4+ characters;
  - every table row has exactly its header's cells: splitting on pipes not preceded by a
    backslash gives as many parts as the header row;
  - every payload is still shown: its printable characters appear in order inside some code span or
    block (control and bidi characters become spaces, `|` becomes `\\|`), so escaping lost nothing.
Prints one line per failure; exits 1 on any.
"""

from __future__ import annotations

import json
import re
import sys

# Markup this repository's renderers write themselves (never filled with fork data).
OUR_TAGS = re.compile(
    r"<!-- shop-platform:fork-plan -->|</?details>|</?summary>"
    r"|\*\*BLOCKED: \d+ stateful or protected resource\(s\) would be replaced or deleted:\*\*"
    r"|\*\*Estimated monthly cost: \$[\d,]+\.\d\d\*\*"
    r"|_\d+ more: see the run's artifact\._|_\(the change plan artifact could not be rendered\)_|_\(truncated: see the run\)_"
)


def split_code(body: str) -> tuple[str, list[str]]:
    """(text outside code, list of code contents)."""
    outside: list[str] = []
    code: list[str] = []
    lines = body.split("\n")
    i = 0
    prose: list[str] = []
    while i < len(lines):
        m = re.match(r"^ {0,3}(`{3,})", lines[i])
        if m:
            fence = m.group(1)
            j = i + 1
            block: list[str] = []
            while j < len(lines) and not re.match(r"^ {0,3}" + "`" * len(fence) + r"`*\s*$", lines[j]):
                block.append(lines[j])
                j += 1
            code.append("\n".join(block))
            i = j + 1
            prose.append("")
            continue
        prose.append(lines[i])
        i += 1
    text = "\n".join(prose)
    pos = 0
    while pos < len(text):
        m = re.compile(r"`+").search(text, pos)
        if not m:
            outside.append(text[pos:])
            break
        n = len(m.group(0))
        close = None
        for c in re.compile(r"`+").finditer(text, m.end()):
            if len(c.group(0)) == n:
                close = c
                break
        if close is None:  # a lone backtick run is literal text
            outside.append(text[pos : m.end()])
            pos = m.end()
            continue
        outside.append(text[pos : m.start()])
        code.append(text[m.end() : close.start()])
        pos = close.end()
    return "".join(outside), code


def normalise(s: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[\x00-\x1f\x7f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]", " ", s)).strip()


def main(body_path: str, payloads_path: str) -> int:
    body = open(body_path, encoding="utf-8").read()
    payloads = json.load(open(payloads_path, encoding="utf-8"))
    outside, code = split_code(body)
    problems = []
    bare = OUR_TAGS.sub("", outside)
    for ch in ["<", "@", "[", "](", "http", "*", "_", "~"]:
        # The RUN_URL link and its text are ours: "([run](...))" on the intro line.
        probe = re.sub(r"\(\[run\]\([^)\s]*\)\)", "", bare)
        if ch in probe:
            problems.append(f"{ch!r} outside code: …{probe[max(0, probe.index(ch) - 40): probe.index(ch) + 40]!r}…")
    for p in payloads:
        for piece in re.findall(r"[^\s`|]{4,}", p):
            if piece in bare and piece not in ("plan", "stack"):
                problems.append(f"payload piece {piece!r} outside code")
    lines = body.split("\n")
    expected = None
    for i, line in enumerate(lines):
        if not line.startswith("|"):
            expected = None
            continue
        cells = re.split(r"(?<!\\)\|", line)
        if i + 1 < len(lines) and lines[i + 1].startswith("|-"):
            expected = len(cells)  # a header row: its rows must split the same way
        elif expected is not None and not line.startswith("|-") and len(cells) != expected:
            problems.append(f"table row split into {len(cells)} parts, header has {expected}: {line!r}")
    shown = [normalise(c.replace("\\|", "|")) for c in code]
    for p in payloads:
        want = normalise(p)
        if len(want) > 150:
            want = want[:150]
        if not any(want in s for s in shown):
            problems.append(f"payload not shown verbatim in code: {p!r}")
    for pr in problems:
        print("UNSAFE " + pr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
