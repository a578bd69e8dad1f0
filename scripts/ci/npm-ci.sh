#!/usr/bin/env bash
# `npm ci` for the Pulumi program (repository root) and, when it has its own lockfile, for the
# policy pack (policy/): pulumi/actions runs the Automation API and loads `policyPacks: policy`
# from disk, so both need their node_modules.
set -euo pipefail
npm ci --no-audit --no-fund
if [[ -f policy/package-lock.json ]]; then
  npm ci --no-audit --no-fund --prefix policy
fi
