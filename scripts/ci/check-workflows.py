#!/usr/bin/env python3
"""Repository rules for GitHub Actions workflows that actionlint does not check.

    check-workflows.py [WORKFLOW.yml ...]      (default: .github/workflows/*.yml)

For every file, counted as separate checks:
  pinned       every `uses:` that is not a local `./` path is `owner/repo[/path]@<40 hex>`
               followed by a `# vX.Y.Z` comment (`docker://` images need an @sha256 digest)
  permissions  a top-level `permissions:` and a `permissions:` in every job
  no-secret-in-run
               no `${{ secrets.* }}` expanded inside a `run:` script (pass secrets via `env:`,
               so they are masked and never end up in a script file or a command line)
  no-secrets-inherit
               no `secrets: inherit`: a reusable workflow gets exactly the secrets it declares
               in `on.workflow_call.secrets`, passed by name
  no-passphrase
               no PULUMI_CONFIG_PASSPHRASE: stack secrets use one awskms:// key per stack, reached
               through the job's OIDC role (a passphrase secret would be shared by every job that
               can read it; scripts/ci/check-access.py proves who can reach which key)
and for deploy.yml / _deploy.yml (files whose name contains "deploy"):
  no-cancel-deploy
               every `cancel-in-progress:` is literally `false` (an interrupted `pulumi up`
               leaves a locked stack and half-applied changes)

Prints `PASS <check> <file>` or `FAIL <check> <file>: <why>` per check, then
`checks: N passed, N failed`; exits 1 when any check failed. Standard library only: the
parser is line based and relies on block-style YAML (which actionlint accepts as well).
"""

from __future__ import annotations

import glob
import os
import re
import sys

SHA_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[^@\s]+)?@[0-9a-f]{40}$")
VERSION_COMMENT_RE = re.compile(r"#\s*v\d+\.\d+\.\d+\b")
USES_RE = re.compile(r"^\s*(?:-\s+)?uses:\s*(['\"]?)([^'\"#\s]+)\1\s*(#.*)?$")
KEY_RE = re.compile(r"^(\s*)([A-Za-z0-9_-]+):(.*)$")
RUN_RE = re.compile(r"^(\s*)(?:-\s+)?run:\s*(.*)$")


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def meaningful(line: str) -> bool:
    s = line.strip()
    return bool(s) and not s.startswith("#")


def check_pinned(lines: list[str]) -> list[str]:
    problems = []
    for n, line in enumerate(lines, 1):
        m = USES_RE.match(line)
        if not m:
            continue
        ref, comment = m.group(2), m.group(3) or ""
        if ref.startswith("./"):
            continue
        if ref.startswith("docker://"):
            if "@sha256:" not in ref:
                problems.append(f"line {n}: docker image without @sha256 digest: {ref}")
            continue
        if not SHA_RE.match(ref):
            problems.append(f"line {n}: not pinned to a 40-hex commit SHA: {ref}")
        elif not VERSION_COMMENT_RE.search(comment):
            problems.append(f"line {n}: pinned SHA without a '# vX.Y.Z' comment: {ref}")
    return problems


def jobs_blocks(lines: list[str]) -> dict[str, list[str]]:
    """Map job id -> the lines of its block (block-style YAML)."""
    start = next((i for i, l in enumerate(lines) if re.match(r"^jobs:\s*(#.*)?$", l)), None)
    if start is None:
        return {}
    jobs: dict[str, list[str]] = {}
    job_indent = None
    current = None
    for line in lines[start + 1:]:
        if not meaningful(line):
            continue
        ind = indent_of(line)
        if ind == 0:
            break  # next top-level key
        if job_indent is None:
            job_indent = ind
        if ind == job_indent:
            m = KEY_RE.match(line)
            current = m.group(2) if m else None
            if current:
                jobs[current] = []
        elif current is not None:
            jobs[current].append(line)
    return jobs


def check_permissions(lines: list[str]) -> list[str]:
    problems = []
    if not any(re.match(r"^permissions:", l) for l in lines):
        problems.append("no top-level permissions:")
    jobs = jobs_blocks(lines)
    if not jobs:
        problems.append("no jobs found")
    for job, body in jobs.items():
        body = [l for l in body if meaningful(l)]
        if not body:
            problems.append(f"job {job}: empty")
            continue
        prop_indent = min(indent_of(l) for l in body)
        if not any(indent_of(l) == prop_indent and re.match(r"^\s*permissions:", l) for l in body):
            problems.append(f"job {job}: no permissions:")
    return problems


def check_no_secret_in_run(lines: list[str]) -> list[str]:
    problems = []
    i = 0
    while i < len(lines):
        m = RUN_RE.match(lines[i])
        if not m:
            i += 1
            continue
        key_indent = indent_of(lines[i])
        script = [(i + 1, m.group(2))]
        j = i + 1
        if m.group(2).strip()[:1] in ("|", ">"):
            while j < len(lines) and (not lines[j].strip() or indent_of(lines[j]) > key_indent):
                script.append((j + 1, lines[j]))
                j += 1
        for n, text in script:
            if re.search(r"\$\{\{[^}]*\bsecrets\.", text):
                problems.append(f"line {n}: secrets expanded inside run:")
        i = j if j > i + 1 else i + 1
    return problems


def check_no_cancel(lines: list[str]) -> list[str]:
    problems = []
    for n, line in enumerate(lines, 1):
        m = re.match(r"^\s*cancel-in-progress:\s*(.*?)\s*(#.*)?$", line)
        if m and m.group(1) != "false":
            problems.append(f"line {n}: cancel-in-progress is '{m.group(1)}', must be false")
        m = re.search(r"concurrency:\s*\{(.*)\}", line)
        if m and "cancel-in-progress: false" not in m.group(1) and "cancel-in-progress" in m.group(1):
            problems.append(f"line {n}: inline concurrency with cancel-in-progress not false")
    return problems


def check_no_secrets_inherit(lines: list[str]) -> list[str]:
    return [f"line {n}: secrets: inherit" for n, line in enumerate(lines, 1)
            if re.match(r"^\s*secrets:\s*inherit\s*(#.*)?$", line)]


def check_no_passphrase(lines: list[str]) -> list[str]:
    return [f"line {n}: PULUMI_CONFIG_PASSPHRASE" for n, line in enumerate(lines, 1)
            if "PULUMI_CONFIG_PASSPHRASE" in line and not line.lstrip().startswith("#")]


def main(argv: list[str]) -> int:
    files = argv or sorted(glob.glob(".github/workflows/*.yml") + glob.glob(".github/workflows/*.yaml"))
    if not files:
        print("FAIL files: no workflow files found")
        print("checks: 0 passed, 1 failed")
        return 1
    passed = failed = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        checks = [
            ("pinned", check_pinned),
            ("permissions", check_permissions),
            ("no-secret-in-run", check_no_secret_in_run),
            ("no-secrets-inherit", check_no_secrets_inherit),
            ("no-passphrase", check_no_passphrase),
        ]
        if "deploy" in os.path.basename(path):
            checks.append(("no-cancel-deploy", check_no_cancel))
        for name, fn in checks:
            problems = fn(lines)
            if problems:
                failed += 1
                print(f"FAIL {name} {path}: " + "; ".join(problems))
            else:
                passed += 1
                print(f"PASS {name} {path}")
    print(f"checks: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
