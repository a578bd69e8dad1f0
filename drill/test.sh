#!/usr/bin/env bash
# Suite "drill" (docs/contracts.md §1): the restore drill with the real tools, offline, on loopback —
# PostgreSQL from Debian, barman-cloud 3.19.1 (what the operand image's in-tree backup and the
# Barman Cloud Plugin v0.13.0 sidecar both ship; drill/README.md) and moto's
# S3 server from PyPI, hash-locked (drill/requirements.lock). What it proves: drill/README.md and
# drill/drill.py.
#
#   - the venv: Debian's /usr/bin/python3 (PostgreSQL runs archive_command/restore_command as its own
#     unprivileged user, who must be able to run the tools: an interpreter under root's home is not
#     readable to it), under /var/cache/shop-platform/ as root, else ${XDG_CACHE_HOME:-~/.cache}/
#     shop-platform/, keyed by the lock's sha256 (built once);
#   - drill/drill.py in a world-traversable scratch directory, removed afterwards.
# Prints `suite drill: N passed, N failed`; exits 1 when anything failed or could not run.
# Cost: measured on a loaded 2-core machine, 3 min 22 s cold (venv of 29 wheels ~55 s + drill ~2.5 min); drill/README.md.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

passed=0 failed=0
finish() {
  echo "suite drill: $passed passed, $failed failed"
  ((failed == 0 && passed > 0))
  exit $?
}
ko() { failed=$((failed + 1)); echo "FAIL $1"; }

pgbin=$(compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -n1 | xargs -r dirname)
[ -n "$pgbin" ] || { ko "no PostgreSQL server (scripts/install-system-deps.sh installs it)"; finish; }
command -v faketime >/dev/null || { ko "no faketime (scripts/install-system-deps.sh installs it)"; finish; }
py=/usr/bin/python3
"$py" -c 'import ensurepip, venv' 2>/dev/null || { ko "no $py with venv (python3-venv)"; finish; }

# --- the venv ---------------------------------------------------------------------------------------
lock=drill/requirements.lock
key="$({ cat "$lock"; "$py" --version; } | sha256sum | cut -c1-16)"
if [ "$(id -u)" -eq 0 ]; then cache=/var/cache/shop-platform; else cache="${XDG_CACHE_HOME:-$HOME/.cache}/shop-platform"; fi
venv="$cache/drill-venv-$key"
if ! "$venv/bin/barman-cloud-backup" --version >/dev/null 2>&1 || ! "$venv/bin/python" -c 'import moto.server' 2>/dev/null; then
  echo "installing barman-cloud and moto into $venv (hash-locked)"
  mkdir -p "$cache" && chmod 755 "$cache"
  rm -rf "$venv"
  # --no-deps: the lock is complete except barman's `psycopg2`, served by psycopg2-binary (requirements.in)
  if ! "$py" -m venv "$venv" || ! "$venv/bin/pip" install -q --disable-pip-version-check --require-hashes --no-deps -r "$lock"; then
    ko "install the drill's tools from $lock"
    rm -rf "$venv"
    finish
  fi
  chmod -R go+rX "$venv"
fi
version="$("$venv/bin/barman-cloud-backup" --version 2>&1)"
echo "barman-cloud $version, moto $("$venv/bin/python" -c 'import moto; print(moto.__version__)'), PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}')"
# The version the sidecar ships (github:cloudnative-pg/plugin-barman-cloud v0.13.0, containers/sidecar-requirements.in).
if [[ "$version" == *3.19.1* ]]; then passed=$((passed + 1)); echo "PASS barman-cloud is 3.19.1, the plugin v0.13.0 sidecar's"; else ko "barman-cloud is $version, not 3.19.1"; fi

# --- the drill ----------------------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/shop-drill.XXXXXX")
chmod 755 "$work"
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  # a crashed drill may leave servers behind: stop only those under our own scratch dir
  for pid in "$work"/*/data/postmaster.pid; do
    [ -f "$pid" ] || continue
    d=$(dirname "$pid")
    if [ "$(id -u)" -eq 0 ]; then runuser -u "${PG_TEST_USER:-nobody}" -- "$pgbin/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1
    else "$pgbin/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1; fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
# The layout under test is the program's: the offline plan of prod with a restore configured (the
# same config edit the PITR runbook makes), whose two Clusters' backup and recovery specs drill.py reads.
[ -d node_modules ] || { ko "drill: run npm ci first (the layout comes from the offline plan)"; finish; }
if ! plan_out=$(timeout 300 npm run -s plan -- prod --out "$work/plan" \
  --config-override postgresRecoveryCluster=shop-db-pitr --config-override postgresRecoveryTargetTime=2026-12-02T13:49:23Z 2>&1); then
  echo "$plan_out" | tail -20
  ko "drill: the offline plan of prod with a restore failed"
  finish
fi
out=$(timeout 600 "$venv/bin/python" drill/drill.py --work "$work" --venv "$venv" --pgbin "$pgbin" --layout "$work/plan/resources.json" 2>&1)
echo "$out"
if [[ "$(tail -n1 <<<"$out")" =~ ^checks:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
  passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2]))
else
  ko "drill.py did not report"
fi
finish
