#!/usr/bin/env bash
# Install the pinned kubectl and AWS CLI v2 used by the kubeconfig exec plugin
# (`aws eks get-token`) and by scripts/ci/smoke.sh, into $TOOLS_DIR (default
# $RUNNER_TEMP/shop-tools/bin, else ~/.local/shop-tools/bin), and add it to $GITHUB_PATH.
#
#   KUBECTL_VERSION  default v1.34.1 (within one minor of the EKS control plane, 1.34)
#   AWSCLI_VERSION   default 2.35.20
#
# kubectl is verified against the SHA-256 published next to it on dl.k8s.io. The AWS CLI
# installer is fetched by exact version; its version is checked after install.
set -euo pipefail

KUBECTL_VERSION="${KUBECTL_VERSION:-v1.34.1}"
AWSCLI_VERSION="${AWSCLI_VERSION:-2.35.20}"
TOOLS_DIR="${TOOLS_DIR:-${RUNNER_TEMP:-$HOME/.local}/shop-tools/bin}"
mkdir -p "$TOOLS_DIR"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

case "$(uname -m)" in
  x86_64) k8s_arch=amd64 aws_arch=x86_64 ;;
  aarch64 | arm64) k8s_arch=arm64 aws_arch=aarch64 ;;
  *)
    echo "install-tools: unsupported architecture $(uname -m)" >&2
    exit 1
    ;;
esac

fetch() { curl -fsSL --retry 3 --connect-timeout 10 --max-time 300 -o "$2" "$1"; }

if [[ "$("$TOOLS_DIR/kubectl" version --client -o json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["clientVersion"]["gitVersion"])' 2>/dev/null || true)" != "$KUBECTL_VERSION" ]]; then
  base="https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/${k8s_arch}"
  fetch "$base/kubectl" "$work/kubectl"
  fetch "$base/kubectl.sha256" "$work/kubectl.sha256"
  echo "$(cat "$work/kubectl.sha256")  $work/kubectl" | sha256sum --check --strict -
  install -m 0755 "$work/kubectl" "$TOOLS_DIR/kubectl"
fi
"$TOOLS_DIR/kubectl" version --client

if ! "$TOOLS_DIR/aws" --version 2>/dev/null | grep -q "^aws-cli/${AWSCLI_VERSION} "; then
  fetch "https://awscli.amazonaws.com/awscli-exe-linux-${aws_arch}-${AWSCLI_VERSION}.zip" "$work/awscli.zip"
  unzip -q "$work/awscli.zip" -d "$work"
  "$work/aws/install" --install-dir "${TOOLS_DIR%/bin}/aws-cli" --bin-dir "$TOOLS_DIR" --update
fi
"$TOOLS_DIR/aws" --version | grep "^aws-cli/${AWSCLI_VERSION} "

if [[ -n "${GITHUB_PATH:-}" ]]; then
  echo "$TOOLS_DIR" >>"$GITHUB_PATH"
fi
