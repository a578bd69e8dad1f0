#!/usr/bin/env bash
# Suite: every Kubernetes object of every stack, judged by a real kube-apiserver v1.36.3 (our EKS minor)
# with strict field validation and Pod Security admission, through kubectl v1.36.3; the routine updates
# of each stack; deliberately bad objects that must be refused (conformance/run.ts says what and how).
# Needs Go (builds kube-apiserver and kubectl from the k8s.io/kubernetes module, reused while its
# inputs are unchanged: conformance/build-k8s.sh) and etcd (Debian etcd-server,
# scripts/install-system-deps.sh). Prints `suite conformance: N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

fail() { echo "$1" >&2; echo "suite conformance: 0 passed, 1 failed"; exit 1; }
command -v go >/dev/null || fail "suite-conformance: go is not installed"
command -v etcd >/dev/null || fail "suite-conformance: etcd is not installed (scripts/install-system-deps.sh installs etcd-server)"
[ -d node_modules ] || fail "suite-conformance: run npm ci first"

# The suite's own TypeScript: the root tsconfig does not include conformance/.
start=$(date +%s)
# Incremental: tsc's own build info (outside the repository) makes an unchanged tree a quick re-check.
cache="${SHOP_PLATFORM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shop-platform}"
mkdir -p "${cache}"
npx --no-install tsc --noEmit --incremental --tsBuildInfoFile "${cache}/conformance.tsbuildinfo" -p conformance ||
  fail "suite-conformance: conformance/ does not typecheck"
echo "conformance/ typechecks ($(( $(date +%s) - start )) s)"

start=$(date +%s)
bin=$(conformance/build-k8s.sh) || fail "suite-conformance: building kube-apiserver/kubectl failed"
echo "kube-apiserver + kubectl ready in $(( $(date +%s) - start )) s: ${bin}"

node --import tsx conformance/run.ts --bin "${bin}"
