"""Render bench/run.sh results into the "## Applications" section of docs/benchmarks.md."""
import datetime
import re
import sys
from pathlib import Path

results, doc, nproc, cpu, mem, duration, conns, threads, redis_v, go_v, py_v = sys.argv[1:12]
rows = {}
for line in Path(results).read_text().splitlines():
    label, rps, p50, p99, non2xx = line.split("\t")
    rows[label] = {"rps": float(rps), "p50": p50, "p99": p99, "non2xx": int(non2xx)}


def ratio(a, b):
    return rows[a]["rps"] / rows[b]["rps"]


def verdict(value, target):
    return f"{value:.2f}× (target ≥ {target}×: {'met' if value >= target else 'MISSED'})"


table = ["| run | req/s | p50 | p99 | non-2xx |", "|---|---:|---:|---:|---:|"]
for label, r in rows.items():
    table.append(f"| {label} | {r['rps']:,.0f} | {r['p50']} | {r['p99']} | {r['non2xx']} |")

checks = [
    ("catalog cached item / bare net/http hello", verdict(ratio("catalog-item-cached", "go-hello"), 0.5)),
    ("catalog cached list / bare net/http hello", verdict(ratio("catalog-list-cached", "go-hello"), 0.5)),
    ("storefront cached item / bare uvicorn+FastAPI hello", verdict(ratio("storefront-item-cached", "python-hello"), 0.5)),
    ("storefront cached list / bare uvicorn+FastAPI hello", verdict(ratio("storefront-list-cached", "python-hello"), 0.5)),
    ("catalog cached list / uncached list", verdict(ratio("catalog-list-cached", "catalog-list-uncached"), 5)),
    ("storefront cached list / uncached list", verdict(ratio("storefront-list-cached", "storefront-list-uncached"), 5)),
    ("catalog cached item / uncached item", f"{ratio('catalog-item-cached', 'catalog-item-uncached'):.2f}× (no target)"),
    ("storefront cached item / uncached item",
     f"{ratio('storefront-item-cached', 'storefront-item-uncached'):.2f}× (no target)"),
]

section = f"""## Applications

Measured by `bash bench/run.sh` on {datetime.date.today().isoformat()} (a script, not a test; rerun it to refresh
this section). Machine: {nproc} CPUs ({cpu}), {mem} RAM; wrk, PostgreSQL 15, Redis {redis_v}, the app and
the load generator all share these {nproc} CPUs on loopback. {go_v}, {py_v}.

Each run: `wrk -t{threads} -c{conns} -d{duration}s --latency` after 20 warm-up requests and a 2 s warm-up run;
one app process at a time (storefront: one uvicorn worker with uvloop + httptools; catalog: one Go process).
"Cached" runs use `CACHE_TTL_SECONDS=300` so that every request of the run is a Redis hit; "uncached" runs use
`CACHE_TTL_SECONDS=0` (every request reads PostgreSQL). The item is `DEMO-00042`; the list is
`?limit=20` out of 100 seeded products. Apps log one JSON line per request (to /dev/null here), exactly as in
production; the bare hellos log nothing and do no Redis round trip, which is what the ratio measures.

{chr(10).join(table)}

| ratio | value |
|---|---|
{chr(10).join(f"| {k} | {v} |" for k, v in checks)}
"""

path = Path(doc)
text = path.read_text() if path.exists() else "# Benchmarks\n\n"
notes_marker = "<!-- applications-notes -->"
notes = ""
if "## Applications" in text:
    m = re.search(r"## Applications\n.*?(?=\n## |\Z)", text, re.S)
    old = m.group(0)
    if notes_marker in old:
        notes = "\n" + old[old.index(notes_marker):].rstrip() + "\n"
    text = text[: m.start()] + section + notes + text[m.end():]
else:
    text = text.rstrip() + "\n\n" + section
path.write_text(text)
