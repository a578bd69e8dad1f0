"""Render bench/catalog.sh results into the "## Catalog" section of docs/benchmarks.md."""
import datetime
import re
import sys
from pathlib import Path

(results, queries, profile, doc, nproc, cpu, duration, conns, threads, stampede_ttl, baseline_ref,
 have_baseline, preotel_ref, have_preotel, sink_stats, load_before, load_after, go_v, redis_v) = sys.argv[1:20]

rows = {}
for line in Path(results).read_text().splitlines():
    label, rps, p50, p99, non2xx, sockerr = line.split("\t")
    rows[label] = {"rps": float(rps), "p50": p50, "p99": p99, "non2xx": int(non2xx), "err": int(sockerr)}


def ms(v):
    """wrk prints 512.00us / 1.23ms / 1.02s."""
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", v)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]


def ratio(a, b):
    return rows[a]["rps"] / rows[b]["rps"]


def verdict(ok):
    return "met" if ok else "MISSED"


table = ["| run | req/s | p50 | p99 | non-2xx | socket errors |", "|---|---:|---:|---:|---:|---:|"]
for label, r in rows.items():
    if label.startswith("stampede-"):
        continue
    table.append(f"| {label} | {r['rps']:,.0f} | {r['p50']} | {r['p99']} | {r['non2xx']} | {r['err']} |")

checks = []
for kind in ("item", "list"):
    v = ratio(f"catalog-{kind}-cached", "go-hello")
    checks.append((f"cached {kind} / bare net/http hello", f"{v:.2f}× (target ≥ 0.5×: {verdict(v >= 0.5)})"))
for kind in ("item", "list"):
    p99 = ms(rows[f"catalog-{kind}-cached"]["p99"])
    checks.append((f"p99 cached {kind} at {conns} connections", f"{p99:.2f} ms (target ≤ 5 ms: {verdict(p99 <= 5)})"))
if have_baseline:
    for kind in ("item", "list"):
        checks.append((f"cached {kind}: now / before ({baseline_ref})",
                       f"{ratio(f'catalog-{kind}-cached', f'baseline-{kind}-cached'):.2f}×"))
if have_preotel:
    for kind in ("item", "list"):
        checks.append((f"cached {kind}, no OTEL endpoint: now / without OpenTelemetry ({preotel_ref})",
                       f"{ratio(f'catalog-{kind}-cached', f'preotel-{kind}-cached'):.2f}×"))
for kind in ("item", "list"):
    checks.append((f"cached {kind}: tracing on (every request exported) / off",
                   f"{ratio(f'catalog-{kind}-cached-traced', f'catalog-{kind}-cached'):.2f}×"))
checks.append(("cached item: tracing on, 10 % sampled / off",
               f"{ratio('catalog-item-cached-traced-10pct', 'catalog-item-cached'):.2f}×"))
bad = sum(r["non2xx"] + r["err"] for r in rows.values())
checks.append(("non-2xx and socket errors, all runs", f"{bad} (target 0: {verdict(bad == 0)})"))

qrows = ["| key | requests | PostgreSQL queries | TTL windows | queries per window | target ≤ 2 |", "|---|---:|---:|---:|---:|---|"]
for line in Path(queries).read_text().splitlines():
    kind, calls, windows = line.split("\t")
    per = int(calls) / int(windows)
    r = rows[f"stampede-{kind}"]
    qrows.append(f"| {kind} | {r['rps'] * float(duration):,.0f} | {calls} | {windows} | {per:.2f} | {verdict(per <= 2)} |")

sink_req, sink_bytes = (sink_stats.split() + ["?", "?"])[:2]
prof = Path(profile).read_text().rstrip()

section = f"""## Catalog

Measured by `bash bench/catalog.sh` on {datetime.date.today().isoformat()} (a script, not a test; rerun it to
refresh this section). Machine: {nproc} CPUs ({cpu}) shared by wrk, PostgreSQL 15, Redis {redis_v} and the app,
on loopback; {go_v}. Load average (1/5/15 min) before the run {load_before}, after {load_after} — the
machine is shared with other engineers, so compare rows of this run, not absolutes across runs.

Each run: `wrk -t{threads} -c{conns} -d{duration}s --latency` after 20 warm-up requests and a 2 s warm-up run; one
process at a time. Item `DEMO-00042`, list `?limit=20` of 100 rows. Cached runs: `CACHE_TTL_SECONDS=300`
(near cache 1 s in front of Redis); uncached: `CACHE_TTL_SECONDS=0`. The catalog logs its one JSON line per
request (to /dev/null here) as in production; the hello logs nothing. `baseline-*` is the catalog built
from `{baseline_ref}` (before this work), `preotel-*` from `{preotel_ref}` (this work without
OpenTelemetry); `*-traced` exports every request (`OTEL_TRACES_SAMPLER=always_on`)
to a local OTLP/HTTP sink ({sink_req} export requests, {sink_bytes} bytes received), `*-traced-10pct`
samples 10 % of new traces (`parentbased_traceidratio`, `0.1`); the other catalog
rows run with no OTEL endpoint, i.e. tracing off, the default.

{chr(10).join(table)}

| check | value |
|---|---|
{chr(10).join(f"| {k} | {v} |" for k, v in checks)}

Stampede (issue 19 item 2): one replica, `CACHE_TTL_SECONDS={stampede_ttl}`, {conns} connections on one hot key
for {duration} s, PostgreSQL's own count of executed list/item queries (`pg_stat_statements`, reset before
each key):

{chr(10).join(qrows)}

Top frames (cumulative) of a 6 s CPU profile of the cached item read under the same load (pprof build tag):

```
{prof}
```
"""

path = Path(doc)
text = path.read_text() if path.exists() else "# Benchmarks\n\n"
marker = "<!-- catalog-notes -->"
m = re.search(r"## Catalog\n.*?(?=\n## |\Z)", text, re.S)
if m:
    old = m.group(0)
    notes = "\n" + old[old.index(marker):].rstrip() + "\n" if marker in old else ""
    text = text[: m.start()] + section + notes + text[m.end():]
else:
    text = text.rstrip() + "\n\n" + section
path.write_text(text)
