"""Redis and PostgreSQL outages, real cache expiry, disabled cache and graceful shutdown."""
from __future__ import annotations

import signal
import subprocess
import threading
import time

import httpx
import psycopg
from conftest import new_sku, wait_for


def test_redis_killed_mid_test_requests_keep_working_then_recover(make_app, restore_servers, product):
    servers = restore_servers
    app = make_app()
    assert app.get(f"/api/products/{product}").status_code == 200
    errors_before = app.metric("shop_redis_errors_total")
    servers.redis_stop()
    for _ in range(5):
        r = app.get(f"/api/products/{product}")
        assert r.status_code == 200 and r.json()["sku"] == product
        assert app.get("/api/products", params={"limit": 5}).status_code == 200
    start = time.monotonic()
    r = app.get("/api/products/DEMO-00004")
    assert r.status_code == 200 and time.monotonic() - start < 1.0
    assert app.client.post("/api/orders", json={"items": [{"sku": product, "qty": 1}]}).status_code == 201
    ready = app.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "degraded", "checks": {"postgres": "ok", "redis": "error"}}
    assert app.metric("shop_redis_errors_total") > errors_before
    assert app.proc.poll() is None  # no crash loop
    servers.redis_start()
    wait_for(lambda: app.get("/readyz").json()["status"] == "ready", 10, "redis recovery")
    app.get(f"/api/products/{product}")
    hits = app.metric("shop_cache_hits_total")
    assert app.get(f"/api/products/{product}").json()["stock"] == 9
    assert app.metric("shop_cache_hits_total") == hits + 1  # caching again after reconnect


def test_app_starts_with_redis_down(make_app, restore_servers):
    restore_servers.redis_stop()
    app = make_app()  # waits for /readyz 200 (degraded)
    assert app.get("/readyz").json()["status"] == "degraded"
    assert app.get("/api/products/DEMO-00001").status_code == 200
    restore_servers.redis_start()
    wait_for(lambda: app.get("/readyz").json()["status"] == "ready", 10, "redis reconnect")


def test_postgres_stopped_503_then_recovers(make_app, restore_servers):
    servers = restore_servers
    app = make_app()
    cached = app.get("/api/products/DEMO-00005")
    assert cached.status_code == 200
    errors_before = app.metric("shop_db_errors_total")
    servers.pg_stop()
    r = app.get("/readyz")
    assert r.status_code == 503
    assert r.json()["status"] == "unready" and r.json()["checks"]["postgres"] == "error"
    r = app.get("/api/products/DEMO-00006")  # not cached: needs PostgreSQL
    assert r.status_code == 503 and r.json()["error"]["code"] == "database_unavailable"
    r = app.client.post("/api/orders", json={"items": [{"sku": "DEMO-00006", "qty": 1}]})
    assert r.status_code == 503 and r.json()["error"]["code"] == "database_unavailable"
    assert app.get("/api/products/DEMO-00005").json() == cached.json()  # still served from Redis
    assert app.metric("shop_db_errors_total") >= errors_before + 2
    assert app.get("/healthz").status_code == 200 and app.proc.poll() is None
    servers.pg_start()
    wait_for(lambda: app.get("/readyz").status_code == 200, 20, "postgres recovery", interval=0.25)
    assert app.get("/api/products/DEMO-00006").status_code == 200


def test_app_starts_with_postgres_down_and_becomes_ready(make_app, restore_servers):
    restore_servers.pg_stop()
    app = make_app(wait_ready=False)
    assert app.get("/healthz").status_code == 200
    assert app.get("/readyz").status_code == 503
    restore_servers.pg_start()
    wait_for(lambda: app.get("/readyz").status_code == 200, 20, "postgres at startup", interval=0.25)
    assert app.get("/api/products/DEMO-00007").status_code == 200


def test_real_expiry_with_short_ttl(make_app, db, rds):
    app = make_app(CACHE_TTL_SECONDS=1)
    sku = new_sku()
    assert app.admin("POST", "/api/products",
                     {"sku": sku, "name": "old", "description": "", "price_cents": 1, "stock": 1}).status_code == 201
    assert app.get(f"/api/products/{sku}").json()["name"] == "old"
    assert 0 < rds.pttl(f"sf:product:{sku}") <= 1000
    db.execute("UPDATE products SET name = 'new' WHERE sku = %s", (sku,))
    assert app.get(f"/api/products/{sku}").json()["name"] == "old"
    time.sleep(1.2)
    assert rds.exists(f"sf:product:{sku}") == 0
    assert app.get(f"/api/products/{sku}").json()["name"] == "new"


def test_ttl_zero_disables_cache(make_app, db, rds):
    app = make_app(CACHE_TTL_SECONDS=0)
    sku = new_sku()
    app.admin("PUT", f"/api/products/{sku}", {"name": "a", "description": "", "price_cents": 1, "stock": 1})
    assert app.get(f"/api/products/{sku}").json()["name"] == "a"
    assert rds.exists(f"sf:product:{sku}") == 0
    db.execute("UPDATE products SET name = 'b' WHERE sku = %s", (sku,))
    assert app.get(f"/api/products/{sku}").json()["name"] == "b"
    assert app.metric("shop_cache_hits_total") == 0


def test_graceful_shutdown_finishes_in_flight_request(make_app, servers):
    app = make_app(CACHE_TTL_SECONDS=0)
    locker = psycopg.connect(servers.database_url)
    locker.execute("LOCK TABLE products IN ACCESS EXCLUSIVE MODE")  # the next read blocks on this lock
    result = {}

    def slow_request():
        result["r"] = httpx.get(f"{app.base}/api/products/DEMO-00008", timeout=20)

    t = threading.Thread(target=slow_request)
    t.start()
    time.sleep(0.7)
    assert "r" not in result  # really in flight
    sigterm_at = time.monotonic()
    app.proc.send_signal(signal.SIGTERM)
    time.sleep(0.7)
    refused = False
    try:
        httpx.get(f"{app.base}/healthz", timeout=1)
    except httpx.HTTPError:
        refused = True
    assert refused, "server still accepts new connections after SIGTERM"
    locker.rollback()  # release the lock: the in-flight request can finish
    locker.close()
    t.join(15)
    assert result["r"].status_code == 200 and result["r"].json()["sku"] == "DEMO-00008"
    code = app.proc.wait(10)
    assert time.monotonic() - sigterm_at < 10
    assert code == 0


def test_web_concurrency_workers_share_one_metrics_view_and_stop_cleanly(make_app):
    """WEB_CONCURRENCY=2: two uvicorn worker processes behind one socket; /metrics (answered by either
    worker) counts every worker's requests; SIGTERM stops the supervisor and both workers with status 0."""
    app = make_app(WEB_CONCURRENCY=2)
    children = subprocess.run(["ps", "-ww", "--ppid", str(app.proc.pid), "-o", "args="], capture_output=True, text=True).stdout
    assert children.count("multiprocessing.spawn") == 2, children
    for _ in range(40):
        assert app.get("/api/products/DEMO-00010").status_code == 200
    for _ in range(4):  # whichever worker answers, the totals are the pod's
        assert app.metric("shop_http_requests_total",
                          'method="GET",route="/api/products/{sku}",status="200"') == 40
    # DB_POOL_MAX (10) per worker. A worker adds its pool once its startup has run, which on a loaded
    # machine can come after the requests above (all answered by the other worker): wait for it.
    deadline = time.monotonic() + 20
    while (pool := app.metric("shop_db_pool_max_connections")) < 20 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert pool == 20
    start = time.monotonic()
    app.proc.send_signal(signal.SIGTERM)
    assert app.proc.wait(10) == 0
    assert time.monotonic() - start < 10
    leftover = subprocess.run(["ps", "--ppid", str(app.proc.pid), "-o", "pid="], capture_output=True, text=True).stdout
    assert leftover.strip() == ""
