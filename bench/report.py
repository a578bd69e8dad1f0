"""Render bench/run.sh results into the "## Applications" section of docs/benchmarks.md."""
import datetime
import math
import re
import sys
from pathlib import Path

(results, doc, nproc, cpu, mem, duration, conns, threads, redis_v, go_v, py_v,
 load_start, load_end, workers, warmup) = sys.argv[1:16]
rows = {}
for line in Path(results).read_text().splitlines():
    label, rps, p50, p99, non2xx, errors, list_q, item_q, ttl, elapsed, load, cpu_us = line.split("\t")
    queries = int(list_q) if "-list-" in label else int(item_q) if "-item-" in label else None
    rows[label] = {"rps": float(rps), "p50": p50, "p99": p99, "non2xx": int(non2xx), "errors": int(errors),
                   "queries": queries, "ttl": ttl, "elapsed": float(elapsed), "load": load,
                   "cpu_us": int(cpu_us)}


def ms(value: str) -> float:
    """wrk latency ("812.00us", "3.32ms", "1.02s") in milliseconds."""
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", value)
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]


def windows(r) -> int | None:
    """TTL windows the counted period spans (warm-up and run; a started window counts)."""
    if r["ttl"] in ("-", "0"):
        return None
    return max(1, math.ceil(r["elapsed"] / int(r["ttl"])))


table = ["| run | req/s | p50 | p99 | non-2xx | socket errors | app CPU / request | DB queries (this key) | TTL windows"
         " | queries / window | load (1 min) |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for label, r in rows.items():
    w = windows(r)
    q = "—" if r["queries"] is None else f"{r['queries']:,}"
    per = f"{r['queries'] / w:.2f}" if w and r["queries"] is not None else "—"
    table.append(f"| {label} | {r['rps']:,.0f} | {r['p50']} | {r['p99']} | {r['non2xx']} | {r['errors']} |"
                 f" {r['cpu_us']} µs | {q} |"
                 f" {w or '—'} | {per} | {r['load']} |")

checks = []


def ratio_check(name, a, b, target=None):
    if a in rows and b in rows:
        value = rows[a]["rps"] / rows[b]["rps"]
        verdict = f"target ≥ {target}×: {'met' if value >= target else 'MISSED'}" if target else "no target"
        checks.append((name, f"{value:.2f}× ({verdict})"))


def cpu_check(name, a, b):
    """The same ratio from the app's own CPU time per request: robust to other load on shared CPUs."""
    if a in rows and b in rows and rows[a]["cpu_us"]:
        checks.append((name, f"{rows[b]['cpu_us'] / rows[a]['cpu_us']:.2f}× (hello CPU/request ÷ app CPU/request)"))


def p99_check(label, target_ms, hello):
    if label in rows:
        value = ms(rows[label]["p99"])
        context = f"; the bare hello's p99 in this run: {rows[hello]['p99']}" if hello in rows else ""
        checks.append((f"{label} p99", f"{rows[label]['p99']} (target ≤ {target_ms} ms: "
                                       f"{'met' if value <= target_ms else 'MISSED'}{context})"))


def stampede_check(label):
    r = rows.get(label)
    if r and windows(r) and r["queries"] is not None:
        per = r["queries"] / windows(r)
        checks.append((f"{label} DB queries per key per TTL window (1 replica)",
                       f"{r['queries']} in {windows(r)} windows = {per:.2f} (target ≤ 2: {'met' if per <= 2 else 'MISSED'})"))


for app, hello in (("storefront", "python-hello"), ("catalog", "go-hello")):
    ratio_check(f"{app} cached item / bare hello", f"{app}-item-cached", hello, 0.5)
    ratio_check(f"{app} cached list / bare hello", f"{app}-list-cached", hello, 0.5)
    cpu_check(f"{app} cached item / bare hello, by CPU per request", f"{app}-item-cached", hello)
    cpu_check(f"{app} cached list / bare hello, by CPU per request", f"{app}-list-cached", hello)
    ratio_check(f"{app} cached item / uncached item", f"{app}-item-cached", f"{app}-item-uncached")
    ratio_check(f"{app} cached list / uncached list", f"{app}-list-cached", f"{app}-list-uncached")
    for kind in ("item", "list"):
        p99_check(f"{app}-{kind}-cached", 30 if app == "storefront" else 5, hello)
    for kind in ("item", "list"):
        stampede_check(f"{app}-{kind}-cached")
bad = sum(r["non2xx"] + r["errors"] for r in rows.values())
checks.append(("non-2xx responses and socket errors, all runs", f"{bad} (target 0: {'met' if bad == 0 else 'MISSED'})"))

ttls = ", ".join(sorted({f"{k.split('-')[0]} {r['ttl']} s" for k, r in rows.items() if "-cached" in k}))
section = f"""## Applications

Measured by `bash bench/run.sh` on {datetime.date.today().isoformat()} (a script, not a test; rerun it to refresh
this section). Machine: {nproc} CPUs ({cpu}), {mem} RAM, shared with other engineers: load average
{load_start} (1/5/15 min) when the run started, {load_end} when it ended. wrk, PostgreSQL 15, Redis {redis_v},
the app and the load generator all share these {nproc} CPUs on loopback. {go_v}, {py_v}.

Each run: `wrk -t{threads} -c{conns} -d{duration}s --latency` after 20 warm-up requests and a {warmup} s warm-up run;
one app process at a time (storefront: {workers} uvicorn worker(s) with uvloop + httptools, the Python hello the same;
catalog: one Go process). "Cached" runs use `CACHE_TTL_SECONDS` {ttls}: a TTL shorter than the run makes
it span several expiries under load (the stampede check); "uncached" runs use `CACHE_TTL_SECONDS=0` (every request reads PostgreSQL). The item is `DEMO-00042`;
the list is `?limit=20` out of 100 seeded products. Apps log one JSON line per request (to /dev/null here),
exactly as in production; the bare hellos log nothing and do no Redis round trip, which is what the ratio
measures. "App CPU / request" is the user+system CPU time of the app's processes during the timed run divided
by its requests: on a shared machine it moves much less than req/s. "DB queries" is what `pg_stat_statements` counted for the run's statement (list or item read) from
the first warm-up request to the end of the run; each run reads a single key, so it is per key.

{chr(10).join(table)}

| check | value |
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
