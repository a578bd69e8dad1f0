"""Redis cache that never fails a request: every error falls back to PostgreSQL."""
from __future__ import annotations

import logging
import time

from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from .metrics import REDIS_ERRORS

log = logging.getLogger("storefront.cache")

TIMEOUT = 0.05  # seconds, socket connect and read/write
BACKOFF = 1.0  # after a failure, skip Redis for this long (readyz still probes it)

FAILED = object()


class Cache:
    def __init__(self, url: str, ttl: int):
        self.ttl = ttl
        self.client: Redis | None = None
        if url:
            self.client = Redis.from_url(
                url,
                socket_timeout=TIMEOUT,
                socket_connect_timeout=TIMEOUT,
                retry=Retry(NoBackoff(), 0),
                retry_on_timeout=False,
                health_check_interval=0,
                max_connections=256,
            )
        self._down_until = 0.0

    @property
    def enabled(self) -> bool:
        return self.client is not None and self.ttl > 0

    def _available(self) -> bool:
        return self.enabled and time.monotonic() >= self._down_until

    def _failed(self, op: str, exc: BaseException) -> None:
        REDIS_ERRORS.inc()
        self._down_until = time.monotonic() + BACKOFF
        log.warning("redis call failed, falling back to postgres", extra={"fields": {"op": op, "error": type(exc).__name__}})

    async def get(self, key: str):
        """bytes on a hit, None when absent, FAILED when Redis is unusable."""
        if not self._available():
            return FAILED
        try:
            return await self.client.get(key)
        except Exception as exc:  # noqa: BLE001 - any Redis failure falls back
            self._failed("get", exc)
            return FAILED

    async def set(self, key: str, value: bytes) -> None:
        if not self._available():
            return
        try:
            await self.client.set(key, value, ex=self.ttl)
        except Exception as exc:  # noqa: BLE001
            self._failed("set", exc)

    async def delete(self, *keys: str) -> None:
        if self.client is None:
            return
        try:
            await self.client.delete(*keys)
        except Exception as exc:  # noqa: BLE001
            self._failed("delete", exc)

    async def incr(self, key: str) -> None:
        if self.client is None:
            return
        try:
            await self.client.incr(key)
        except Exception as exc:  # noqa: BLE001
            self._failed("incr", exc)

    async def ping(self) -> bool:
        if self.client is None:
            return False
        try:
            await self.client.ping()
        except Exception as exc:  # noqa: BLE001
            self._failed("ping", exc)
            return False
        self._down_until = 0.0
        return True

    async def close(self) -> None:
        if self.client is not None:
            try:
                await self.client.aclose()
            except Exception:  # noqa: BLE001
                pass
