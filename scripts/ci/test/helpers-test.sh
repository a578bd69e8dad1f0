#!/usr/bin/env bash
# Behaviour tests of scripts/ci/*: the workflow checker against bad and good workflows, and the
# deploy helpers against loopback stubs (fake kubectl, fake gh, stub Pushgateway / Slack).
# Nothing leaves 127.0.0.1. Prints PASS/FAIL per case and `helpers: N passed, N failed`.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
ci="$(cd "$here/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "PASS $1"; }
ko() { failed=$((failed + 1)); echo "FAIL $1${2:+: $2}"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# smoke.sh uses SMOKE_LOCAL_PORT for the first app and +1 for the next: both must be free (a port
# after a free one can be anyone's; the catalog's stub then failed to bind and curl got HTTP 000).
free_port_pair() {
  python3 - <<'PY'
import socket
for _ in range(100):
    a = socket.socket(); a.bind(("127.0.0.1", 0)); p = a.getsockname()[1]
    b = socket.socket()
    try:
        b.bind(("127.0.0.1", p + 1))
    except OSError:
        a.close(); continue
    a.close(); b.close(); print(p); break
PY
}
wait_port() { for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done; return 1; }

SHA_CO='actions/checkout@8e8c483db84b4bee98b60c0593521ed34d9990e8'

# --- check-workflows.py: each rule must reject its bad case ---------------------------------
expect_reject() { # name file-basename rule content
  local name="$1" base="$2" rule="$3" dir="$tmp/wf-$1" out
  mkdir -p "$dir"
  printf '%s\n' "$4" >"$dir/$base"
  out="$(python3 "$ci/check-workflows.py" "$dir/$base" 2>&1)"
  rc=$?
  if [[ $rc -ne 0 ]] && grep -q "^FAIL $rule " <<<"$out"; then ok "checker rejects $name"; else ko "checker rejects $name" "$out"; fi
}
expect_reject unpinned-tag ci.yml pinned "name: x
on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-24.04
    permissions: {contents: read}
    steps:
      - uses: actions/checkout@v4"
expect_reject sha-without-version-comment ci.yml pinned "name: x
on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-24.04
    permissions: {contents: read}
    steps:
      - uses: $SHA_CO"
expect_reject job-without-permissions ci.yml permissions "name: x
on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-24.04
    permissions: {contents: read}
    steps:
      - run: true
  b:
    runs-on: ubuntu-24.04
    steps:
      - run: true"
expect_reject cancel-in-progress-deploy _deploy.yml no-cancel-deploy "name: x
on: workflow_call
permissions: {}
jobs:
  up:
    runs-on: ubuntu-24.04
    permissions: {contents: read}
    concurrency:
      group: pulumi-up
      cancel-in-progress: true
    steps:
      - run: true"
expect_reject secret-in-run ci.yml no-secret-in-run "name: x
on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-24.04
    permissions: {contents: read}
    steps:
      - run: |
          echo start
          curl -H \"token: \${{ secrets.TOKEN }}\" https://example.invalid"

expect_reject secrets-inherit deploy.yml no-secrets-inherit "name: x
on: push
permissions: {}
jobs:
  a:
    uses: ./.github/workflows/_deploy.yml
    permissions: {contents: read}
    secrets: inherit"
expect_reject passphrase preview.yml no-passphrase "name: x
on: pull_request
permissions: {}
jobs:
  a:
    runs-on: ubuntu-24.04
    permissions: {contents: read}
    steps:
      - run: pulumi preview
        env:
          PULUMI_CONFIG_PASSPHRASE: \${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"

mkdir -p "$tmp/wf-good"
cat >"$tmp/wf-good/deploy.yml" <<YAML
name: good
on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    concurrency:
      group: up
      cancel-in-progress: false
    steps:
      - uses: $SHA_CO # v6.0.1
      - run: echo "\$TOKEN" | wc -c
        env:
          TOKEN: \${{ secrets.TOKEN }}
  b:
    needs: a
    uses: ./.github/workflows/_deploy.yml
    permissions:
      contents: read
YAML
if out="$(python3 "$ci/check-workflows.py" "$tmp/wf-good/deploy.yml" 2>&1)" && grep -q "checks: 6 passed, 0 failed" <<<"$out"; then
  ok "checker accepts a compliant workflow"
else
  ko "checker accepts a compliant workflow" "$out"
fi

# --- smoke.sh against fake kubectl + loopback /readyz ----------------------------------------
# Enough attempts for a loaded machine: each port-forward starts a Python stub on the same local
# port the previous app's stub just released (3 x 0.3 s flaked at load average 12).
smoke() { # extra env assignments... (later ones win)
  env KUBECTL="$here/fake-kubectl" SMOKE_APPS="storefront catalog" SMOKE_ATTEMPTS=10 SMOKE_SLEEP=0.5 \
    SMOKE_LOCAL_PORT="$(free_port_pair)" FAKE_KUBECTL_LOG="$tmp/kubectl.log" "$@" "$ci/smoke.sh" >"$tmp/smoke.out" 2>&1
}
if smoke && grep -q "PASS storefront" "$tmp/smoke.out" && grep -q "PASS catalog" "$tmp/smoke.out" \
  && grep -q "rollout status deployment/catalog" "$tmp/kubectl.log"; then
  ok "smoke passes when both apps are rolled out and ready"
else ko "smoke passes when both apps are rolled out and ready" "$(cat "$tmp/smoke.out")"; fi

if ! smoke FAKE_READY_STATUS=degraded && grep -q "status=degraded" "$tmp/smoke.out"; then
  ok "smoke fails on degraded readiness"
else ko "smoke fails on degraded readiness" "$(cat "$tmp/smoke.out")"; fi

if smoke FAKE_READY_STATUS=degraded SMOKE_ALLOW_DEGRADED=1; then
  ok "smoke accepts degraded with SMOKE_ALLOW_DEGRADED=1"
else ko "smoke accepts degraded with SMOKE_ALLOW_DEGRADED=1" "$(cat "$tmp/smoke.out")"; fi

start=$(date +%s)
if ! smoke FAKE_READY_CODE=503 FAKE_READY_STATUS=unready SMOKE_ATTEMPTS=3 SMOKE_SLEEP=0.3 && grep -q "not ready after 3 attempts" "$tmp/smoke.out" \
  && (($(date +%s) - start < 60)); then
  ok "smoke fails, within bounded retries, on 503"
else ko "smoke fails, within bounded retries, on 503" "$(cat "$tmp/smoke.out")"; fi

if ! smoke FAKE_ROLLOUT_FAIL=1 && grep -q "rollout did not complete" "$tmp/smoke.out"; then
  ok "smoke fails when the rollout does not complete"
else ko "smoke fails when the rollout does not complete" "$(cat "$tmp/smoke.out")"; fi

# --- record-deployment.sh against fake gh -----------------------------------------------------
repo="$tmp/repo"
git init -q "$repo"
GIT_COMMITTER_DATE="2026-01-02T03:04:05Z" GIT_AUTHOR_DATE="2026-01-02T03:04:05Z" \
  git -C "$repo" -c user.name=t -c user.email=t@example.invalid commit -q --allow-empty -m one
sha="$(git -C "$repo" rev-parse HEAD)"
commit_ts="$(git -C "$repo" show -s --format=%ct "$sha")"
now=$((commit_ts + 7200))
: >"$tmp/gh.log" && : >"$tmp/gh.out"
if (cd "$repo" && env GH="$here/fake-gh" FAKE_GH_LOG="$tmp/gh.log" GITHUB_REPOSITORY=org/shop-platform \
  DEPLOY_SHA="$sha" GITHUB_RUN_ID=99 NOW="$now" GITHUB_OUTPUT="$tmp/gh.out" \
  "$ci/record-deployment.sh" prod success $((now - 600))) >"$tmp/rec.out" 2>&1 \
  && python3 - "$tmp/gh.log" "$sha" "$commit_ts" "$now" <<'PY'
import json, sys
log, sha, commit_ts, now = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
lines = open(log).read().splitlines()
inp = json.loads(next(l[6:] for l in lines if l.startswith("INPUT ")))
calls = [l for l in lines if l.startswith("CALL ")]
assert "repos/org/shop-platform/deployments" in calls[0], calls
assert inp["ref"] == sha and inp["environment"] == "prod" and inp["required_contexts"] == []
assert inp["production_environment"] is True and inp["auto_merge"] is False
p = inp["payload"]
assert p["commit_timestamp"] == "2026-01-02T03:04:05Z" and p["commit_timestamp_seconds"] == commit_ts, p
assert p["deploy_finished_at_seconds"] == now and p["lead_time_seconds"] == 7200, p
assert "deployments/4242/statuses" in calls[1] and "state=success" in calls[1], calls[1]
PY
then
  if grep -q "^lead_time_seconds=7200$" "$tmp/gh.out" && grep -q "^deployment_id=4242$" "$tmp/gh.out"; then
    ok "record-deployment creates a deployment with commit/deploy times and a success status"
  else ko "record-deployment writes step outputs" "$(cat "$tmp/gh.out")"; fi
else ko "record-deployment creates a deployment with commit/deploy times and a success status" "$(cat "$tmp/rec.out" "$tmp/gh.log")"; fi

if ! (cd "$repo" && GH="$here/fake-gh" FAKE_GH_LOG="$tmp/gh.log" GITHUB_REPOSITORY=o/r DEPLOY_SHA="$sha" \
  "$ci/record-deployment.sh" prod maybe 1) >/dev/null 2>&1; then
  ok "record-deployment rejects an unknown result"
else ko "record-deployment rejects an unknown result"; fi

if ! (cd "$repo" && GH="$here/fake-gh" FAKE_GH_LOG="$tmp/gh.log" FAKE_GH_FAIL=1 GITHUB_REPOSITORY=o/r \
  DEPLOY_SHA="$sha" "$ci/record-deployment.sh" dev failure 1) >/dev/null 2>&1; then
  ok "record-deployment fails when the API call fails"
else ko "record-deployment fails when the API call fails"; fi

# --- fork-plan-comment.sh against a fake gh ---------------------------------------------------
fp="$tmp/forkplan" && mkdir -p "$fp/fork-plan-dev" "$fp/bin"
cat >"$fp/fork-plan-dev/resources.json" <<'JSON'
{"format":"shop-platform/resources@1","project":"shop-platform","stack":"dev","resources":[
 {"urn":"u1","type":"aws:eks/cluster:Cluster","name":"c","custom":true,"inputs":{"secretish":"NEVER-PRINTED"}},
 {"urn":"u2","type":"shop:cluster:Cluster","name":"c","custom":false,"inputs":{}}]}
JSON
echo "policy:check: 0 mandatory, 1 advisory violations in 2 resources" >"$fp/fork-plan-dev/policy-check.log"
cat >"$fp/bin/gh" <<'SH'
#!/usr/bin/env bash
# Fake gh: logs calls; answers the two lookups the way `gh api --jq` would.
echo "CALL $*" >>"$FAKE_LOG"
case "$*" in
  *"-X PATCH"*|*"-X POST"*) for a in "$@"; do [[ "$a" == body=@* ]] && cp "${a#body=@}" "$FAKE_BODY"; done ;;
  *"/pulls?state=open"*) [[ "$*" == *"$FAKE_HEAD"* ]] && echo 17 ;;
  *"/issues/17/comments"*) [[ -n "${FAKE_EXISTING:-}" ]] && echo "$FAKE_EXISTING" ;;
esac
exit 0
SH
chmod +x "$fp/bin/gh"
head_sha="0123456789abcdef0123456789abcdef01234567"
run_fpc() { env GH="$fp/bin/gh" FAKE_LOG="$fp/log" FAKE_BODY="$fp/body" FAKE_HEAD="$head_sha" REPO=o/r HEAD_SHA="$head_sha" RUN_URL=https://run "$@" "$ci/fork-plan-comment.sh" "$fp" >"$fp/out" 2>&1; }
: >"$fp/log"
if run_fpc && grep -q "X POST repos/o/r/issues/17/comments" "$fp/log" && grep -q "shop-platform:fork-plan" "$fp/body" \
  && grep -q "aws:eks/cluster:Cluster" "$fp/body" && grep -q "1 advisory" "$fp/body" && ! grep -q "NEVER-PRINTED" "$fp/body"; then
  ok "fork-plan-comment posts the plan summary (counts and policy log, never inputs) on the PR of the head SHA"
else ko "fork-plan-comment posts the plan summary on the PR of the head SHA" "$(cat "$fp/out" "$fp/log")"; fi
: >"$fp/log"
if run_fpc FAKE_EXISTING=555 && grep -q "X PATCH repos/o/r/issues/comments/555" "$fp/log" && ! grep -q "X POST" "$fp/log"; then
  ok "fork-plan-comment updates its existing comment instead of adding one"
else ko "fork-plan-comment updates its existing comment" "$(cat "$fp/out" "$fp/log")"; fi
: >"$fp/log"
if run_fpc FAKE_HEAD=ffff && ! grep -q "X POST\|X PATCH" "$fp/log" && grep -q "nothing to comment" "$fp/out"; then
  ok "fork-plan-comment does nothing when no open PR has the run's head SHA"
else ko "fork-plan-comment does nothing without a matching PR" "$(cat "$fp/out" "$fp/log")"; fi
# shellcheck disable=SC2016 # a literal command substitution is the malformed input
if ! env GH="$fp/bin/gh" REPO=o/r HEAD_SHA='$(id)' "$ci/fork-plan-comment.sh" "$fp" >/dev/null 2>&1; then
  ok "fork-plan-comment rejects a malformed head SHA"
else ko "fork-plan-comment rejects a malformed head SHA"; fi

# --- push-metrics.sh against a stub Pushgateway ----------------------------------------------
out="$(env -u PUSHGATEWAY_URL -u PUSHGATEWAY_K8S_SERVICE "$ci/push-metrics.sh" dev success 1 2>&1)"
rc=$?
if [[ $rc -eq 0 ]] && grep -q skipped <<<"$out"; then ok "push-metrics skips when no Pushgateway is configured"
else ko "push-metrics skips when no Pushgateway is configured" "$out"; fi

pg="$tmp/pg" && mkdir -p "$pg"
cat >"$pg/metrics" <<'TXT'
# TYPE shop_deployments_total counter
shop_deployments_total{instance="",job="shop_deploy",result="success",stack="prod"} 4
shop_deployments_total{instance="",job="shop_deploy",result="success",stack="dev"} 9
TXT
port="$(free_port)"
python3 "$here/stub_server.py" record "$port" "$pg" &
stub=$!
wait_port "$port"
if PUSHGATEWAY_URL="http://127.0.0.1:$port" "$ci/push-metrics.sh" prod success 1767322000 5400 >"$tmp/pm.out" 2>&1 \
  && python3 - "$pg/requests" <<'PY'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert reqs[0]["method"] == "PUT" and reqs[0]["path"] == "/metrics/job/shop_deploy/stack/prod/result/success", reqs[0]
assert "shop_deployments_total 5\n" in reqs[0]["body"], reqs[0]["body"]
assert "shop_deployment_last_timestamp_seconds 1767322000\n" in reqs[0]["body"]
assert reqs[1]["path"] == "/metrics/job/shop_deploy/stack/prod" and "shop_deployment_lead_time_seconds 5400\n" in reqs[1]["body"], reqs[1]
assert "shop_deployment_lead_time_seconds_total 5400\n" in reqs[1]["body"], reqs[1]
PY
then ok "push-metrics increments the counter and pushes timestamp and lead time"
else ko "push-metrics increments the counter and pushes timestamp and lead time" "$(cat "$tmp/pm.out" "$pg/requests" 2>/dev/null)"; fi

rm -f "$pg/requests"
if PUSHGATEWAY_URL="http://127.0.0.1:$port" "$ci/push-metrics.sh" staging failure 1767322001 >"$tmp/pm.out" 2>&1 \
  && python3 - "$pg/requests" <<'PY'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert len(reqs) == 2, reqs
assert reqs[0]["path"].endswith("/stack/staging/result/failure") and "shop_deployments_total 1\n" in reqs[0]["body"], reqs[0]
b = reqs[1]["body"]
assert "shop_deployment_failing_since_timestamp_seconds 1767322001\n" in b, b
assert "shop_deployment_lead_time_seconds_total 0\n" in b and "shop_deployment_recoveries_total 0\n" in b, b
PY
then ok "push-metrics counts a first failure, starts the failing streak, adds no lead time"
else ko "push-metrics counts a first failure, starts the failing streak, adds no lead time" "$(cat "$tmp/pm.out" "$pg/requests" 2>/dev/null)"; fi

rm -f "$pg/requests"
cat >"$pg/metrics" <<'TXT'
shop_deployments_total{instance="",job="shop_deploy",result="success",stack="dev"} 9
shop_deployment_lead_time_seconds{instance="",job="shop_deploy",stack="dev"} 100
shop_deployment_lead_time_seconds_total{instance="",job="shop_deploy",stack="dev"} 1000
shop_deployment_failing_since_timestamp_seconds{instance="",job="shop_deploy",stack="dev"} 1000
shop_deployment_recoveries_total{instance="",job="shop_deploy",stack="dev"} 2
shop_deployment_recovery_seconds_total{instance="",job="shop_deploy",stack="dev"} 300
shop_deployment_failing_since_timestamp_seconds{instance="",job="shop_deploy",stack="prod"} 5
TXT
if PUSHGATEWAY_URL="http://127.0.0.1:$port" "$ci/push-metrics.sh" dev success 1600 250 >"$tmp/pm.out" 2>&1 \
  && python3 - "$pg/requests" <<'PY'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert "shop_deployments_total 10\n" in reqs[0]["body"], reqs[0]
b = reqs[1]["body"]
for want in ("shop_deployment_lead_time_seconds 250\n", "shop_deployment_lead_time_seconds_total 1250\n",
             "shop_deployment_failing_since_timestamp_seconds 0\n", "shop_deployment_recoveries_total 3\n",
             "shop_deployment_recovery_seconds_total 900\n"):
    assert want in b, (want, b)
PY
then ok "push-metrics records a recovery when a success ends a failing streak"
else ko "push-metrics records a recovery when a success ends a failing streak" "$(cat "$tmp/pm.out" "$pg/requests" 2>/dev/null)"; fi

# --- notify-slack.sh ----------------------------------------------------------------------
out="$(env -u SLACK_WEBHOOK_URL "$ci/notify-slack.sh" "hello" 2>&1)"
rc=$?
if [[ $rc -eq 0 ]] && grep -q skipped <<<"$out"; then ok "notify-slack skips when the webhook is unset"
else ko "notify-slack skips when the webhook is unset" "$out"; fi

rm -f "$pg/requests"
hook="http://127.0.0.1:$port/services/T000/B000/sekret-token-xyz"
out="$(SLACK_WEBHOOK_URL="$hook" "$ci/notify-slack.sh" 'deploy to prod: failure' 2>&1)"
rc=$?
if [[ $rc -eq 0 ]] && ! grep -q sekret <<<"$out" \
  && grep -q '"path": "/services/T000/B000/sekret-token-xyz"' "$pg/requests" \
  && grep -q 'deploy to prod: failure' "$pg/requests"; then
  ok "notify-slack posts the message and never prints the webhook URL"
else ko "notify-slack posts the message and never prints the webhook URL" "$out"; fi

out="$(SLACK_WEBHOOK_URL="http://127.0.0.1:1/services/sekret-token-xyz" "$ci/notify-slack.sh" x 2>&1)"
rc=$?
if [[ $rc -ne 0 ]] && ! grep -q sekret <<<"$out"; then ok "notify-slack fails without leaking the URL when the call fails"
else ko "notify-slack fails without leaking the URL when the call fails" "$out"; fi
kill "$stub" 2>/dev/null
wait "$stub" 2>/dev/null

# --- plan-summary.sh ------------------------------------------------------------------------
cat >"$tmp/resources.json" <<'JSON'
{"format":"shop-platform/resources@1","project":"shop-platform","stack":"dev","resources":[
 {"urn":"u1","type":"aws:eks/cluster:Cluster","name":"c","custom":true,"remote":false,"parent":"","provider":"","dependencies":[],"protect":false,"inputs":{"password":"hunter2"}},
 {"urn":"u2","type":"shop:apps:App","name":"a","custom":false,"remote":false,"parent":"","provider":"","dependencies":[],"protect":false,"inputs":{}},
 {"urn":"u3","type":"shop:apps:App","name":"b","custom":false,"remote":false,"parent":"","provider":"","dependencies":[],"protect":false,"inputs":{}}]}
JSON
echo "0 mandatory violations" >"$tmp/policy.log"
out="$("$ci/plan-summary.sh" "$tmp/resources.json" "$tmp/policy.log" 2>&1)"
rc=$?
# shellcheck disable=SC2016 # literal backticks of the Markdown table
if [[ $rc -eq 0 ]] && grep -q '| ` shop:apps:App ` | 2 |' <<<"$out" && grep -q "3 resources (1 custom, 2 components)" <<<"$out" \
  && grep -q "0 mandatory violations" <<<"$out" && ! grep -q hunter2 <<<"$out"; then
  ok "plan-summary counts resources by type and prints no inputs"
else ko "plan-summary counts resources by type and prints no inputs" "$out"; fi
cat >"$tmp/cost.json" <<'JSON'
{"format":"shop-platform/cost@1","region":"eu-west-1","environment":"dev","totalUsd":1234.5,"priceFile":{"read":"2026-12-02"},
 "byComponent":[{"component":"Cluster c","monthlyUsd":1000},{"component":"<img src=x onerror=alert(1)>","monthlyUsd":234.5}],
 "savings":[{"monthlyUsd":10,"message":"x"}]}
JSON
out="$("$ci/plan-summary.sh" "$tmp/resources.json" 2>&1)"
rc=$?
echo '["<img src=x onerror=alert(1)>"]' >"$tmp/cost-payloads.json"
printf '%s\n' "$out" >"$tmp/cost-summary.md"
# shellcheck disable=SC2016 # literal backticks of the Markdown table
if [[ $rc -eq 0 ]] && grep -qF '**Estimated monthly cost: $1,234.50** (` eu-west-1 `, ` dev ` assumptions, prices read ` 2026-12-02 `' <<<"$out" \
  && grep -qF '| ` Cluster c ` | $1,000.00 |' <<<"$out" && python3 "$here/markdown_safety.py" "$tmp/cost-summary.md" "$tmp/cost-payloads.json" \
  && grep -qF '1, $10.00/month' <<<"$out"; then
  ok "plan-summary prints the cost estimate next to the plan, labels sanitised"
else ko "plan-summary prints the cost estimate next to the plan, labels sanitised" "$out"; fi
echo '{"resources":[]}' >"$tmp/bad.json"
if ! "$ci/plan-summary.sh" "$tmp/bad.json" >/dev/null 2>&1; then ok "plan-summary rejects a file of another format"
else ko "plan-summary rejects a file of another format"; fi

# --- fork-plan-comment.sh: every string the fork controls is escaped -----------------------
# The fork controls resources.json, the policy log and the artifact names (its own preview.yml
# uploads them). Hostile values: Markdown, HTML, links, mentions, table pipes, backtick runs that
# try to close the code span or block, newlines, bidi overrides.
fp="$tmp/fork"
mkdir -p "$fp/fork-plan-dev" "$fp/fork-plan-@octocat[x](https:evil)\`z\`"
python3 - "$fp" <<'PY'
import json, sys
d = sys.argv[1]
payloads = [
    "`rm -rf /` | injected | cell",
    "<img src=x onerror=alert(1)>",
    "@octocat approve-now",
    "[click me](https://evil.example/steal)",
    "https://evil.example/autolink",
    "```\n</details>\n# heading\n```",
    "x\u202egnp.exe",
    "**bold** _it_ ~~strike~~",
    "``double`` ticks and a \\| backslash pipe",
    "<script>alert(1)</script>",
    "@here",
]
res = [{"urn": f"u{i}", "type": t, "name": "n", "custom": True, "remote": False, "parent": "", "provider": "",
        "dependencies": [], "protect": False, "inputs": {"password": "hunter2"}} for i, t in enumerate(payloads[:9])]
json.dump({"format": "shop-platform/resources@1", "project": payloads[9], "stack": payloads[10], "resources": res},
          open(f"{d}/fork-plan-dev/resources.json", "w"))
log = "ok\n````\n</details>\n@octocat <img src=x> [x](https://evil.example) ~~~\n```\n"
open(f"{d}/fork-plan-dev/policy-check.log", "w").write(log)
payloads += ["@octocat <img src=x> [x](https://evil.example) ~~~", "fork-plan-@octocat[x](https:evil)`z`"]
# The change plan artifact (change-plan.sh render), just as hostile.
cp_payloads = ["<img src=x onerror=alert(2)>", "[evil](https://evil.example/cp)", "@octocat-cp", "`a` | b ``c``", "**cp-bold** @cp-warn", "<b>cp-base</b>", "@cp-stack"]
plan = {"format": "shop-platform/change-plan@1", "stack": cp_payloads[6], "base": cp_payloads[5],
        "summary": {"create": 1, "update": 0, "rolled": 0, "replace": 1, "delete": 0, "same": 3},
        "blocking": ["urn:x"],
        "changes": [{"urn": "urn:x", "action": cp_payloads[0], "type": cp_payloads[1], "display": cp_payloads[2],
                     "stateful": cp_payloads[2], "paths": [{"path": cp_payloads[3]}]},
                    {"urn": "urn:y", "action": "replace", "type": "t", "display": "d",
                     "replaceReasons": [{"path": cp_payloads[3], "rule": cp_payloads[1]}]}],
        "warnings": [cp_payloads[4]]}
json.dump(plan, open(f"{d}/fork-plan-dev/change-plan.json", "w"))
payloads += cp_payloads
# cost.json next to resources.json (the cost estimate), with payloads short enough to be shown whole.
cost_payloads = ["https://evil.ex", "@octo", "<b>x</b>", "[x](https://e.x)"]
json.dump({"format": "shop-platform/cost@1", "region": cost_payloads[0], "environment": cost_payloads[1], "totalUsd": 12.5,
           "priceFile": {"read": cost_payloads[2]}, "byComponent": [{"component": cost_payloads[3], "monthlyUsd": 12.5}]},
          open(f"{d}/fork-plan-dev/cost.json", "w"))
payloads += cost_payloads
json.dump(payloads, open(f"{d}/payloads.json", "w"))
PY
cat >"$tmp/fake-gh-comment" <<'SH'
#!/usr/bin/env bash
# gh stand-in for fork-plan-comment.sh: PR lookup -> 7, no existing comment, POST keeps the body.
for a in "$@"; do case "$a" in body=@*) cp "${a#body=@}" "$FAKE_BODY" ;; esac; done
case "$*" in *pulls*) echo 7 ;; esac
exit 0
SH
chmod +x "$tmp/fake-gh-comment"
out="$(GH="$tmp/fake-gh-comment" FAKE_BODY="$tmp/comment.md" REPO=o/r HEAD_SHA=0123456789abcdef0123456789abcdef01234567 \
  RUN_URL=https://github.com/o/r/actions/runs/1 "$ci/fork-plan-comment.sh" "$fp" 2>&1)"
rc=$?
if [[ $rc -eq 0 ]] && [[ -s "$tmp/comment.md" ]] && safety="$(python3 "$here/markdown_safety.py" "$tmp/comment.md" "$fp/payloads.json" 2>&1)" \
  && ! grep -q hunter2 "$tmp/comment.md"; then
  ok "fork-plan-comment escapes hostile types, names, artifact names and policy log"
else ko "fork-plan-comment escapes hostile types, names, artifact names and policy log" "$out ${safety:-} $(cat "$tmp/comment.md" 2>/dev/null)"; fi
# The checker itself must catch an unescaped body (so the case above can fail).
printf '| <img src=x> | 1 |\n@octocat [x](https://evil.example)\n' >"$tmp/raw.md"
if ! python3 "$here/markdown_safety.py" "$tmp/raw.md" "$fp/payloads.json" >/dev/null 2>&1; then ok "markdown safety check rejects an unescaped body"
else ko "markdown safety check rejects an unescaped body"; fi

# --- scripts/refresh-digests.sh against a fake crane -------------------------------------------
A="sha256:$(printf 'a%.0s' {1..64})" B="sha256:$(printf 'b%.0s' {1..64})"
cat >"$tmp/digests.json" <<JSON
{"images": [
 {"image": "postgres", "tag": "17.9-bookworm", "registry": "docker.io", "digest": "$A", "verified": false, "why": "x", "sources": []},
 {"image": "quay.io/prometheus/alertmanager", "tag": "v0.34.0", "registry": "quay.io", "digest": "$A", "verified": false, "why": "x", "sources": []},
 {"image": "ghcr.io/x/gone", "tag": "1.0", "registry": "ghcr.io", "digest": null, "verified": false, "why": "x", "sources": []}]}
JSON
cat >"$tmp/crane" <<SH
#!/usr/bin/env bash
# crane stand-in: postgres resolves to the pinned digest, alertmanager to another, ghcr.io/x/gone fails.
echo "\$*" >>"$tmp/crane.log"
case "\$2" in
  postgres:17.9-bookworm) echo "$A" ;;
  quay.io/prometheus/alertmanager:v0.34.0) echo "$B" ;;
  *) echo "MANIFEST_UNKNOWN" >&2; exit 1 ;;
esac
SH
chmod +x "$tmp/crane"
out="$(CRANE="$tmp/crane" IMAGE_DIGESTS="$tmp/digests.json" "$ci/../refresh-digests.sh" --check 2>&1)"
rc=$?
if [[ $rc -eq 1 ]] && grep -q "^OK       postgres:17.9-bookworm@$A" <<<"$out" && grep -q "^MISMATCH quay.io/prometheus/alertmanager:v0.34.0: pinned $A, registry serves $B" <<<"$out" \
  && grep -q "^UNRESOLVED ghcr.io/x/gone:1.0" <<<"$out" && grep -q "^digest quay.io/prometheus/alertmanager:v0.34.0$" "$tmp/crane.log"; then
  ok "refresh-digests --check reports matches, mismatches and unresolvable tags"
else ko "refresh-digests --check reports matches, mismatches and unresolvable tags" "$out"; fi
out="$(CRANE="$tmp/crane" IMAGE_DIGESTS="$tmp/digests.json" "$ci/../refresh-digests.sh" --write 2>&1)"
if python3 - "$tmp/digests.json" "$A" "$B" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["images"]
assert d[0]["digest"] == sys.argv[2] and d[0]["verified"] is True, d[0]
assert d[1]["digest"] == sys.argv[3] and d[1]["previousDigest"] == sys.argv[2] and d[1]["sources"][0].startswith("registry (crane"), d[1]
assert d[2]["digest"] is None and d[2]["verified"] is False, d[2]
PY
then ok "refresh-digests --write records the registry's digests and leaves unresolved ones alone"
else ko "refresh-digests --write records the registry's digests and leaves unresolved ones alone" "$out"; fi

echo "helpers: $passed passed, $failed failed"
((failed == 0))
