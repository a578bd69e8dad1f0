#!/usr/bin/env bash
# Debian packages the test suites use: real PostgreSQL and Redis servers for the app tests,
# promtool (prometheus) for the rules, shellcheck for scripts, wrk for bench/run.sh. (The plan's diagram needs no
# system Graphviz: it is drawn by the WebAssembly build in node_modules, @viz-js/viz.)
# Installs only what is missing; needs root (or sudo).
set -euo pipefail
need=()
command -v redis-server >/dev/null || need+=(redis-server)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
command -v promtool >/dev/null || need+=(prometheus)
command -v amtool >/dev/null || need+=(prometheus-alertmanager)
command -v shellcheck >/dev/null || need+=(shellcheck)
command -v wrk >/dev/null || need+=(wrk)  # bench/run.sh (the apps' benchmark; no test needs it)
command -v etcd >/dev/null || need+=(etcd-server)  # the conformance suite's kube-apiserver stores in it
# drill/test.sh: barman-cloud runs as PostgreSQL's user, so its venv is built on Debian's python3;
# faketime runs the retention tool "days later"
/usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
command -v faketime >/dev/null || need+=(faketime)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing Debian packages: ${need[*]}"
$sudo apt-get update -qq
# policy-rc.d: the packages' services must not start (tests start their own servers).
$sudo sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
$sudo rm -f /usr/sbin/policy-rc.d
