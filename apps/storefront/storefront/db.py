"""PostgreSQL pool, migrations and demo seed."""
from __future__ import annotations

import logging
import time
from pathlib import Path

import psycopg
from psycopg_pool import AsyncConnectionPool

from . import tracing
from .metrics import DB_POOL, DB_POOL_MAX

log = logging.getLogger("storefront.db")

MIGRATIONS = Path(__file__).parent / "migrations"
CONNECT_KWARGS = {"connect_timeout": 3, "options": "-c statement_timeout=15000", "application_name": "storefront"}


async def check_connection(conn) -> None:
    """The pool's liveness check on every checkout (an empty statement), without a span of its own:
    a trace shows the queries the request made."""
    with tracing.quiet():
        await AsyncConnectionPool.check_connection(conn)


class Database:
    def __init__(self, url: str, max_size: int, timeout: float):
        self.max_size = max_size
        self.pool = AsyncConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            open=False,
            timeout=timeout,
            kwargs=dict(CONNECT_KWARGS),
            check=check_connection,
            reconnect_timeout=3600,
            name="storefront",
        )
        DB_POOL_MAX.set(max_size)

    async def open(self) -> None:
        # wait=False: the app starts (and /healthz answers) while PostgreSQL is still down.
        await self.pool.open(wait=False)

    async def close(self) -> None:
        await self.pool.close(timeout=2)

    async def ping(self, timeout: float = 1.0) -> bool:
        try:
            async with self.pool.connection(timeout=timeout) as conn:
                await conn.execute("SELECT 1")
            return True
        except Exception:  # noqa: BLE001 - any failure means not ready
            return False

    def update_gauges(self) -> None:
        stats = self.pool.get_stats()
        size = stats.get("pool_size", 0)
        idle = stats.get("pool_available", 0)
        DB_POOL.labels(state="in_use").set(max(size - idle, 0))
        DB_POOL.labels(state="idle").set(idle)


def connect_with_retry(url: str, wait_seconds: float) -> psycopg.Connection:
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return psycopg.connect(url, **CONNECT_KWARGS)
        except psycopg.OperationalError as exc:
            if time.monotonic() >= deadline:
                raise
            log.warning("postgres not reachable yet, retrying", extra={"fields": {"error": type(exc).__name__}})
            time.sleep(1)


def migrate(url: str, wait_seconds: float = 30) -> list[str]:
    """Apply migrations/NNN_*.sql not yet recorded in schema_migrations. Idempotent and safe to run
    concurrently (an advisory lock serialises migrators)."""
    applied_now: list[str] = []
    with connect_with_retry(url, wait_seconds) as conn:
        conn.autocommit = True
        conn.execute("SELECT pg_advisory_lock(727001)")
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
            for path in sorted(MIGRATIONS.glob("*.sql")):
                version = path.stem
                if version in done:
                    continue
                with conn.transaction():
                    conn.execute(path.read_text())
                    conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (version,))
                applied_now.append(version)
                log.info("migration applied", extra={"fields": {"version": version}})
        finally:
            conn.execute("SELECT pg_advisory_unlock(727001)")
    return applied_now


def seed(url: str, n: int) -> int:
    """Upsert n demo products DEMO-00001..; running it again leaves the same rows."""
    rows = [
        (f"DEMO-{i:05d}", f"Demo product {i}", f"Demo product number {i}.", 100 + (i * 37) % 9900, 100)
        for i in range(1, n + 1)
    ]
    with connect_with_retry(url, 30) as conn:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO products (sku, name, description, price_cents, stock) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (sku) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,"
                " price_cents = EXCLUDED.price_cents, stock = EXCLUDED.stock, updated_at = now()",
                rows,
            )
        conn.commit()
    return n
