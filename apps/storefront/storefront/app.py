"""The storefront HTTP API (FastAPI)."""
from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import hmac
import logging
import re
import time
from contextlib import asynccontextmanager
from typing import Annotated

import orjson
import psycopg
from fastapi import Depends, FastAPI, Header, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from psycopg.rows import dict_row
from psycopg_pool import PoolClosed, PoolTimeout
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import metrics as m
from . import tracing
from .cache import LIST_PREFIX, Cache
from .config import Settings
from .db import Database
from .logs import request_line

log = logging.getLogger("storefront.http")

SKU_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,31}$"
SKU_RE = re.compile(SKU_PATTERN)
INT_RE = re.compile(r"-?[0-9]{1,12}")
Sku = Annotated[str, StringConstraints(pattern=SKU_PATTERN)]
MAX_INT = 1_000_000_000


def product_key(sku: str) -> str:
    return f"sf:product:{sku}"


def list_key(version: str, limit: int, offset: int) -> str:
    """Redis key of a list page under the current list version (a write bumps the version)."""
    return f"{LIST_PREFIX}v{version}:{limit}:{offset}"


class AppError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


class ProductBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    description: Annotated[str, StringConstraints(max_length=5000)]
    price_cents: Annotated[int, Field(ge=0, le=MAX_INT)]
    stock: Annotated[int, Field(ge=0, le=MAX_INT)]


class ProductCreate(ProductBody):
    sku: Sku


class ProductReplace(ProductBody):
    sku: Sku | None = None  # optional in PUT; when given it must match the path


class OrderItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    sku: Sku
    qty: Annotated[int, Field(ge=1, le=10_000)]


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    items: Annotated[list[OrderItemIn], Field(min_length=1, max_length=100)]


def dumps(obj) -> bytes:
    return orjson.dumps(obj, default=str)


def json_bytes(body: bytes, status: int = 200) -> Response:
    return Response(content=body, status_code=status, media_type="application/json")


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps({"error": {"code": code, "message": message}}), status, headers, "application/json")


def product_dict(row: dict) -> dict:
    return {
        "sku": row["sku"],
        "name": row["name"],
        "description": row["description"],
        "price_cents": row["price_cents"],
        "stock": row["stock"],
        "updated_at": row["updated_at"].isoformat(),
    }


PRODUCT_COLS = "sku, name, description, price_cents, stock, updated_at"


RAW_ROUTES: dict = {}  # Starlette endpoint → route template (set in create_app)


class MetricsLogMiddleware:
    """Pure ASGI middleware: one JSON log line and the shop_http_* metrics per request."""

    def __init__(self, app):
        self.app = app
        # labels() validates and hashes its arguments on every call; the children are cached per
        # (route, method, status) instead (bounded: unknown methods beyond the bound are not cached).
        self._children: dict[tuple[str, str, int], tuple] = {}

    def _observe(self, route: str, method: str, status: int, duration: float) -> None:
        key = (route, method, status)
        children = self._children.get(key)
        if children is None:
            children = (m.HTTP_REQUESTS.labels(route, method, str(status)), m.HTTP_DURATION.labels(route, method))
            if len(self._children) < 512:
                self._children[key] = children
        children[0].inc()
        children[1].observe(duration)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            duration = time.perf_counter() - start
            route_obj = scope.get("route")  # FastAPI routes put themselves here; plain Starlette routes do not
            route = getattr(route_obj, "path", None) or RAW_ROUTES.get(scope.get("endpoint")) or "unmatched"
            method = scope["method"]
            self._observe(route, method, status, duration)
            request_line(method, route, scope["path"], status, round(duration * 1000, 3))


def int_param(query, name: str, default: int, lo: int, hi: int) -> int:
    """An integer query parameter in [lo, hi]; absent → default; anything else → 422 validation_error."""
    raw = query.get(name)
    if raw is None:
        return default
    if INT_RE.fullmatch(raw) is None:
        raise AppError(422, "validation_error", f"{name}: Input should be a valid integer")
    value = int(raw)
    if value < lo:
        raise AppError(422, "validation_error", f"{name}: Input should be greater than or equal to {lo}")
    if value > hi:
        raise AppError(422, "validation_error", f"{name}: Input should be less than or equal to {hi}")
    return value


def validation_message(request: Request, exc: RequestValidationError) -> tuple[int, str, str]:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, "invalid_json", "request body is not valid JSON"
    content_type = request.headers.get("content-type", "")
    body_errors = [e for e in errors if tuple(e.get("loc", ())) == ("body",)]
    if body_errors and content_type and "json" not in content_type.lower():
        return 415, "unsupported_media_type", "send the body as JSON with Content-Type: application/json"
    parts = []
    for e in errors[:5]:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
        parts.append(f"{loc or 'body'}: {e.get('msg', 'invalid')}")
    return 422, "validation_error", "; ".join(parts)


def create_app(settings: Settings) -> FastAPI:
    db = Database(settings.database_url.get_secret_value(), settings.db_pool_max, settings.db_timeout_seconds)
    cache = Cache(settings.redis_url.get_secret_value(), settings.cache_ttl_seconds, settings.near_cache_ttl_seconds,
                  settings.redis_timeout_seconds)
    admin_token = settings.admin_token.get_secret_value().encode()

    async def refresh_gauges():
        # multiprocess mode: /metrics is answered by one worker, so each worker publishes its pool gauges itself
        while True:
            db.update_gauges()
            await asyncio.sleep(1)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await db.open()
        gauges = asyncio.create_task(refresh_gauges()) if m.MULTIPROC_DIR else None
        # Everything imported and built so far lives as long as the process: moving it out of the garbage
        # collector's generations keeps full collections (pauses under load, i.e. p99) short.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if gauges is not None:
                gauges.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await gauges
            await db.close()
            await cache.close()
            m.worker_exited()
            tracing.shutdown()

    # FastAPI's own (native) telemetry is off: the server spans come from opentelemetry-instrumentation-fastapi
    # (storefront/tracing.py), and FastAPI would otherwise check for a configured provider on every request
    # (fastapi 0.165.0, fastapi/applications.py FastAPI.__call__ → NativeTelemetry.enabled()).
    app = FastAPI(title="storefront", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None,
                  telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False})
    app.state.db, app.state.cache = db, cache
    app.add_middleware(MetricsLogMiddleware)

    @app.exception_handler(AppError)
    async def app_error(_: Request, exc: AppError):
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        status, code, message = validation_message(request, exc)
        return error_response(status, code, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException):
        codes = {404: "not_found", 405: "method_not_allowed", 400: "bad_request", 401: "unauthorized"}
        code = codes.get(exc.status_code, "http_error")
        message = "route not found" if exc.status_code == 404 else str(exc.detail)
        return error_response(exc.status_code, code, message, getattr(exc, "headers", None))

    async def db_unavailable(_: Request, exc: Exception):
        m.DB_ERRORS.inc()
        log.warning("postgres call failed", extra={"fields": {"error": type(exc).__name__}})
        return error_response(503, "database_unavailable", "the database is unavailable, retry later",
                              {"Retry-After": "1"})

    for exc_type in (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout, PoolClosed):
        app.add_exception_handler(exc_type, db_unavailable)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception):
        log.error("unhandled error", exc_info=exc)
        return error_response(500, "internal_error", "internal error")

    def require_admin(authorization: Annotated[str | None, Header()] = None) -> None:
        if not authorization:
            raise AppError(401, "unauthorized", "missing bearer token", {"WWW-Authenticate": "Bearer"})
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AppError(401, "unauthorized", "expected 'Authorization: Bearer <token>'", {"WWW-Authenticate": "Bearer"})
        if not admin_token or not hmac.compare_digest(token.strip().encode(), admin_token):
            raise AppError(403, "forbidden", "invalid admin token")

    async def invalidate(*skus: str) -> None:
        await cache.invalidate([product_key(s) for s in skus])

    # ---- probes and metrics ------------------------------------------------------------------
    @app.get("/healthz")
    async def healthz():
        return json_bytes(b'{"status":"ok"}')

    @app.get("/readyz")
    async def readyz():
        pg_ok = await db.ping()
        redis_ok = await cache.ping()
        checks = {"postgres": "ok" if pg_ok else "error", "redis": "ok" if redis_ok else "error"}
        if not pg_ok:
            return json_bytes(dumps({"status": "unready", "checks": checks}), 503)
        return json_bytes(dumps({"status": "ready" if redis_ok else "degraded", "checks": checks}))

    @app.get("/metrics")
    async def metrics():
        db.update_gauges()
        body, content_type = m.exposition()
        return Response(body, media_type=content_type)

    # ---- products ----------------------------------------------------------------------------
    # The two hot reads are plain Starlette endpoints inside the FastAPI app (same router, middleware, error
    # handlers and route templates): FastAPI's per-request parameter machinery (solve_dependencies and
    # pydantic validation of two query parameters or a path parameter) cost about as much CPU as a whole
    # bare FastAPI hello in the profile (docs/benchmarks.md). They validate exactly what the annotated
    # versions did: limit 1..100 (default 20), offset 0..1000000 (default 0), sku ^[A-Z0-9][A-Z0-9-]{2,31}$.
    async def list_products(request: Request):
        query = request.query_params
        limit = int_param(query, "limit", 20, 1, 100)
        offset = int_param(query, "offset", 0, 0, 1_000_000)

        async def load() -> bytes:
            async with db.pool.connection() as conn:
                cur = await conn.cursor(row_factory=dict_row).execute(
                    f"SELECT {PRODUCT_COLS} FROM products ORDER BY sku LIMIT %s OFFSET %s", (limit, offset)
                )
                rows = await cur.fetchall()
            items = [product_dict(r) for r in rows]
            return dumps({"items": items, "limit": limit, "offset": offset, "count": len(items)})

        body = await cache.read(f"{LIST_PREFIX}{limit}:{offset}", load, lambda version: list_key(version, limit, offset))
        return json_bytes(body)

    async def get_product(request: Request):
        sku = request.path_params["sku"]
        if SKU_RE.match(sku) is None:
            raise AppError(422, "validation_error", f"sku: String should match pattern '{SKU_PATTERN}'")

        async def load() -> bytes:
            async with db.pool.connection() as conn:
                cur = await conn.cursor(row_factory=dict_row).execute(
                    f"SELECT {PRODUCT_COLS} FROM products WHERE sku = %s", (sku,)
                )
                row = await cur.fetchone()
            if row is None:
                raise AppError(404, "product_not_found", f"no product with sku {sku}")
            return dumps(product_dict(row))

        return json_bytes(await cache.read(product_key(sku), load))

    for path, endpoint in (("/api/products", list_products), ("/api/products/{sku}", get_product)):
        app.add_route(path, endpoint, methods=["GET"], include_in_schema=False)
        RAW_ROUTES[endpoint] = path  # the route template for the metrics and the log line

    @app.post("/api/products", status_code=201, dependencies=[Depends(require_admin)])
    async def create_product(body: ProductCreate):
        async with db.pool.connection() as conn:
            cur = await conn.cursor(row_factory=dict_row).execute(
                "INSERT INTO products (sku, name, description, price_cents, stock) VALUES (%s, %s, %s, %s, %s)"
                f" ON CONFLICT (sku) DO NOTHING RETURNING {PRODUCT_COLS}",
                (body.sku, body.name, body.description, body.price_cents, body.stock),
            )
            row = await cur.fetchone()
        if row is None:
            raise AppError(409, "product_exists", f"a product with sku {body.sku} already exists")
        await invalidate(body.sku)
        return json_bytes(dumps(product_dict(row)), 201)

    @app.put("/api/products/{sku}", dependencies=[Depends(require_admin)])
    async def replace_product(sku: Annotated[str, Path(pattern=SKU_PATTERN)], body: ProductReplace):
        if body.sku is not None and body.sku != sku:
            raise AppError(422, "sku_mismatch", "sku in the body differs from the sku in the path")
        async with db.pool.connection() as conn:
            cur = await conn.cursor(row_factory=dict_row).execute(
                "INSERT INTO products (sku, name, description, price_cents, stock) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (sku) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,"
                " price_cents = EXCLUDED.price_cents, stock = EXCLUDED.stock, updated_at = now()"
                f" RETURNING {PRODUCT_COLS}, (xmax = 0) AS inserted",
                (sku, body.name, body.description, body.price_cents, body.stock),
            )
            row = await cur.fetchone()
        await invalidate(sku)
        return json_bytes(dumps(product_dict(row)), 201 if row["inserted"] else 200)

    # ---- orders ------------------------------------------------------------------------------
    async def load_order(conn, order_id: int) -> dict | None:
        cur = await conn.cursor(row_factory=dict_row).execute(
            "SELECT id, created_at, status FROM orders WHERE id = %s", (order_id,)
        )
        order = await cur.fetchone()
        if order is None:
            return None
        cur = await conn.cursor(row_factory=dict_row).execute(
            "SELECT sku, qty, price_cents FROM order_items WHERE order_id = %s ORDER BY sku", (order_id,)
        )
        items = await cur.fetchall()
        return {
            "id": order["id"],
            "status": order["status"],
            "created_at": order["created_at"].isoformat(),
            "items": items,
            "total_cents": sum(i["qty"] * i["price_cents"] for i in items),
        }

    @app.post("/api/orders", status_code=201)
    async def create_order(
        body: OrderIn,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)] = None,
    ):
        wanted: dict[str, int] = {}
        for item in body.items:
            wanted[item.sku] = wanted.get(item.sku, 0) + item.qty
        lines = sorted(wanted.items())  # fixed lock order: no deadlocks between orders
        request_hash = hashlib.sha256(dumps(lines)).hexdigest()
        async with db.pool.connection() as conn:
            async with conn.transaction():
                if idempotency_key is not None:
                    cur = await conn.execute(
                        "INSERT INTO orders (idempotency_key, request_hash) VALUES (%s, %s)"
                        " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
                        (idempotency_key, request_hash),
                    )
                    row = await cur.fetchone()
                    if row is None:  # a committed order already owns this key
                        cur = await conn.execute(
                            "SELECT id, request_hash FROM orders WHERE idempotency_key = %s", (idempotency_key,)
                        )
                        existing_id, existing_hash = await cur.fetchone()
                        if existing_hash != request_hash:
                            raise AppError(409, "idempotency_key_reused",
                                           "this Idempotency-Key was used with a different request body")
                        return json_bytes(dumps(await load_order(conn, existing_id)), 200)
                else:
                    cur = await conn.execute("INSERT INTO orders DEFAULT VALUES RETURNING id")
                    row = await cur.fetchone()
                order_id = row[0]
                for sku, qty in lines:
                    cur = await conn.execute(
                        "UPDATE products SET stock = stock - %s, updated_at = now()"
                        " WHERE sku = %s AND stock >= %s RETURNING price_cents",
                        (qty, sku, qty),
                    )
                    got = await cur.fetchone()
                    if got is None:
                        cur = await conn.execute("SELECT stock FROM products WHERE sku = %s", (sku,))
                        if await cur.fetchone() is None:
                            raise AppError(422, "unknown_sku", f"no product with sku {sku}")
                        raise AppError(409, "insufficient_stock", f"not enough stock for {sku}")
                    await conn.execute(
                        "INSERT INTO order_items (order_id, sku, qty, price_cents) VALUES (%s, %s, %s, %s)",
                        (order_id, sku, qty, got[0]),
                    )
                order = await load_order(conn, order_id)
        m.ORDERS_CREATED.inc()
        await invalidate(*(sku for sku, _ in lines))
        return json_bytes(dumps(order), 201)

    @app.get("/api/orders/{order_id}")
    async def get_order(order_id: Annotated[int, Path(ge=1, le=2**63 - 1)]):
        async with db.pool.connection() as conn:
            order = await load_order(conn, order_id)
        if order is None:
            raise AppError(404, "order_not_found", f"no order {order_id}")
        return json_bytes(dumps(order))

    tracing.instrument_app(app)
    return app


def app_from_env() -> FastAPI:
    """Factory for uvicorn worker processes (WEB_CONCURRENCY > 1): each is a fresh interpreter (spawn)
    that reads the same environment as `run serve`."""
    from .__main__ import bootstrap

    return create_app(bootstrap())
