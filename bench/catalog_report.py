"""Render bench/catalog.sh results into the "## Catalog" section of docs/benchmarks.md."""
import datetime
import re
import statistics
import sys
from pathlib import Path

(results, queries, profile, doc, nproc, cpu, duration, conns, threads, stampede_ttl, rounds, stampede_s, baseline_ref,
 have_baseline, preotel_ref, have_preotel, sink_stats, load_before, load_after, go_v, redis_v) = sys.argv[1:22]

runs = {}
for line in Path(results).read_text().splitlines():
    label, rps, p50, p99, non2xx, sockerr, cpu_us = line.split("\t")
    runs.setdefault(label, []).append({"rps": float(rps), "p50": p50, "p99": p99, "non2xx": int(non2xx),
                                       "err": int(sockerr), "cpu": float(cpu_us)})


def ms(v):
    """wrk prints 512.00us / 1.23ms / 1.02s."""
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", v)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]


def fmt_ms(v):
    return f"{v:.2f}ms"


rows = {}
for label, rs in runs.items():
    rows[label] = {"rps": statistics.median(r["rps"] for r in rs),
                   "rps_all": [r["rps"] for r in rs],
                   "p50": fmt_ms(statistics.median(ms(r["p50"]) for r in rs)),
                   "p99": fmt_ms(statistics.median(ms(r["p99"]) for r in rs)),
                   "p99_all": [r["p99"] for r in rs],
                   "cpu": statistics.median(r["cpu"] for r in rs),
                   "non2xx": sum(r["non2xx"] for r in rs), "err": sum(r["err"] for r in rs)}


def ratio(a, b):
    return rows[a]["rps"] / rows[b]["rps"]


def verdict(ok):
    return "met" if ok else "MISSED"


table = ["| run | req/s (median) | per round | app CPU µs/request | p50 | p99 (median) | p99 per round | non-2xx | socket errors |",
         "|---|---:|---|---:|---:|---:|---|---:|---:|"]
for label, r in rows.items():
    if label.startswith("stampede-"):
        continue
    table.append(f"| {label} | {r['rps']:,.0f} | {' / '.join(f'{x:,.0f}' for x in r['rps_all'])} | {r['cpu']:.1f} | {r['p50']} | "
                 f"{r['p99']} | {' / '.join(r['p99_all'])} | {r['non2xx']} | {r['err']} |")

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
def cpu_ratio(a, b):
    return rows[a]["cpu"] / rows[b]["cpu"]


if have_preotel:
    for kind in ("item", "list"):
        checks.append((f"cached {kind}, no OTEL endpoint: now / without OpenTelemetry ({preotel_ref})",
                       f"throughput {ratio(f'catalog-{kind}-cached', f'preotel-{kind}-cached'):.2f}×, "
                       f"app CPU per request {cpu_ratio(f'catalog-{kind}-cached', f'preotel-{kind}-cached'):.2f}×"))
for kind in ("item", "list"):
    checks.append((f"cached {kind}: tracing on (every request exported) / off",
                   f"throughput {ratio(f'catalog-{kind}-cached-traced', f'catalog-{kind}-cached'):.2f}×, "
                   f"app CPU per request {cpu_ratio(f'catalog-{kind}-cached-traced', f'catalog-{kind}-cached'):.2f}×"))
checks.append(("cached item: tracing on, 10 % sampled / off",
               f"throughput {ratio('catalog-item-cached-traced-10pct', 'catalog-item-cached'):.2f}×, "
               f"app CPU per request {cpu_ratio('catalog-item-cached-traced-10pct', 'catalog-item-cached'):.2f}×"))
bad = sum(r["non2xx"] + r["err"] for r in rows.values())
checks.append(("non-2xx and socket errors, all runs", f"{bad} (target 0: {verdict(bad == 0)})"))

qrows = ["| key | requests | PostgreSQL queries | TTL windows touched | queries per window | target ≤ 2 |", "|---|---:|---:|---:|---:|---|"]
for line in Path(queries).read_text().splitlines():
    kind, calls, windows = line.split("\t")
    per = int(calls) / int(windows)
    r = rows[f"stampede-{kind}"]
    qrows.append(f"| {kind} | {r['rps'] * float(stampede_s):,.0f} | {calls} | {windows} | {per:.2f} | {verdict(per <= 2)} |")

sink_req, sink_bytes = (sink_stats.split() + ["?", "?"])[:2]
prof = Path(profile).read_text().rstrip()

section = f"""## Catalog

Measured by `bash bench/catalog.sh` on {datetime.date.today().isoformat()} (a script, not a test; rerun it to
refresh this section). Machine: {nproc} CPUs ({cpu}) shared by wrk, PostgreSQL 15, Redis {redis_v} and the app,
on loopback; {go_v}. Load average (1/5/15 min) before the run {load_before}, after {load_after} — the
machine is shared with other engineers, so compare rows of this run, not absolutes across runs.

Each run: `wrk -t{threads} -c{conns} -d{duration}s --latency` after a 1 s warm-up run. Every variant runs as its own
process at the same time (idle while another is measured), and the runs are interleaved in {rounds} rounds so
that the machine's changing load hits all variants alike; tables give the median of the rounds. "App CPU
µs/request" is the measured process's user+system CPU time (`/proc/<pid>/stat`) over the requests wrk
completed: unlike req/s and latency it hardly depends on what else the shared machine runs. Item `DEMO-00042`, list `?limit=20` of 100 rows. Cached runs: `CACHE_TTL_SECONDS=300`
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
for {stampede_s} s, PostgreSQL's own count of executed list/item queries (`pg_stat_statements`, reset before
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
