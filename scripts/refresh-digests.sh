#!/usr/bin/env bash
# Resolve every image of security/image-digests.json against its registry (needs network access to
# the registries; the machine the file was written on had none, so run this once before relying on
# the digests, and after every version bump).
#
#   scripts/refresh-digests.sh --check   # compare each pinned digest with what the registry serves
#                                        # for image:tag; exit 1 on a mismatch or an unresolvable tag
#   scripts/refresh-digests.sh --write   # write the registry's digests into the file (verified: true,
#                                        # with the tool and date as the source)
#   IMAGE_DIGESTS=path/to.json           # another file (tests)
#
# Tools, first found: `crane digest REF` (go-containerregistry), else
# `docker buildx imagetools inspect REF --format '{{json .Manifest}}'`. Both return the digest of
# what the registry serves for the tag: the index of a multi-arch image, which is what we pin (every
# node gets the manifest of its own architecture through the one reference).
# After --write: copy the new references into components/versions.json (images and charts.<key>.images,
# which helmRelease turns into chart values), then run the suites (`make test`): check-digests.py,
# test/chart-images.test.ts, the policy pack and Checkov check them.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"
[[ "$mode" == "--check" || "$mode" == "--write" ]] || { echo "usage: $0 --check|--write" >&2; exit 2; }
file="${IMAGE_DIGESTS:-security/image-digests.json}"

if command -v "${CRANE:-crane}" >/dev/null 2>&1; then
  resolver=crane
elif docker buildx version >/dev/null 2>&1; then
  resolver=buildx
else
  echo "refresh-digests: needs crane (go install github.com/google/go-containerregistry/cmd/crane@v0.22.1) or docker buildx" >&2
  exit 2
fi

resolve() { # REF -> sha256:...
  case "$resolver" in
    crane) "${CRANE:-crane}" digest "$1" ;;
    buildx) docker buildx imagetools inspect "$1" --format '{{json .Manifest}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["digest"])' ;;
  esac
}

refs="$(python3 - "$file" <<'PY'
import json, sys
for i, e in enumerate(json.load(open(sys.argv[1], encoding="utf-8"))["images"]):
    image, registry = e["image"], e.get("registry", "docker.io")
    first = image.split("/")[0]
    ref = image if ("." in first or ":" in first or registry == "docker.io") else f"{registry}/{image}"
    print(f"{i}\t{ref}:{e['tag']}\t{e.get('digest') or '-'}")
PY
)"

bad=0
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
while IFS=$'\t' read -r idx ref pinned; do
  if got="$(resolve "$ref" 2>/dev/null)" && [[ "$got" =~ ^sha256:[0-9a-f]{64}$ ]]; then
    if [[ "$got" == "$pinned" ]]; then
      echo "OK       $ref@$got"
    else
      echo "MISMATCH $ref: pinned ${pinned}, registry serves $got"
      bad=1
    fi
    printf '%s\t%s\n' "$idx" "$got" >>"$results"
  else
    echo "UNRESOLVED $ref (tag gone, registry unreachable or no access)"
    bad=1
  fi
done <<<"$refs"

if [[ "$mode" == "--write" ]]; then
  python3 - "$file" "$results" "$resolver" <<'PY'
import datetime, json, sys
path, results, tool = sys.argv[1:4]
doc = json.load(open(path, encoding="utf-8"))
today = datetime.date.today().isoformat()
for line in open(results, encoding="utf-8"):
    i, digest = line.rstrip("\n").split("\t")
    e = doc["images"][int(i)]
    if e.get("digest") != digest:
        e["previousDigest"] = e.get("digest")
    e["digest"] = digest
    e["verified"] = True
    e["why"] = f"resolved from the registry with {tool} on {today}"
    e["sources"] = [f"registry ({tool}, {today})"] + [s for s in e.get("sources", []) if not s.startswith("registry (")]
json.dump(doc, open(path, "w", encoding="utf-8"), indent=2, ensure_ascii=False)
open(path, "a", encoding="utf-8").write("\n")
PY
  echo "refresh-digests: wrote $file"
  exit 0
fi
exit "$bad"
