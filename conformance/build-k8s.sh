#!/usr/bin/env bash
# Builds kube-apiserver and kubectl from the k8s.io/kubernetes Go module pinned in conformance/k8s/go.mod
# (v1.36.3, our EKS minor; the staging modules replaced by their published v0.36.3, as the module's own
# go.mod lists them), or reuses the binaries built from the same inputs before.
#
# Prints the directory holding both binaries on stdout (logs go to stderr).
# The cache key hashes everything that decides the binaries: go.mod, go.sum, the build flags and the
# Go version. A hit costs nothing; a miss with a warm Go build cache (~/.cache/go-build) only links;
# a miss on a fresh machine compiles everything (docs/benchmarks.md has the numbers).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mod="${here}/k8s"
version="v1.36.3"
# Both binaries from the same module version: kubectl's skew policy allows +/-1 minor, we use none.
export GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0
pinned="$(go list -C "${mod}" -m -f '{{.Version}}' k8s.io/kubernetes)"
[ "${pinned}" = "${version}" ] || { echo "conformance/k8s/go.mod pins k8s.io/kubernetes ${pinned}, not ${version}" >&2; exit 1; }

# The version strings Kubernetes' own build (hack/lib/version.sh, kube::version::ldflags) stamps into
# both packages; without them /version says v0.0.0-master and kubectl cannot compare its skew.
ldflags="-s -w"
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  ldflags+=" -X ${pkg}.gitVersion=${version} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=36 -X ${pkg}.gitTreeState=clean"
done

buildflags=(-trimpath -ldflags "${ldflags}")

# The binaries depend on exactly these: the module graph, the flags, the Go version and target.
key="$( { cat "${mod}/go.mod" "${mod}/go.sum"; echo "${buildflags[*]} CGO_ENABLED=${CGO_ENABLED}"; go version; go env GOOS GOARCH; } | sha256sum | cut -c1-16)"
cache_root="${SHOP_PLATFORM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shop-platform}"
out="${cache_root}/k8s-${version}-${key}"
if [ -x "${out}/kube-apiserver" ] && [ -x "${out}/kubectl" ]; then
  echo "reusing ${out}" >&2
  echo "${out}"
  exit 0
fi
rm -rf "${out}" # an incomplete directory (a run stopped mid-way before this script published atomically)

mkdir -p "${cache_root}"
tmp="$(mktemp -d "${cache_root}/.build-XXXXXX")"
trap 'rm -rf "${tmp}"' EXIT
start=$(date +%s)
echo "building kube-apiserver and kubectl ${version} (cold: several minutes on 2 cores)" >&2
go build -C "${mod}" "${buildflags[@]}" -o "${tmp}/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl >&2
echo "built in $(( $(date +%s) - start )) s" >&2
# Publish atomically: a concurrent run sees either nothing or both binaries. When another run
# published the same key meanwhile, its binaries are the same build: keep them, drop ours.
if mv -T "${tmp}" "${out}" 2>/dev/null; then trap - EXIT; fi
echo "${out}"
