"""OpenTelemetry: spans exported over real OTLP/HTTP protobuf to a local receiver, W3C trace context in and
out, trace ids in the log lines; and nothing at all when no endpoint is configured.

Attribute names are those the pinned instrumentations emit by default (OTEL_SEMCONV_STABILITY_OPT_IN unset):
opentelemetry-instrumentation-asgi/-fastapi 0.66b1 (http.method, http.route, http.status_code),
-dbapi/-psycopg 0.66b1 (db.system "postgresql", db.name, db.statement), -redis 0.66b1 (db.system "redis",
db.statement with arguments as "?")."""
from __future__ import annotations

import errno
import json
import secrets
import time

import pytest
from conftest import free_port, new_sku, wait_for
from otlp_receiver import Receiver


@pytest.fixture
def otlp():
    r = Receiver()
    yield r
    r.close()


def traced_env(receiver: Receiver, **extra) -> dict:
    return {
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
        "OTEL_SERVICE_NAME": "storefront-test",
        "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=test,service.namespace=shop",
        "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
        "OTEL_TRACES_SAMPLER_ARG": "1.0",
        "OTEL_BSP_SCHEDULE_DELAY": "100",  # ms: export quickly in a test
        "REDIS_TIMEOUT_SECONDS": 1,  # a shared, loaded machine must not turn the Redis spans into fallbacks
        **extra,
    }


def request_lines(app) -> list[dict]:
    return [json.loads(line) for line in app.logs().splitlines()
            if line.startswith("{") and '"msg":"request"' in line]


def ancestors(span: dict, by_id: dict) -> list[str]:
    out, cur = [], span
    while cur["parent_span_id"] in by_id:
        cur = by_id[cur["parent_span_id"]]
        out.append(cur["span_id"])
    return out


def test_traced_request_exports_server_db_and_redis_spans(make_app, otlp):
    app = make_app(**traced_env(otlp))
    sku = new_sku("TRACE")
    assert app.admin("PUT", f"/api/products/{sku}", {"name": "traced", "description": "", "price_cents": 3,
                                                     "stock": 1}).status_code == 201
    trace_id, parent_id = secrets.token_hex(16), secrets.token_hex(8)
    r = app.get(f"/api/products/{sku}", headers={"traceparent": f"00-{trace_id}-{parent_id}-01",
                                                 "tracestate": "shop=test"})
    assert r.status_code == 200 and r.json()["name"] == "traced"
    # context out: the response names the server span of the caller's trace
    version, out_trace, server_span_id, flags = r.headers["traceresponse"].split("-")
    assert (version, out_trace, flags) == ("00", trace_id, "01")

    spans = otlp.wait_for(trace_id, lambda s: any(x["kind"] == "SPAN_KIND_SERVER" for x in s)
                          and any(x["attributes"].get("db.system") == "postgresql" for x in s))
    by_id = {s["span_id"]: s for s in spans}
    [server] = [s for s in spans if s["kind"] == "SPAN_KIND_SERVER"]
    assert server["span_id"] == server_span_id
    assert server["parent_span_id"] == parent_id  # context in: a child of the caller's span
    assert server["name"] == "GET /api/products/{sku}"
    assert server["scope"] == "opentelemetry.instrumentation.fastapi"
    attrs = server["attributes"]
    assert attrs["http.route"] == "/api/products/{sku}"
    assert attrs["http.method"] == "GET"
    assert attrs["http.status_code"] == 200
    assert attrs["http.target"] == f"/api/products/{sku}"
    assert server["resource"]["service.name"] == "storefront-test"
    assert server["resource"]["deployment.environment"] == "test"
    assert server["resource"]["service.namespace"] == "shop"

    pg = [s for s in spans if s["attributes"].get("db.system") == "postgresql"]
    assert len(pg) == 1, pg  # the read; the pool's liveness check makes no span
    [select] = pg
    assert select["kind"] == "SPAN_KIND_CLIENT" and select["name"] == "SELECT"
    assert select["attributes"]["db.statement"] == (
        "SELECT sku, name, description, price_cents, stock, updated_at FROM products WHERE sku = %s")
    assert select["attributes"]["db.name"] == "shop"
    assert sku not in json.dumps(select)  # parameters are not recorded

    rds = [s for s in spans if s["attributes"].get("db.system") == "redis"]
    assert rds, spans
    statements = [s["attributes"]["db.statement"] for s in rds]
    assert "GET ?\nPTTL ?" in statements  # the miss
    assert any(st.startswith("SET ?") for st in statements)  # the lock and the fill
    for s in pg + rds:
        assert s["kind"] == "SPAN_KIND_CLIENT"
        assert server["span_id"] in ancestors(s, by_id), s  # children of this request's server span
    text = json.dumps(spans)
    for secret in (app.admin_token,):
        assert secret not in text

    # the request's log line carries the same trace and the server span
    lines = [x for x in request_lines(app) if x["path"] == f"/api/products/{sku}"]
    assert lines and lines[-1]["trace_id"] == trace_id and lines[-1]["span_id"] == server["span_id"]
    assert otlp.requests[0]["path"] == "/v1/traces"
    assert otlp.requests[0]["content_type"] == "application/x-protobuf"


def test_untraced_request_gets_a_new_trace_and_cached_reads_no_db_span(make_app, otlp):
    app = make_app(**traced_env(otlp))
    app.get("/api/products/DEMO-00012")  # fill the cache
    r = app.get("/api/products/DEMO-00012")
    trace_id = r.headers["traceresponse"].split("-")[1]
    spans = otlp.wait_for(trace_id, lambda s: any(x["kind"] == "SPAN_KIND_SERVER" for x in s))
    [server] = spans
    assert server["parent_span_id"] == ""  # a root span: nothing came in
    assert not [s for s in spans if s["kind"] == "SPAN_KIND_CLIENT"]  # served from the near cache
    line = [x for x in request_lines(app) if x["path"] == "/api/products/DEMO-00012"][-1]
    assert line["trace_id"] == trace_id


def test_sampler_from_env_drops_unsampled_traces_but_logs_keep_trace_ids(make_app, otlp):
    app = make_app(**traced_env(otlp, OTEL_TRACES_SAMPLER="parentbased_always_off"))
    trace_id = secrets.token_hex(16)
    r = app.get("/api/products/DEMO-00013", headers={"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-00"})
    assert r.status_code == 200
    time.sleep(1)
    assert otlp.trace(trace_id) == []
    line = [x for x in request_lines(app) if x["path"] == "/api/products/DEMO-00013"][-1]
    assert line["trace_id"] == trace_id


def test_head_sampling_ratio_zero_records_no_new_trace(make_app, otlp):
    """What the platform sets below 100 % (config appTraceRecordPercent): parentbased_traceidratio with
    the ratio as OTEL_TRACES_SAMPLER_ARG. Ratio 0: new traces (no traceparent) are not recorded; the
    other tests run the same sampler with 1.0 and see every span."""
    app = make_app(**traced_env(otlp, OTEL_TRACES_SAMPLER_ARG="0"))
    for _ in range(5):
        assert app.get("/api/products/DEMO-00013").status_code == 200
    time.sleep(1)
    assert otlp.spans == []


def test_probes_are_not_traced(make_app, otlp):
    app = make_app(**traced_env(otlp))
    for path in ("/healthz", "/readyz", "/metrics"):
        assert app.get(path).status_code == 200
    app.get("/api/products/DEMO-00014")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(s["kind"] == "SPAN_KIND_SERVER" for s in otlp.spans):
        time.sleep(0.05)
    servers = [s for s in otlp.spans if s["kind"] == "SPAN_KIND_SERVER"]
    assert servers and {s["attributes"]["http.route"] for s in servers} == {"/api/products/{sku}"}


def _bind_default_otlp_port():
    """The SDK's default OTLP/HTTP endpoint is localhost:4318: listen there if we can, so that an app that
    wrongly enabled tracing without an endpoint would be caught exporting."""
    try:
        return Receiver(port=4318)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        return None


def test_no_endpoint_no_export_no_error(make_app):
    default = _bind_default_otlp_port()
    try:
        app = make_app(OTEL_SERVICE_NAME="storefront-test", OTEL_TRACES_SAMPLER="always_on")
        trace_id = secrets.token_hex(16)
        r = app.get("/api/products/DEMO-00015", headers={"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"})
        assert r.status_code == 200
        assert "traceresponse" not in r.headers
        app.get("/api/products?limit=2")
        time.sleep(1.5)
        lines = [json.loads(line) for line in app.logs().splitlines() if line.startswith("{")]
        assert not [x for x in lines if x["level"] in ("warning", "error")], lines
        assert not [x for x in lines if "trace_id" in x]
        assert not [x for x in lines if x.get("msg") == "tracing on"]
        if default is not None:
            assert default.requests == []
    finally:
        if default is not None:
            default.close()


def test_otel_sdk_disabled_wins(make_app, otlp):
    app = make_app(**traced_env(otlp, OTEL_SDK_DISABLED="true"))
    r = app.get("/api/products/DEMO-00016")
    assert r.status_code == 200 and "traceresponse" not in r.headers
    time.sleep(1)
    assert otlp.requests == []


def test_every_log_line_of_a_traced_request_carries_its_trace(make_app, otlp):
    """Not only the request line: a warning logged while serving the request (here: Redis unreachable,
    the read falls back to PostgreSQL) carries the same trace_id and the server span's span_id."""
    dead_redis = f"redis://:nopass@127.0.0.1:{free_port()}/0"
    app = make_app(**traced_env(otlp, REDIS_URL=dead_redis))
    time.sleep(1.2)  # past the 1 s back-off that /readyz's failed ping started: the read tries Redis again
    trace_id = secrets.token_hex(16)
    r = app.get("/api/products/DEMO-00017", headers={"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"})
    assert r.status_code == 200
    server_span = r.headers["traceresponse"].split("-")[2]

    def traced_lines():
        return [json.loads(x) for x in app.logs().splitlines() if x.startswith("{") and trace_id in x]

    # The access line is written after the response has gone out, so the client can read its
    # answer before the server's log has it: wait for the line instead of racing it.
    wait_for(lambda: any(x["msg"] == "request" for x in traced_lines()), 10, "the request's access log line")
    lines = traced_lines()
    warnings = [x for x in lines if x["msg"].startswith("redis call failed")]
    requests = [x for x in lines if x["msg"] == "request"]
    assert warnings and requests, lines
    for line in warnings + requests:
        assert line["trace_id"] == trace_id and line["span_id"] == server_span, line


def test_every_worker_exports(make_app, otlp):
    """WEB_CONCURRENCY=2: each worker process sets up its own exporter (the supervisor traces nothing)."""
    app = make_app(**traced_env(otlp, WEB_CONCURRENCY=2))
    ids = [secrets.token_hex(16) for _ in range(12)]
    for trace_id in ids:
        r = app.get("/api/products/DEMO-00018", headers={"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"})
        assert r.status_code == 200
    for trace_id in ids:
        otlp.wait_for(trace_id, lambda s: any(x["kind"] == "SPAN_KIND_SERVER" for x in s))
    instances = {s["resource"]["service.instance.id"] for s in otlp.spans if s["kind"] == "SPAN_KIND_SERVER"}
    assert 1 <= len(instances) <= 2  # one resource per worker that answered
    # Each worker logs "tracing on" at its startup, which on a loaded machine can come after the requests
    # above (all answered by the other worker): wait for both.
    deadline = time.monotonic() + 20
    while (on := sum('"msg":"tracing on"' in x for x in app.logs().splitlines())) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert on == 2
