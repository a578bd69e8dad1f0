#!/usr/bin/env python3
"""security/image-digests.json is well formed, and what we deploy agrees with it.

    check-digests.py [--root DIR]

Checks (PASS/FAIL each, then `checks: N passed, N failed`):
  file         every entry has image, tag, registry, digest (sha256:<64 hex> or null), sources (list),
               verified (bool) and why; verified entries have a digest; no image:tag twice
  dockerfiles  every FROM of apps/*/Dockerfile (except scratch and build stages) is
               name:tag@sha256:<digest> with the digest the file records for name:tag
  compose      every compose.yaml image that is not built here is name:tag@sha256:<digest> with the
               file's digest, except the tag-only ones listed in PENDING below (with the reason)
  versions     every image of components/versions.json that carries a digest carries the file's
               digest for its name:tag (the program must not drift from the reviewed list)
  charts       every chart image of components/versions.json (charts.<key>.images) is in the file
               with that chart key and the same digest, tag-only only where the file has none; and
               every file entry naming a chart key is wired in that chart's images
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import sys

import yaml

# compose images allowed without a digest for now, and why (each must still be in the file).
PENDING: dict[str, str] = {}
REF = re.compile(r"^(?P<name>[^@\s]+?):(?P<tag>[^:@/\s]+)(?:@(?P<digest>sha256:[0-9a-f]{64}))?$")


def key(name: str) -> str:
    """docker.io/library/x, docker.io/x and x are the same image."""
    name = re.sub(r"^docker\.io/", "", name)
    return re.sub(r"^library/", "", name)


def chart_keys(e: dict) -> list[str]:
    """The versions.json chart keys an entry names: one string or a list (an image two charts render)."""
    c = e.get("chart")
    return [c] if isinstance(c, str) else list(c or [])


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=".")
    a = ap.parse_args(argv)
    r = a.root
    doc = json.load(open(os.path.join(r, "security/image-digests.json"), encoding="utf-8"))
    table: dict[tuple[str, str], dict] = {}
    checks: list[tuple[str, list[str]]] = []

    probs = []
    for e in doc.get("images", []):
        label = f"{e.get('image')}:{e.get('tag')}"
        for k, t in (("image", str), ("tag", str), ("registry", str), ("sources", list), ("verified", bool), ("why", str)):
            if not isinstance(e.get(k), t):
                probs.append(f"{label}: {k} missing or not a {t.__name__}")
        d = e.get("digest")
        if d is not None and not re.fullmatch(r"sha256:[0-9a-f]{64}", str(d)):
            probs.append(f"{label}: digest {d!r} is not sha256:<64 hex>")
        if e.get("verified") and not d:
            probs.append(f"{label}: verified without a digest")
        k2 = (key(str(e.get("image"))), str(e.get("tag")))
        if k2 in table:
            probs.append(f"{label}: listed twice")
        table[k2] = e
    checks.append(("file", probs))

    def against(ref: str, where: str, allow_tag_only: bool = False) -> list[str]:
        m = REF.match(ref)
        if not m:
            return [f"{where}: {ref!r} is not name:tag[@sha256:...]"]
        e = table.get((key(m["name"]), m["tag"]))
        if e is None:
            return [f"{where}: {m['name']}:{m['tag']} is not in security/image-digests.json"]
        if not m["digest"]:
            return [] if allow_tag_only else [f"{where}: {ref} has no digest"]
        if m["digest"] != e.get("digest"):
            return [f"{where}: {ref} differs from the recorded {e.get('digest')}"]
        return []

    probs = []
    for df in sorted(glob.glob(os.path.join(r, "apps/*/Dockerfile"))):
        stages: set[str] = set()
        for line in open(df, encoding="utf-8"):
            m = re.match(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", line, re.I)
            if not m:
                continue
            img, stage = m.group(1), m.group(2)
            if img != "scratch" and img not in stages:
                probs += against(img, os.path.relpath(df, r))
            if stage:
                stages.add(stage)
    checks.append(("dockerfiles", probs))

    probs = []
    compose = yaml.safe_load(open(os.path.join(r, "compose.yaml"), encoding="utf-8"))
    built = {s.get("image") for s in compose["services"].values() if "build" in s}
    for name, svc in compose["services"].items():
        img = svc.get("image")
        if not img or img in built or img.startswith("shop-platform/"):
            continue
        probs += against(img, f"compose.yaml {name}", allow_tag_only=img in PENDING)
    checks.append(("compose", probs))

    probs = []
    vpath = os.path.join(r, "components/versions.json")
    if os.path.exists(vpath):
        for k, v in (json.load(open(vpath, encoding="utf-8")).get("images") or {}).items():
            ref = v.get("image") if isinstance(v, dict) else v
            if isinstance(ref, str) and "@sha256:" in ref:
                probs += against(ref, f"components/versions.json images.{k}")
    checks.append(("versions", probs))

    probs = []
    if os.path.exists(vpath):
        charts = json.load(open(vpath, encoding="utf-8")).get("charts") or {}
        wired: set[tuple[str, str, str]] = set()
        for ck, c in charts.items():
            for i, img in enumerate(c.get("images") or []):
                ref = img.get("image", "")
                where = f"components/versions.json charts.{ck}.images[{i}] ({img.get('values')})"
                m = REF.match(ref)
                e = table.get((key(m["name"]), m["tag"])) if m else None
                probs += against(ref, where, allow_tag_only=bool(e) and e.get("digest") is None)
                if e is not None and ck not in chart_keys(e):
                    probs.append(f"{where}: security/image-digests.json says chart {e.get('chart')!r}, not {ck!r}")
                if m:
                    wired.add((ck, key(m["name"]), m["tag"]))
        for (name, tag), e in table.items():
            for ck in chart_keys(e):
                if (ck, name, tag) not in wired:
                    probs.append(f"security/image-digests.json {name}:{tag} names chart {ck} but charts.{ck}.images does not list it")
    checks.append(("charts", probs))

    failed = 0
    for name, p in checks:
        if p:
            failed += 1
            print(f"FAIL digests-{name}: " + "; ".join(p))
        else:
            print(f"PASS digests-{name}")
    print(f"checks: {len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
