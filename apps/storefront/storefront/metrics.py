"""Prometheus metrics: names and labels are a contract (docs/contracts.md §2)."""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

disable_created_metrics()

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)

HTTP_REQUESTS = Counter("shop_http_requests_total", "Requests served.", ["route", "method", "status"])
HTTP_DURATION = Histogram(
    "shop_http_request_duration_seconds", "Request latency.", ["route", "method"], buckets=BUCKETS
)
CACHE_HITS = Counter("shop_cache_hits_total", "Reads answered from Redis.")
CACHE_MISSES = Counter("shop_cache_misses_total", "Reads that went to PostgreSQL because the key was absent.")
REDIS_ERRORS = Counter("shop_redis_errors_total", "Redis calls that failed or timed out.")
DB_POOL = Gauge("shop_db_pool_connections", "Connections in the pool.", ["state"])
DB_POOL_MAX = Gauge("shop_db_pool_max_connections", "The pool's maximum size.")
DB_ERRORS = Counter("shop_db_errors_total", "PostgreSQL calls that failed (the request answered 503).")
ORDERS_CREATED = Counter("shop_orders_created_total", "Orders committed.")
