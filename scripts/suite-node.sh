#!/usr/bin/env bash
# Suite: the Pulumi program, harness, policy pack and offline plan (TypeScript).
# Prints `suite <name>: N passed, N failed` lines (docs/contracts.md §1).
set -uo pipefail
cd "$(dirname "$0")/.."
status=0

if npx --no-install tsc --noEmit; then
  echo "suite typecheck: 1 passed, 0 failed"
else
  echo "suite typecheck: 0 passed, 1 failed"; status=1
fi

if npx --no-install eslint --max-warnings 0 . && npx --no-install prettier --check --log-level warn "**/*.ts"; then
  echo "suite lint-ts: 1 passed, 0 failed"
else
  echo "suite lint-ts: 0 passed, 1 failed"; status=1
fi

log=$(mktemp)
node --import tsx node_modules/mocha/bin/mocha.js --reporter dot 2>&1 | tee "$log"
mocha_rc=${PIPESTATUS[0]}
passed=$(grep -Eo '^ *[0-9]+ passing' "$log" | grep -Eo '[0-9]+' | tail -1)
failed=$(grep -Eo '^ *[0-9]+ failing' "$log" | grep -Eo '[0-9]+' | tail -1)
pending=$(grep -Eo '^ *[0-9]+ pending' "$log" | grep -Eo '[0-9]+' | tail -1)
passed=${passed:-0}; failed=${failed:-0}
# A crash before the summary (or zero tests) is a failure, never a silent pass.
if [ "$mocha_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$passed" -eq 0 ]; then failed=$((failed + 1)); fi
echo "suite mocha: ${passed} passed, ${failed} failed${pending:+, ${pending} skipped}"
[ "$failed" -eq 0 ] || status=1
rm -f "$log"
exit $status
