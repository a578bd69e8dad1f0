"""Every storefront endpoint against the real process, PostgreSQL and Redis."""
from __future__ import annotations

import json
import pathlib
import subprocess

import pytest
from conftest import RUN, new_sku


def assert_error(r, status_range=(400, 499), code=None):
    assert status_range[0] <= r.status_code <= status_range[1], (r.status_code, r.text)
    body = r.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str)
    if code:
        assert body["error"]["code"] == code, body


def test_healthz(app):
    r = app.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_readyz_ready(app):
    r = app.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "checks": {"postgres": "ok", "redis": "ok"}}


def test_list_products_default_and_paging(app):
    r = app.get("/api/products")
    assert r.status_code == 200
    body = r.json()
    assert body["limit"] == 20 and body["offset"] == 0 and len(body["items"]) == 20
    skus = [p["sku"] for p in body["items"]]
    assert skus == sorted(skus)
    page = app.get("/api/products", params={"limit": 5, "offset": 5}).json()
    assert [p["sku"] for p in page["items"]] == skus[5:10]
    assert set(page["items"][0]) == {"sku", "name", "description", "price_cents", "stock", "updated_at"}
    assert len(app.get("/api/products", params={"limit": 100}).json()["items"]) >= 30


@pytest.mark.parametrize("params", [
    {"limit": 0}, {"limit": 101}, {"limit": -1}, {"offset": -1}, {"limit": "abc"}, {"offset": "1.5"},
])
def test_list_products_bad_params(app, params):
    assert_error(app.get("/api/products", params=params))


def test_get_product(app):
    r = app.get("/api/products/DEMO-00003")
    assert r.status_code == 200
    assert r.json()["sku"] == "DEMO-00003" and r.json()["name"] == "Demo product 3"


def test_get_unknown_product_404(app):
    assert_error(app.get("/api/products/NOPE-404"), (404, 404), "product_not_found")


@pytest.mark.parametrize("sku", ["ab", "lower-case", "-LEADING", "A" * 33, "BAD_SKU", "X"])
def test_get_malformed_sku_4xx(app, sku):
    assert_error(app.get(f"/api/products/{sku}"))


def test_unknown_route_404_json(app):
    assert_error(app.get("/api/nothing-here"), (404, 404), "not_found")


def test_wrong_method_405_json(app):
    assert_error(app.client.delete("/api/products/DEMO-00001"), (405, 405), "method_not_allowed")
    assert_error(app.client.post("/healthz"), (405, 405), "method_not_allowed")


def product_body(sku, **kw):
    return {"sku": sku, "name": "Widget", "description": "A widget", "price_cents": 999, "stock": 5, **kw}


def test_admin_auth(app):
    sku = new_sku()
    r = app.client.post("/api/products", json=product_body(sku))
    assert_error(r, (401, 401), "unauthorized")
    r = app.client.post("/api/products", json=product_body(sku), headers={"Authorization": "Bearer wrong-token"})
    assert_error(r, (403, 403), "forbidden")
    r = app.client.post("/api/products", json=product_body(sku), headers={"Authorization": f"Basic {app.admin_token}"})
    assert_error(r, (401, 401))
    r = app.client.put(f"/api/products/{sku}", json=product_body(sku), headers={"Authorization": "Bearer x"})
    assert_error(r, (403, 403))
    assert app.get(f"/api/products/{sku}").status_code == 404


def test_create_product_and_conflict(app):
    sku = new_sku()
    r = app.admin("POST", "/api/products", product_body(sku))
    assert r.status_code == 201, r.text
    assert r.json()["sku"] == sku and r.json()["price_cents"] == 999
    assert app.get(f"/api/products/{sku}").json()["name"] == "Widget"
    assert_error(app.admin("POST", "/api/products", product_body(sku)), (409, 409), "product_exists")


@pytest.mark.parametrize("body", [
    {"name": "x", "description": "", "price_cents": 1, "stock": 1},                       # missing sku
    {"sku": "GOOD-1", "name": "x", "description": "", "price_cents": -1, "stock": 1},    # negative price
    {"sku": "GOOD-1", "name": "x", "description": "", "price_cents": 1, "stock": -5},    # negative stock
    {"sku": "GOOD-1", "name": "x", "description": "", "price_cents": "1", "stock": 1},   # string number
    {"sku": "GOOD-1", "name": "x", "description": "", "price_cents": 1.5, "stock": 1},   # float
    {"sku": "GOOD-1", "name": "", "description": "", "price_cents": 1, "stock": 1},      # empty name
    {"sku": "bad sku", "name": "x", "description": "", "price_cents": 1, "stock": 1},    # malformed sku
    {"sku": "GOOD-1", "name": "x", "description": "", "price_cents": 1, "stock": 1, "color": "red"},  # unknown
    {"sku": "GOOD-1", "name": "x", "price_cents": 1, "stock": 1},                        # missing description
    [],
])
def test_create_product_invalid_body_4xx(app, body):
    assert_error(app.admin("POST", "/api/products", body), (400, 422))


def test_invalid_json_400(app):
    r = app.client.post("/api/products", content=b"{not json", headers={
        "Authorization": f"Bearer {app.admin_token}", "Content-Type": "application/json"})
    assert_error(r, (400, 400), "invalid_json")
    r = app.client.post("/api/orders", content=b'{"items": [', headers={"Content-Type": "application/json"})
    assert_error(r, (400, 400), "invalid_json")


def test_put_replaces_and_creates(app):
    sku = new_sku()
    r = app.admin("PUT", f"/api/products/{sku}", product_body(sku))
    assert r.status_code == 201, r.text
    body = {"name": "Renamed", "description": "new", "price_cents": 5, "stock": 7}
    r = app.admin("PUT", f"/api/products/{sku}", body)
    assert r.status_code == 200 and r.json()["name"] == "Renamed" and r.json()["stock"] == 7
    assert_error(app.admin("PUT", f"/api/products/{sku}", product_body("OTHER-SKU")), (422, 422), "sku_mismatch")
    assert_error(app.admin("PUT", f"/api/products/{sku}", {"name": "only name"}), (422, 422))
    assert_error(app.admin("PUT", "/api/products/bad_sku", body))


def test_cache_ttl_and_served_from_redis(app, db, rds, product):
    key = f"sf:product:{product}"
    first = app.get(f"/api/products/{product}").json()
    pttl = rds.pttl(key)
    assert 8000 < pttl <= 10000, pttl
    hits = app.metric("shop_cache_hits_total")
    # change the row behind the app's back: a read inside the TTL must not touch PostgreSQL
    db.execute("UPDATE products SET name = 'changed in pg' WHERE sku = %s", (product,))
    again = app.get(f"/api/products/{product}").json()
    assert again == first and again["name"] == "Test product"
    assert app.metric("shop_cache_hits_total") == hits + 1
    assert json.loads(rds.get(key)) == first


def test_list_cache_and_invalidation_after_admin_write(app, db, rds):
    app.get("/api/products", params={"limit": 3})
    version = (rds.get("sf:products:ver") or b"0").decode()
    key = f"sf:products:v{version}:3:0"
    assert 8000 < rds.pttl(key) <= 10000
    first = app.get("/api/products", params={"limit": 3}).json()
    target = first["items"][0]["sku"]
    db.execute("UPDATE products SET name = 'sneaky' WHERE sku = %s", (target,))
    assert app.get("/api/products", params={"limit": 3}).json() == first  # cached
    app.get(f"/api/products/{target}")  # cache the item too
    body = {"name": "Via admin", "description": "x", "price_cents": 1, "stock": 1}
    assert app.admin("PUT", f"/api/products/{target}", body).status_code == 200
    assert rds.get(f"sf:product:{target}") is None
    assert app.get(f"/api/products/{target}").json()["name"] == "Via admin"
    assert app.get("/api/products", params={"limit": 3}).json()["items"][0]["name"] == "Via admin"
    # restore the demo row for other tests
    subprocess.run([str(RUN), "seed", "30"], check=True, capture_output=True, env=app.env)


def test_metrics_contract(app):
    app.get("/api/products/DEMO-00001")
    text = app.get("/metrics").text
    for name in ("shop_http_requests_total", "shop_http_request_duration_seconds_bucket", "shop_cache_hits_total",
                 "shop_cache_misses_total", "shop_redis_errors_total", "shop_db_pool_connections",
                 "shop_db_pool_max_connections", "shop_db_errors_total", "shop_orders_created_total"):
        assert f"\n{name}" in text, name
    assert 'shop_http_requests_total{method="GET",route="/api/products/{sku}",status="200"}' in text
    assert "DEMO-00001" not in text  # route templates, never raw paths
    assert 'shop_db_pool_connections{state="in_use"}' in text and 'shop_db_pool_connections{state="idle"}' in text
    assert app.metric("shop_db_pool_max_connections") == 10
    for le in ("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "+Inf"):
        assert f'le="{le}"' in text
    assert "_created{" not in text and "shop_cache_hits_created" not in text


def test_exports_every_metric_the_alert_rules_and_dashboards_use(app):
    """monitoring/app-metrics.txt lists every shop_* metric a rule or dashboard reads (a monitoring
    test keeps it equal to what they reference): after real traffic, /metrics must export each."""
    listed = pathlib.Path(__file__).resolve().parents[3].joinpath("monitoring", "app-metrics.txt").read_text().split()
    assert len(listed) >= 5
    app.get("/api/products", params={"limit": 2})
    app.get("/api/products/DEMO-00003")
    app.get("/api/products/DEMO-00003")
    text = app.get("/metrics").text
    exported = {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line and not line.startswith("#")}
    for name in listed:
        assert {name, f"{name}_bucket"} & exported, f"{name} is used by monitoring/ but not exported"


def test_structured_request_logs_and_no_secrets(app, servers):
    app.get("/api/products/DEMO-00002")
    app.client.post("/api/products", json={}, headers={"Authorization": "Bearer wrong"})
    lines = [json.loads(line) for line in app.logs().splitlines() if line.startswith("{")]
    reqs = [x for x in lines if x.get("msg") == "request"]
    assert any(x["route"] == "/api/products/{sku}" and x["method"] == "GET" and x["status"] == 200
               and isinstance(x["duration_ms"], float) for x in reqs)
    text = app.logs()
    for secret in (servers.pg_password, servers.redis_password, app.admin_token):
        assert secret not in text
    start = [x for x in lines if x.get("msg") == "starting storefront"][0]
    assert ":***@" in start["database_url"] and ":***@" in start["redis_url"]


# ---- orders -----------------------------------------------------------------------------------

def order(app, items, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return app.client.post("/api/orders", json={"items": items}, headers=headers)


def stock(db, sku):
    return db.execute("SELECT stock FROM products WHERE sku = %s", (sku,)).fetchone()[0]


def test_order_create_and_get(app, db, product):
    before = app.metric("shop_orders_created_total")
    r = order(app, [{"sku": product, "qty": 3}])
    assert r.status_code == 201, r.text
    o = r.json()
    assert o["status"] == "confirmed" and o["items"] == [{"sku": product, "qty": 3, "price_cents": 250}]
    assert o["total_cents"] == 750
    assert stock(db, product) == 7
    assert app.get(f"/api/orders/{o['id']}").json() == o
    assert app.metric("shop_orders_created_total") == before + 1
    # the order invalidated the cached product: the new stock is visible at once
    assert app.get(f"/api/products/{product}").json()["stock"] == 7


def test_order_insufficient_stock_409_and_nothing_changes(app, db, product):
    assert_error(order(app, [{"sku": product, "qty": 11}]), (409, 409), "insufficient_stock")
    other = new_sku()
    app.admin("POST", "/api/products", product_body(other, stock=1))
    # second line fails: the first line's decrement must be rolled back
    assert_error(order(app, [{"sku": product, "qty": 2}, {"sku": other, "qty": 2}]), (409, 409))
    assert stock(db, product) == 10 and stock(db, other) == 1


def test_order_unknown_sku_and_merging(app, db, product):
    assert_error(order(app, [{"sku": "NOT-THERE-1", "qty": 1}]), (422, 422), "unknown_sku")
    r = order(app, [{"sku": product, "qty": 1}, {"sku": product, "qty": 2}])
    assert r.status_code == 201 and r.json()["items"][0]["qty"] == 3
    assert stock(db, product) == 7


@pytest.mark.parametrize("body", [
    {"items": []}, {"items": [{"sku": "DEMO-00001", "qty": 0}]}, {"items": [{"sku": "DEMO-00001", "qty": -2}]},
    {"items": [{"sku": "DEMO-00001"}]}, {"items": [{"sku": "DEMO-00001", "qty": 1, "x": 1}]},
    {"items": [{"sku": "demo", "qty": 1}]}, {"items": "nope"}, {}, {"items": [{"sku": "DEMO-00001", "qty": "1"}]},
])
def test_order_malformed_4xx(app, body, db):
    before = stock(db, "DEMO-00001")
    assert_error(app.client.post("/api/orders", json=body))
    assert stock(db, "DEMO-00001") == before


def test_order_not_found_and_bad_id(app):
    assert_error(app.get("/api/orders/999999999"), (404, 404), "order_not_found")
    assert_error(app.get("/api/orders/abc"))
    assert_error(app.get("/api/orders/0"))


def test_idempotent_retry_returns_same_order(app, db, product):
    key = "retry-" + new_sku()
    r1 = order(app, [{"sku": product, "qty": 2}], key)
    r2 = order(app, [{"sku": product, "qty": 2}], key)
    assert r1.status_code == 201 and r2.status_code in (200, 201)
    assert r1.json()["id"] == r2.json()["id"] and r1.json() == r2.json()
    assert stock(db, product) == 8
    n = db.execute("SELECT count(*) FROM orders WHERE idempotency_key = %s", (key,)).fetchone()[0]
    assert n == 1
    assert_error(order(app, [{"sku": product, "qty": 1}], key), (409, 422))
    assert stock(db, product) == 8
    assert_error(order(app, [{"sku": product, "qty": 1}], "x" * 201))


def test_idempotent_concurrent_retries(app, db, product):
    from concurrent.futures import ThreadPoolExecutor
    key = "conc-" + new_sku()
    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda _: order(app, [{"sku": product, "qty": 1}], key), range(10)))
    assert all(r.status_code in (200, 201) for r in results), [r.text for r in results]
    assert len({r.json()["id"] for r in results}) == 1
    assert stock(db, product) == 9


def test_fifty_concurrent_buyers_for_ten_units(app, db, product):
    import threading
    from concurrent.futures import ThreadPoolExecutor
    barrier = threading.Barrier(50)

    def buy(_):
        barrier.wait()
        return order(app, [{"sku": product, "qty": 1}])

    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(buy, range(50)))
    codes = sorted(r.status_code for r in results)
    assert codes.count(201) == 10, codes
    assert codes.count(409) == 40, codes
    assert stock(db, product) == 0
    sold = db.execute("SELECT coalesce(sum(qty), 0) FROM order_items WHERE sku = %s", (product,)).fetchone()[0]
    assert sold == 10


def test_migrate_and_seed_idempotent(app, db):
    r = subprocess.run([str(RUN), "migrate"], env=app.env, capture_output=True, text=True, check=True)
    assert '"applied":[]' in r.stdout
    versions = [v for (v,) in db.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions[0] == "001_init"
    before = db.execute("SELECT count(*) FROM products WHERE sku LIKE 'DEMO-%%'").fetchone()[0]
    subprocess.run([str(RUN), "seed", "30"], env=app.env, capture_output=True, check=True)
    after = db.execute("SELECT count(*) FROM products WHERE sku LIKE 'DEMO-%%'").fetchone()[0]
    assert before == after == 30


@pytest.mark.parametrize("path", [
    "/api/products?limit=0", "/api/products?limit=101", "/api/products?offset=-1", "/api/products?limit=abc",
    "/api/products?offset=1.5", "/api/products?offset=1000001", "/api/products?limit=", "/api/products/lower-case",
    "/api/products/" + "A" * 33,
])
def test_hot_read_validation_is_422_validation_error(app, path):
    """The cached reads validate by hand (no FastAPI parameter machinery): same 422 contract as the rest."""
    r = app.get(path)
    assert_error(r, (422, 422), "validation_error")
    assert r.json()["error"]["message"].split(":")[0] in ("limit", "offset", "sku")


def test_hot_reads_keep_route_templates_and_defaults(app):
    body = app.get("/api/products", params={"limit": "7", "offset": "3"}).json()
    assert (body["limit"], body["offset"], body["count"]) == (7, 3, 7)
    assert app.get("/api/products").json()["limit"] == 20
    assert app.get("/api/products/DEMO-00001").status_code == 200
    text = app.get("/metrics").text
    assert 'route="/api/products",status="200"' in text and 'route="/api/products/{sku}",status="200"' in text
    assert_error(app.client.delete("/api/products"), (405, 405), "method_not_allowed")
