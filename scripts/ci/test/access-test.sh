#!/usr/bin/env bash
# The fixture edits are Python expressions holding literal ${Repo} and ${{ ... }} text.
# shellcheck disable=SC2016
# Behaviour tests of scripts/ci/check-access.py: the repository's own workflows, access model and
# stack files must pass; each way of opening a path from a pull request to prod's key must fail the
# check that guards it. Every case copies the real files into a scratch dir and breaks one thing.
#
#   access-test.sh [PYTHON]     PYTHON: an interpreter with PyYAML (default python3)
# Prints PASS/FAIL per case and `access: N passed, N failed`.
set -uo pipefail

py="${1:-python3}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "PASS $1"; }
ko() { failed=$((failed + 1)); echo "FAIL $1${2:+: $2}"; }

fixture() { # name -> prints the fixture dir (a copy of the real inputs)
  local d="$tmp/$1"
  mkdir -p "$d/workflows" "$d/stacks"
  cp "$root"/.github/workflows/*.yml "$d/workflows/"
  cp -r "$root/security/access" "$d/access"
  cp "$root"/Pulumi.*.yaml "$d/stacks/"
  echo "$d"
}
run() { "$py" "$root/scripts/ci/check-access.py" --workflows "$1/workflows" --access "$1/access" --stacks "$1/stacks"; }
expect_fail() { # name check dir
  local out rc
  out="$(run "$3" 2>&1)"
  rc=$?
  if [[ $rc -ne 0 ]] && grep -q "^FAIL $2" <<<"$out"; then ok "check-access rejects $1"; else ko "check-access rejects $1" "$out"; fi
}
edit() { # file python-expression-on-s
  "$py" - "$1" "$2" <<'PY'
import sys, pathlib
p = pathlib.Path(sys.argv[1]); s = p.read_text()
new = eval(sys.argv[2], {"s": s})
assert new != s, "fixture edit changed nothing"
p.write_text(new)
PY
}

# The repository as it is.
d="$(fixture real)"
if out="$(run "$d" 2>&1)" && grep -q "checks: 3 passed, 0 failed" <<<"$out"; then ok "check-access accepts the repository"
else ko "check-access accepts the repository" "$out"; fi

# 1. prod's preview role trusts the pull_request subject: every same-repo branch could decrypt prod.
d="$(fixture preview-prod-trusts-pr)"
edit "$d/access/iam/gha-preview-prod.trust.json" 's.replace(":environment:prod-preview", ":pull_request")'
expect_fail "a prod role trusting pull_request (workflow jobs)" pr-jobs "$d"
expect_fail "a prod role trusting pull_request (any branch code)" any-branch-code "$d"

# 2. prod-preview loses its required reviewers.
d="$(fixture prod-preview-ungated)"
edit "$d/access/github-environments.json" 's.replace("\"requiredReviewers\": true,\n      \"preventSelfReview\": true,\n      \"deploymentBranches\": \"all\"", "\"requiredReviewers\": false,\n      \"deploymentBranches\": \"all\"")'
expect_fail "prod-preview without required reviewers" any-branch-code "$d"
expect_fail "the prod preview job in an ungated environment" pr-jobs "$d"

# 3. prod's key policy hands Decrypt to the account (any IAM policy could then grant it).
d="$(fixture key-root)"
edit "$d/access/kms/shop-prod-pulumi.key-policy.json" 's.replace("role/gha-preview-prod", "root")'
expect_fail "Decrypt for the account root in prod's key policy" model "$d"

# 4. a wildcard subject on the prod deploy role.
d="$(fixture wildcard-sub)"
edit "$d/access/iam/gha-deploy-prod.trust.json" 's.replace("StringEquals\": {", "StringLike\": {\"token.actions.githubusercontent.com:sub\": \"repo:${Repo}:*\"}, \"StringEquals\": {").replace(",\n          \"token.actions.githubusercontent.com:sub\": \"repo:${Repo}:environment:prod\"", "")'
expect_fail "a wildcard sub on the prod deploy role" model "$d"
expect_fail "a wildcard sub on the prod deploy role (any branch code)" any-branch-code "$d"

# 5. prod reuses staging's key, or goes back to a passphrase.
d="$(fixture shared-key)"
edit "$d/stacks/Pulumi.prod.yaml" 's.replace("alias/shop-prod-pulumi", "alias/shop-staging-pulumi")'
expect_fail "prod using staging's key" model "$d"
d="$(fixture passphrase)"
edit "$d/stacks/Pulumi.prod.yaml" 's.replace("secretsprovider: awskms://alias/shop-prod-pulumi?region=eu-west-1", "encryptionsalt: v1:abc:def")'
expect_fail "a passphrase stack" model "$d"

# 6. a pull-request job reading a repository secret (the old shared passphrase).
d="$(fixture pr-secret)"
edit "$d/workflows/preview.yml" 's.replace("      - run: scripts/ci/npm-ci.sh\n", "      - run: scripts/ci/npm-ci.sh\n        env:\n          PULUMI_CONFIG_PASSPHRASE: ${{ secrets.PULUMI_CONFIG_PASSPHRASE }}\n", 1)'
expect_fail "a pull_request job reading a secret" pr-jobs "$d"

# 7. a pull-request workflow calling the deploy workflow for prod with inherited secrets.
d="$(fixture pr-calls-deploy)"
cat >"$d/workflows/sneaky.yml" <<'YAML'
name: sneaky
on: pull_request
permissions: {}
jobs:
  up:
    uses: ./.github/workflows/_deploy.yml
    with:
      stack: prod
    permissions:
      contents: read
      id-token: write
      deployments: write
    secrets: inherit
YAML
expect_fail "a pull_request workflow deploying prod with secrets: inherit" pr-jobs "$d"

# 8. an environment chosen by the PR itself cannot be proven safe.
d="$(fixture dynamic-env)"
edit "$d/workflows/preview.yml" 's.replace("      name: prod-preview\n", "      name: ${{ github.head_ref }}\n")'
expect_fail "an environment named by an expression the check cannot resolve" pr-jobs "$d"

# 9. a workflow_run job (base-repository context, default-branch subject) with an id-token, against
#    a prod role that trusts the default branch.
d="$(fixture workflow-run-main)"
edit "$d/access/iam/gha-preview-prod.trust.json" 's.replace(":environment:prod-preview", ":ref:refs/heads/main")'
edit "$d/workflows/fork-plan-comment.yml" 's.replace("      pull-requests: write # the comment\n", "      pull-requests: write # the comment\n      id-token: write\n")'
expect_fail "a workflow_run job reaching a prod role that trusts refs/heads/main" pr-jobs "$d"

echo "access: $passed passed, $failed failed"
((failed == 0))
