"""Prometheus metrics: names and labels are a contract (docs/contracts.md §2).

With WEB_CONCURRENCY > 1, `run serve` sets PROMETHEUS_MULTIPROC_DIR before any worker imports this module:
every worker then writes its values to files there and /metrics (served by any worker) adds them up, so a
scrape sees the whole pod, not one worker. Gauges sum over the live workers ("livesum").
"""
from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client import generate_latest as _generate_latest

disable_created_metrics()

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)

HTTP_REQUESTS = Counter("shop_http_requests_total", "Requests served.", ["route", "method", "status"])
HTTP_DURATION = Histogram(
    "shop_http_request_duration_seconds", "Request latency.", ["route", "method"], buckets=BUCKETS
)
CACHE_HITS = Counter("shop_cache_hits_total", "Reads answered from Redis.")
CACHE_MISSES = Counter("shop_cache_misses_total", "Reads that went to PostgreSQL because the key was absent.")
REDIS_ERRORS = Counter("shop_redis_errors_total", "Redis calls that failed or timed out.")
DB_POOL = Gauge("shop_db_pool_connections", "Connections in the pool.", ["state"], multiprocess_mode="livesum")
DB_POOL_MAX = Gauge("shop_db_pool_max_connections", "The pool's maximum size.", multiprocess_mode="livesum")
DB_ERRORS = Counter("shop_db_errors_total", "PostgreSQL calls that failed (the request answered 503).")
ORDERS_CREATED = Counter("shop_orders_created_total", "Orders committed.")

MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def exposition() -> tuple[bytes, str]:
    """The /metrics body: this process's registry, or every worker's values in multiprocess mode."""
    if MULTIPROC_DIR:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return _generate_latest(registry), CONTENT_TYPE_LATEST
    return _generate_latest(), CONTENT_TYPE_LATEST


def worker_exited() -> None:
    """Drop this worker's live gauges (its counters stay: they are part of the pod's totals)."""
    if MULTIPROC_DIR:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())
