#!/usr/bin/env bash
# monitoring suite (docs/contracts.md §1). Run from the repository root: bash monitoring/test.sh
#   - promtool check rules monitoring/rules/*.yaml                  (1 check)
#   - promtool test rules, one run per test group                   (1 per group)
#   - python lint/unit tests (monitoring/tests/lint_test.py), which also run
#     amtool check-config + route tests on the rendered Alertmanager template and an inhibition
#     test against a real local Alertmanager (1 per test case)
# Prints `suite monitoring: N passed, N failed`; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0 failed=0
add() { passed=$((passed + $1)); failed=$((failed + $2)); }
counts() { sed -nE "s/^$1: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/p" | tail -1; }

# --- Python with PyYAML: the current python3, Debian's python3-yaml, or a pinned venv ------------
py=""
for cand in python3 /usr/bin/python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import yaml' >/dev/null 2>&1; then py="$cand"; break; fi
done
if [[ -z "$py" ]]; then
  if [[ ! -x monitoring/.venv/bin/python ]]; then
    python3 -m venv monitoring/.venv && monitoring/.venv/bin/pip install -q 'PyYAML==6.0.2'
  fi
  if monitoring/.venv/bin/python -c 'import yaml' >/dev/null 2>&1; then py=monitoring/.venv/bin/python; fi
fi

if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool not found: apt-get install -y prometheus" >&2
  add 0 1
else
  promtool --version 2>&1 | head -1
  echo "== promtool check rules"
  if promtool check rules monitoring/rules/*.yaml; then add 1 0; else add 0 1; fi
fi

if [[ -z "$py" ]]; then
  echo "no python3 with PyYAML available" >&2
  add 0 1
else
  if command -v promtool >/dev/null 2>&1; then
    echo "== promtool test rules (per test group)"
    out="$("$py" monitoring/tools/promtool_groups.py monitoring/tests/*.yaml 2>&1)"; rc=$?
    echo "$out"
    read -r p f <<<"$(counts promtool-tests <<<"$out")"
    if [[ -z "${p:-}" ]]; then add 0 1; else add "$p" "$f"; [[ $rc -ne 0 && $f -eq 0 ]] && add 0 1; fi
  fi
  command -v amtool >/dev/null 2>&1 || echo "NOTE: amtool/alertmanager not installed (apt-get install -y prometheus-alertmanager): those tests are reported as skipped, not passed"
  echo "== python lint tests"
  out="$("$py" monitoring/tests/lint_test.py 2>&1)"; rc=$?
  echo "$out"
  read -r p f <<<"$(counts python <<<"$out")"
  if [[ -z "${p:-}" ]]; then add 0 1; else add "$p" "$f"; [[ $rc -ne 0 && $f -eq 0 ]] && add 0 1; fi
fi

echo "suite monitoring: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
