#!/usr/bin/env bash
# apps suite script (docs/contracts.md §1): run from the repository root, no arguments.
# Runs ruff + pytest (storefront), go vet + gofmt + staticcheck + go test (catalog) and the packaging checks, each against
# real PostgreSQL 15 and Redis servers that the tests start themselves on free loopback ports.
# Prints one "suite <name>: N passed, N failed" line per suite; exits non-zero on any failure.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
APPS="$ROOT/apps"
SF="$APPS/storefront"
CAT="$APPS/catalog"
SERVERS="$APPS/testing/servers.sh"

# A world-traversable scratch dir: PostgreSQL runs as an unprivileged user when we are root.
SHOP_TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/shop-apps-test.XXXXXX")
chmod 755 "$SHOP_TEST_TMP"
export SHOP_TEST_TMP
cleanup() {
  # Stop any server a crashed test left behind (only those under our own scratch dir).
  for pid in "$SHOP_TEST_TMP"/*/data/postmaster.pid; do
    [ -f "$pid" ] && "$SERVERS" pg-stop "$(dirname "$(dirname "$pid")")" >/dev/null 2>&1
  done
  for pid in "$SHOP_TEST_TMP"/*/redis.pid; do
    [ -f "$pid" ] && "$SERVERS" redis-stop "$(dirname "$pid")" >/dev/null 2>&1
  done
  rm -rf "$SHOP_TEST_TMP"
}
trap cleanup EXIT

status=0
report() { # name passed failed
  echo "suite $1: $2 passed, $3 failed"
  if [ "$3" != 0 ] || [ "$2" = 0 ]; then status=1; fi
}

for tool in redis-server /usr/lib/postgresql/15/bin/initdb go; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "apps/test.sh: missing $tool (the postgresql-15, redis-server packages and Go are needed)" >&2
    report storefront 0 1; report catalog 0 1; exit 1
  fi
done

echo "== deps (t=${SECONDS}s)"
if ! make -s -C "$APPS" deps; then
  echo "apps/test.sh: make -C apps deps failed" >&2
  report storefront 0 1; report catalog 0 1; exit 1
fi
PY="$SF/.venv/bin/python"

# ---- storefront ------------------------------------------------------------------------------
echo "== storefront: ruff check (t=${SECONDS}s)"
if (cd "$SF" && .venv/bin/ruff check .); then report storefront-lint 1 0; else report storefront-lint 0 1; fi

echo "== storefront: pytest (t=${SECONDS}s)"
junit="$SHOP_TEST_TMP/storefront-junit.xml"
(cd "$SF" && timeout 600 .venv/bin/pytest -q -p no:cacheprovider --junitxml="$junit" tests)
rc=$?
counts=$("$PY" - "$junit" <<'PYEOF'
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception:
    print("0 0 0"); sys.exit()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
t = sum(int(s.get("tests", 0)) for s in suites)
f = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
sk = sum(int(s.get("skipped", 0)) for s in suites)
print(t - f - sk, f, sk)
PYEOF
)
read -r passed failed skipped <<<"$counts"
if [ "$rc" = 5 ] || [ "$passed" = 0 ]; then echo "storefront: no tests ran (pytest exit $rc)" >&2; failed=$((failed + 1)); fi
if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
[ "$skipped" != 0 ] && echo "storefront: $skipped skipped (counted as not passed)"
report storefront "$passed" "$failed"

# ---- catalog ---------------------------------------------------------------------------------
echo "== catalog: go vet, gofmt, staticcheck (t=${SECONDS}s)"
if make -s -C "$CAT" lint; then report catalog-lint 1 0; else report catalog-lint 0 1; fi

echo "== catalog: go test (t=${SECONDS}s)"
gojson="$SHOP_TEST_TMP/catalog-test.json"
(cd "$CAT" && timeout 600 go test -json -count=1 ./... >"$gojson" 2>"$SHOP_TEST_TMP/catalog-test.err")
rc=$?
counts=$("$PY" - "$gojson" <<'PYEOF'
import json, sys
passed = failed = skipped = 0
pkg_fail = False
for line in open(sys.argv[1], errors="replace"):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    a, test = e.get("Action"), e.get("Test")
    if a == "output" and test is None:
        out = e.get("Output", "")
        if out.startswith(("FAIL", "ok", "---", "panic")) or "[build failed]" in out or "timed out" in out:
            sys.stdout.write  # keep quiet; full output is printed by the shell below on failure
    if not test:
        if a == "fail":
            pkg_fail = True
        continue
    if a == "pass": passed += 1
    elif a == "fail": failed += 1
    elif a == "skip": skipped += 1
if pkg_fail and failed == 0:
    failed = 1
print(passed, failed, skipped)
PYEOF
)
read -r passed failed skipped <<<"$counts"
if [ "$rc" != 0 ] || [ "$failed" != 0 ]; then
  # show what failed: test output lines of failing tests and build errors
  "$PY" - "$gojson" <<'PYEOF'
import json, sys
for line in open(sys.argv[1], errors="replace"):
    try: e = json.loads(line)
    except ValueError: print(line, end=""); continue
    if e.get("Action") == "output": print(e.get("Output", ""), end="")
PYEOF
  cat "$SHOP_TEST_TMP/catalog-test.err" >&2
fi
if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
[ "$skipped" != 0 ] && echo "catalog: $skipped skipped (counted as not passed)"
echo "catalog: go test -json counted $passed passed, $failed failed (subtests counted individually)"
report catalog "$passed" "$failed"

# ---- packaging (Dockerfiles, compose.yaml) -----------------------------------------------------
if [ -d "$APPS/tests" ]; then
  echo "== packaging checks"
  junit="$SHOP_TEST_TMP/packaging-junit.xml"
  (cd "$APPS" && "$SF/.venv/bin/pytest" -q -p no:cacheprovider --junitxml="$junit" tests)
  rc=$?
  counts=$("$PY" -c '
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot(); s = [r] if r.tag == "testsuite" else r.findall("testsuite")
t = sum(int(x.get("tests", 0)) for x in s); f = sum(int(x.get("failures", 0)) + int(x.get("errors", 0)) for x in s)
print(t - f - sum(int(x.get("skipped", 0)) for x in s), f)' "$junit" 2>/dev/null || echo "0 1")
  read -r passed failed <<<"$counts"
  if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
  report apps-packaging "$passed" "$failed"
fi

exit $status
