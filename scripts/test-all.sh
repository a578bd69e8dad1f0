#!/usr/bin/env bash
# The README's test command: every suite, then ONE line `N passed, N failed` summing them.
# Each suite script prints `suite <name>: N passed, N failed` (docs/contracts.md §1).
set -uo pipefail
cd "$(dirname "$0")/.."

suites=(scripts/suite-node.sh apps/test.sh monitoring/test.sh scripts/suite-workflows.sh scripts/suite-scanners.sh scripts/suite-conformance.sh drill/test.sh)
total_passed=0; total_failed=0; summary=()
for suite in "${suites[@]}"; do
  echo "=== ${suite}"
  if [ ! -x "$suite" ]; then
    echo "missing or not executable: ${suite}"; summary+=("suite ${suite}: missing"); total_failed=$((total_failed + 1)); continue
  fi
  log=$(mktemp)
  start=$(date +%s)
  "$suite" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  lines=$(grep -E '^suite [^:]+: [0-9]+ passed, [0-9]+ failed' "$log" || true)
  if [ -z "$lines" ]; then
    echo "${suite} printed no suite line (exit ${rc})"; total_failed=$((total_failed + 1)); summary+=("suite ${suite}: no result (exit ${rc})")
  else
    while IFS= read -r line; do
      p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/' <<<"$line")
      f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
      total_passed=$((total_passed + p)); total_failed=$((total_failed + f)); summary+=("$line")
    done <<<"$lines"
    # A suite that failed without counting a failure still fails the run.
    if [ "$rc" -ne 0 ] && ! grep -Eq ': [0-9]+ passed, [1-9][0-9]* failed' <<<"$lines"; then
      total_failed=$((total_failed + 1)); summary+=("suite ${suite}: exited ${rc}")
    fi
  fi
  echo "--- ${suite}: $(( $(date +%s) - start )) s"
  rm -f "$log"
done

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "${total_passed} passed, ${total_failed} failed"
[ "$total_failed" -eq 0 ]
