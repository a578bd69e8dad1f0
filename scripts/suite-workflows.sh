#!/usr/bin/env bash
# Suite "workflows" (docs/contracts.md §1): static checks of .github/ and behaviour tests of
# the scripts the workflows call. Nothing here reaches GitHub or AWS.
#
#   - actionlint (pinned, installed with `go install` into a cache dir when missing) on every
#     .github/workflows/*.yml; with shellcheck on PATH it also checks every `run:` script;
#   - scripts/ci/check-workflows.py: SHA pinning with version comments, per-job permissions,
#     no secrets expanded in `run:`, no cancel-in-progress in the deploy workflows;
#   - scripts/ci/check-access.py: no job triggered by pull_request, pull_request_target or
#     workflow_run (and no code on a branch at all) can reach a role that decrypts prod's stack key
#     without an approval-gated environment (workflows + security/access + Pulumi.<stack>.yaml), and
#     scripts/ci/test/access-test.sh: the same check against broken copies of those files;
#   - .github/dependabot.yml covers every ecosystem and directory, each with a cooldown;
#   - shellcheck on scripts/ci/*.sh, the test scripts and this script;
#   - scripts/ci/test/helpers-test.sh (checker self-tests, smoke/record/push/notify helpers
#     against loopback stubs).
# Prints `suite workflows: N passed, N failed`; exits 1 when anything failed or could not run.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

ACTIONLINT_VERSION="v1.7.12"
BIN_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/shop-platform/bin"
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "PASS $1"; }
ko() { failed=$((failed + 1)); echo "FAIL $1"; }
finish() {
  echo "suite workflows: $passed passed, $failed failed"
  ((failed == 0))
  exit $?
}

# --- tools ------------------------------------------------------------------------------------
actionlint="$BIN_DIR/actionlint"
if [[ "$("$actionlint" -version 2>/dev/null | head -n1)" != "$ACTIONLINT_VERSION" ]]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "suite-workflows: go is needed to install actionlint $ACTIONLINT_VERSION" >&2
    ko "install actionlint"
    finish
  fi
  mkdir -p "$BIN_DIR"
  echo "installing actionlint $ACTIONLINT_VERSION into $BIN_DIR"
  if ! GOBIN="$BIN_DIR" GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"; then
    ko "install actionlint"
    finish
  fi
fi
echo "actionlint $("$actionlint" -version | head -n1)"

if ! command -v shellcheck >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  sudo_cmd=""
  [[ "$(id -u)" -ne 0 ]] && sudo_cmd="sudo -n"
  echo "installing shellcheck (Debian package)"
  $sudo_cmd apt-get install -y -q shellcheck >/dev/null 2>&1 ||
    { $sudo_cmd apt-get update -q >/dev/null 2>&1 && $sudo_cmd apt-get install -y -q shellcheck >/dev/null 2>&1; } || true
fi
if command -v shellcheck >/dev/null 2>&1; then
  have_shellcheck=1
  echo "shellcheck $(shellcheck --version | sed -n 's/^version: //p')"
else
  have_shellcheck=0
  echo "WARNING: shellcheck not available: run: scripts and scripts/ci are not shell-checked" >&2
fi

# --- actionlint, one check per workflow ---------------------------------------------------------
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
if ((${#workflows[@]} == 0)); then
  ko "no workflow files in .github/workflows"
  finish
fi
for wf in "${workflows[@]}"; do
  if "$actionlint" -no-color "$wf"; then ok "actionlint $wf"; else ko "actionlint $wf"; fi
done

# --- repository rules (pinning, permissions, secrets, deploy cancellation) ------------------
out="$(python3 scripts/ci/check-workflows.py "${workflows[@]}")"
echo "$out"
if [[ "$(tail -n1 <<<"$out")" =~ ^checks:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
  passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2]))
else
  ko "check-workflows.py did not report"
fi

# --- who can reach prod's stack key (needs PyYAML) -------------------------------------------
py=""
for cand in python3 /usr/bin/python3; do
  if "$cand" -c 'import yaml' >/dev/null 2>&1; then py="$cand"; break; fi
done
if [[ -z "$py" ]] && command -v apt-get >/dev/null 2>&1; then
  sudo_cmd=""
  [[ "$(id -u)" -ne 0 ]] && sudo_cmd="sudo -n"
  echo "installing python3-yaml (Debian package)"
  $sudo_cmd apt-get install -y -q python3-yaml >/dev/null 2>&1 ||
    { $sudo_cmd apt-get update -q >/dev/null 2>&1 && $sudo_cmd apt-get install -y -q python3-yaml >/dev/null 2>&1; } || true
  /usr/bin/python3 -c 'import yaml' >/dev/null 2>&1 && py=/usr/bin/python3
fi
if [[ -z "$py" ]]; then
  ko "check-access: no Python with PyYAML"
else
  out="$("$py" scripts/ci/check-access.py --table)"
  echo "$out"
  if [[ "$(tail -n1 <<<"$out")" =~ ^checks:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2]))
  else
    ko "check-access.py did not report"
  fi
  out="$(bash scripts/ci/test/access-test.sh "$py" 2>&1)"
  echo "$out"
  if [[ "$(tail -n1 <<<"$out")" =~ ^access:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2]))
  else
    ko "access-test.sh did not report"
  fi
fi

# --- dependabot covers every manifest -----------------------------------------------------------
dep=.github/dependabot.yml
missing=""
for want in "package-ecosystem: npm" '"/policy"' "package-ecosystem: pip" "/apps/storefront" \
  "package-ecosystem: gomod" "/apps/catalog" "package-ecosystem: docker" "package-ecosystem: docker-compose" \
  "package-ecosystem: github-actions"; do
  grep -qF -- "$want" "$dep" 2>/dev/null || missing+=" [$want]"
done
if [[ -z "$missing" ]] && grep -q '^version: 2$' "$dep"; then ok "dependabot ecosystems"; else ko "dependabot ecosystems: missing$missing"; fi
# Every update entry waits 7 days for new releases (zizmor's dependabot-cooldown in suite-scanners
# checks the same with the real parser; this keeps the rule visible without the scanner venv).
entries="$(grep -c '^  - package-ecosystem:' "$dep")"
cooldowns="$(grep -c '^      default-days: [7-9]$\|^      default-days: [1-9][0-9]$' "$dep")"
if ((entries > 0 && entries == cooldowns)); then ok "dependabot cooldown on all $entries entries"; else ko "dependabot cooldown: $cooldowns of $entries entries have default-days >= 7"; fi

# --- shellcheck on the scripts the workflows call ---------------------------------------------
if ((have_shellcheck)); then
  for sh in scripts/ci/*.sh scripts/ci/test/*.sh scripts/ci/test/fake-* scripts/suite-workflows.sh scripts/suite-scanners.sh scripts/refresh-digests.sh; do
    if shellcheck -x "$sh"; then ok "shellcheck $sh"; else ko "shellcheck $sh"; fi
  done
fi

# --- behaviour tests of the helpers -----------------------------------------------------------
out="$(bash scripts/ci/test/helpers-test.sh 2>&1)"
echo "$out"
if [[ "$(tail -n1 <<<"$out")" =~ ^helpers:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
  passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2]))
else
  ko "helpers-test.sh did not report"
fi

finish
