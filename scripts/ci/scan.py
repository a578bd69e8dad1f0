#!/usr/bin/env python3
"""Run zizmor and Checkov the way our users' security teams do, and judge every finding against the
one reviewed list of accepted ones (security/exceptions.yaml).

    scan.py --bin DIR --stacks dev,staging,prod --manifests 'out/{stack}/manifests' [--exceptions FILE]
    scan.py --judge FINDINGS.json [--exceptions FILE] [--stacks ...]      (self-tests: judge only)

Scans (each a check, PASS only with no finding outside the exceptions file):
  zizmor      `zizmor --offline --no-ignores --no-config --persona regular --format json .github`:
              every workflow and .github/dependabot.yml at the default persona; inline
              `# zizmor: ignore` comments and a zizmor.yml are ignored on purpose, so the exceptions
              file stays the only place a finding can be accepted
  checkov manifests:<stack>
              `checkov --framework kubernetes -d <manifests of the stack>` for every stack
  checkov dockerfiles
              `checkov --framework dockerfile` over apps/*/Dockerfile
  checkov workflows
              `checkov --framework github_actions -d .github`
  hadolint    `hadolint --format json --no-fail` over apps/*/Dockerfile with every rule (an explicit
              config with `ignored: []`, so no .hadolint.yaml can switch rules off); an inline
              `# hadolint ignore=` comment is itself reported as a finding (inline-ignore)
Checkov runs with --skip-download (no network) and without any skip list; findings Checkov reports
as skipped (an in-file `checkov:skip` or `checkov.io/skip` annotation) count like failed ones.
Then two more checks:
  exceptions  every entry has tool, id, where (or resource), why and a doc reference that exists
  not-stale   every entry still matches a finding (in each stack it names): a fixed finding must
              leave the list
Prints PASS/FAIL lines, then `checks: N passed, N failed`; exits 1 on any failure.

Finding identity (stable across runs, unlike line numbers):
  zizmor   id + where = "<file> <route>", the route being the YAML path zizmor reports, e.g.
           ".github/workflows/deploy.yml jobs.dev"
  hadolint id + where = "<Dockerfile path> <rule code>"
  checkov  id + resource = Checkov's "Kind.namespace.name", with content hashes in generated names
           (one or more hex segments of 6+ characters) written as <hash> and the credentials
           generation suffix as g<n>
           (Job.shop.storefront-migrate-<hash>, Job.data.postgres-bootstrap-<hash>-g<n>)
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

HASH = re.compile(r"(?:-[0-9a-f]{6,}(?=-|$))+")  # one or more content-hash segments in a row
GEN = re.compile(r"-g\d+$")


def norm_resource(resource: str) -> str:
    return GEN.sub("-g<n>", HASH.sub("-<hash>", resource))


def run_json(cmd: list[str], env: dict | None = None) -> tuple[object, str]:
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    try:
        return json.loads(p.stdout), p.stderr
    except json.JSONDecodeError:
        return None, f"exit {p.returncode}: {p.stderr[-2000:]} {p.stdout[-2000:]}"


def zizmor_findings(binary: str, root: str) -> tuple[list[dict], str | None]:
    data, err = run_json([binary, "--offline", "--no-ignores", "--no-config", "--persona", "regular", "--format", "json", "--no-progress", os.path.join(root, ".github")])
    if not isinstance(data, list):
        return [], f"zizmor produced no JSON: {err}"
    out = []
    for f in data:
        loc = next((l for l in f.get("locations", []) if l["symbolic"].get("kind") == "Primary"), f["locations"][0])
        key = loc["symbolic"]["key"].get("Local", {})
        path = key.get("given_path") or key.get("verbatim_path") or "?"
        path = os.path.normpath(os.path.relpath(path, root) if os.path.isabs(path) else path)
        route = ".".join(str(list(step.values())[0]) for step in loc["symbolic"]["route"]["route"][:2])
        line = loc["concrete"]["location"]["start_point"]["row"] + 1
        out.append({"tool": "zizmor", "target": "zizmor", "id": f["ident"], "where": f"{path} {route}", "detail": f"{path}:{line} {f['desc']}"})
    return out, None


def checkov_findings(binary: str, target: str, args: list[str], root: str) -> tuple[list[dict], str | None]:
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE", CHECKOV_RUN_SCA_PACKAGE_SCAN_V2="false", LOG_LEVEL="ERROR")
    data, err = run_json([binary, "--skip-download", "--quiet", "-o", "json", *args], env=env)
    if data is None:
        return [], f"checkov produced no JSON: {err}"
    reports = data if isinstance(data, list) else [data]
    out = []
    for r in reports:
        if not isinstance(r, dict) or "results" not in r:
            # `{"passed": 0, "failed": 0, ...}` alone: nothing was scanned, which is an error here.
            return [], f"checkov scanned nothing for {target}: {json.dumps(r)[:300]}"
        summary = r.get("summary", {})
        if summary.get("parsing_errors"):
            return [], f"checkov could not parse {summary.get('parsing_errors')} file(s) of {target}: {r['results'].get('parsing_errors')}"
        for kind in ("failed_checks", "skipped_checks"):
            for f in r["results"].get(kind, []):
                out.append({"tool": "checkov", "target": target, "id": f["check_id"], "resource": norm_resource(f["resource"]),
                            "detail": f"{f.get('file_path')} {f['check_name']}" + (" (suppressed in the file)" if kind == "skipped_checks" else "")})
    return out, None


def hadolint_findings(binary: str, root: str) -> tuple[list[dict], str | None]:
    files = sorted(glob.glob(os.path.join(root, "apps", "*", "Dockerfile")))
    if not files:
        return [], "no apps/*/Dockerfile"
    # An explicit config that ignores nothing, so no .hadolint.yaml anywhere can switch rules off.
    config = os.path.join(tempfile.mkdtemp(), "hadolint.yaml")
    with open(config, "w", encoding="utf-8") as f:
        f.write("ignored: []\n")
    out = []
    for path in files:
        rel = os.path.relpath(path, root)
        if re.search(r"#\s*hadolint\s+ignore", open(path, encoding="utf-8").read()):
            out.append({"tool": "hadolint", "target": "hadolint", "id": "inline-ignore", "where": f"{rel} inline-ignore", "detail": "an inline `# hadolint ignore=` comment: use security/exceptions.yaml"})
        data, err = run_json([binary, "--config", config, "--no-fail", "--format", "json", path])
        if not isinstance(data, list):
            return [], f"hadolint produced no JSON for {rel}: {err}"
        for f in data:
            out.append({"tool": "hadolint", "target": "hadolint", "id": f["code"], "where": f"{rel} {f['code']}", "detail": f"{rel}:{f.get('line')} {f.get('message')}"})
    return out, None


def load_exceptions(path: str, root: str) -> tuple[list[dict], list[str]]:
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f) or {}
    entries = doc.get("exceptions") or []
    problems = []
    for i, e in enumerate(entries):
        label = f"exception {i + 1} ({e.get('tool')} {e.get('id')})"
        for key in ("tool", "id", "why", "doc"):
            if not str(e.get(key, "")).strip():
                problems.append(f"{label}: no {key}")
        if e.get("tool") in ("zizmor", "hadolint") and not e.get("where"):
            problems.append(f"{label}: no where (file and route)")
        if e.get("tool") == "checkov" and not (e.get("resource") and e.get("target")):
            problems.append(f"{label}: needs target and resource")
        if e.get("tool") not in ("zizmor", "checkov", "hadolint"):
            problems.append(f"{label}: unknown tool")
        ref = str(e.get("doc", ""))
        file, _, anchor = ref.partition("#")
        if file:
            fp = os.path.join(root, file)
            if not os.path.isfile(fp):
                problems.append(f"{label}: doc {file} does not exist")
            elif anchor:
                slugs = {slug(h) for h in re.findall(r"^#+\s+(.*)$", open(fp, encoding="utf-8").read(), re.M)}
                if anchor not in slugs:
                    problems.append(f"{label}: {file} has no heading #{anchor}")
    return entries, problems


def slug(heading: str) -> str:
    """GitHub's heading anchor: lower case, spaces to '-', punctuation other than '-' and '_' dropped."""
    s = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return s.replace(" ", "-")


def matches(e: dict, f: dict) -> bool:
    if e.get("tool") != f["tool"] or e.get("id") != f["id"]:
        return False
    if f["tool"] in ("zizmor", "hadolint"):
        return e.get("where") == f["where"]
    target = f["target"].split(":")[0]
    if e.get("target") != target or e.get("resource") != f["resource"]:
        return False
    if target == "manifests":
        return f["target"].split(":")[1] in (e.get("stacks") or [f["target"].split(":")[1]])
    return True


def judge(findings: list[dict], targets: list[str], entries: list[dict], stacks: list[str]) -> list[tuple[str, list[str]]]:
    checks = []
    for t in targets:
        bad = [f for f in findings if f["target"] == t and not any(matches(e, f) for e in entries)]
        checks.append((t, [f"{f['id']} {f.get('where') or f.get('resource')} [{f['detail']}]" for f in bad]))
    stale = []
    for e in entries:
        if e.get("tool") == "checkov" and e.get("target") == "manifests":
            for s in e.get("stacks") or stacks:
                if not any(matches(e, f) for f in findings if f["target"] == f"manifests:{s}"):
                    stale.append(f"{e['id']} {e.get('resource')} in stack {s}")
        elif not any(matches(e, f) for f in findings):
            stale.append(f"{e.get('tool')} {e.get('id')} {e.get('where') or e.get('resource')}")
    checks.append(("not-stale", stale))
    return checks


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=".")
    ap.add_argument("--bin", help="directory holding zizmor and checkov")
    ap.add_argument("--stacks", default="dev,staging,prod")
    ap.add_argument("--manifests", default="out/{stack}/manifests")
    ap.add_argument("--exceptions", default="security/exceptions.yaml")
    ap.add_argument("--judge", help="judge these normalised findings instead of running the scanners")
    ap.add_argument("--dump", help="write the normalised findings here")
    a = ap.parse_args(argv)
    stacks = [s for s in a.stacks.split(",") if s]
    entries, eproblems = load_exceptions(a.exceptions, a.root)

    errors: list[tuple[str, str]] = []
    targets = ["zizmor", *[f"manifests:{s}" for s in stacks], "dockerfiles", "workflows", "hadolint"]
    if a.judge:
        with open(a.judge, encoding="utf-8") as f:
            doc = json.load(f)
        findings, targets = doc["findings"], doc["targets"]
    else:
        findings = []
        z, err = zizmor_findings(os.path.join(a.bin, "zizmor"), a.root)
        findings += z
        if err:
            errors.append(("zizmor", err))
        ck = os.path.join(a.bin, "checkov")
        for s in stacks:
            d = a.manifests.format(stack=s)
            if not glob.glob(os.path.join(d, "*.yaml")):
                errors.append((f"manifests:{s}", f"no manifests in {d}"))
                continue
            fs, err = checkov_findings(ck, f"manifests:{s}", ["--framework", "kubernetes", "-d", d], a.root)
            findings += fs
            if err:
                errors.append((f"manifests:{s}", err))
        dockerfiles = sorted(glob.glob(os.path.join(a.root, "apps", "*", "Dockerfile")))
        args = ["--framework", "dockerfile"] + [x for d in dockerfiles for x in ("-f", d)]
        fs, err = checkov_findings(ck, "dockerfiles", args, a.root)
        findings += fs
        if err:
            errors.append(("dockerfiles", err))
        fs, err = checkov_findings(ck, "workflows", ["--framework", "github_actions", "-d", os.path.join(a.root, ".github")], a.root)
        findings += fs
        if err:
            errors.append(("workflows", err))
        fs, err = hadolint_findings(os.path.join(a.bin, "hadolint"), a.root)
        findings += fs
        if err:
            errors.append(("hadolint", err))
        if a.dump:
            with open(a.dump, "w", encoding="utf-8") as f:
                json.dump({"targets": targets, "findings": findings}, f, indent=1)

    checks = judge(findings, targets, entries, stacks)
    checks.insert(0, ("exceptions", eproblems))
    failed = 0
    for name, problems in checks:
        errs = [e for t, e in errors if t == name]
        if problems or errs:
            failed += 1
            print(f"FAIL {name}: " + "; ".join(errs + [f"not in security/exceptions.yaml: {p}" if name not in ("exceptions", "not-stale") else p for p in problems]))
        else:
            n = sum(1 for f in findings if f["target"] == name)
            print(f"PASS {name}" + (f" ({n} accepted finding(s))" if n else ""))
    print(f"checks: {len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
