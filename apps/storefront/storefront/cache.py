"""Read-through cache that never fails a request: Redis (shared by every replica and worker) plus a small
in-process near cache, with single-flight refreshes so that an expiring hot key costs PostgreSQL one query.

Freshness: a body is served at most CACHE_TTL_SECONDS after PostgreSQL produced it, end to end. Redis entries
live CACHE_TTL_SECONDS (SET EX); a near-cache entry lives min(NEAR_CACHE_TTL_SECONDS, the Redis entry's
remaining PTTL read in the same round trip), so it can never outlive the Redis entry it copies. When the body
comes straight from PostgreSQL (Redis down) the near entry lives min(NEAR_CACHE_TTL_SECONDS, CACHE_TTL_SECONDS).

Stampede: when a key is absent, one request per process refreshes it (single-flight: the others await the
same task, in process, without touching Redis), and across processes and replicas the refresher first takes a
short Redis lock (SET NX PX); a process that loses the lock polls Redis for the winner's body instead of
querying PostgreSQL, and queries PostgreSQL itself only when the lock holder has not delivered within the
lock's lifetime (it died or PostgreSQL is slow). Waiters never get a stale body: they get the refreshed one, so
the freshness bound above still holds.
"""
from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from .metrics import CACHE_HITS, CACHE_MISSES, REDIS_ERRORS

log = logging.getLogger("storefront.cache")

TIMEOUT = 0.05  # seconds, socket connect and read/write (REDIS_TIMEOUT_SECONDS)
BACKOFF = 1.0  # after a failure, skip Redis for this long (readyz still probes it)
LOCK_TTL_MS = 2000  # refresh lock lifetime: longer than a normal query, short enough that a dead holder costs little
POLL_INTERVAL = 0.005  # a lock loser re-reads Redis this often while the holder refreshes
NEAR_MAX_ENTRIES = 4096  # bound on the near cache (items and list pages), oldest entries dropped first

FAILED = object()

Loader = Callable[[], Awaitable[bytes]]


class Cache:
    def __init__(self, url: str, ttl: int, near_ttl: float = 1.0, timeout: float = TIMEOUT):
        self.ttl = ttl
        self.near_ttl = max(0.0, min(near_ttl, float(ttl)))
        self.client: Redis | None = None
        if url:
            self.client = Redis.from_url(
                url,
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
                retry=Retry(NoBackoff(), 0),
                retry_on_timeout=False,
                health_check_interval=0,
                max_connections=256,
            )
        self._down_until = 0.0
        self._near: dict[str, tuple[bytes, float]] = {}
        self._flights: dict[str, asyncio.Future] = {}
        self._token = secrets.token_hex(8).encode()
        # bumped by every write this process makes, so that a refresh that began before it is not kept
        self._gen_items = 0
        self._gen_lists = 0

    @property
    def enabled(self) -> bool:
        """REDIS_URL empty or CACHE_TTL_SECONDS=0: no caching at all (the near cache only copies Redis)."""
        return self.client is not None and self.ttl > 0

    def _available(self) -> bool:
        return self.client is not None and self.ttl > 0 and time.monotonic() >= self._down_until

    def _failed(self, op: str, exc: BaseException) -> None:
        REDIS_ERRORS.inc()
        self._down_until = time.monotonic() + BACKOFF
        log.warning("redis call failed, falling back to postgres", extra={"fields": {"op": op, "error": type(exc).__name__}})

    # ---- the read path ---------------------------------------------------------------------------
    async def read(self, key: str, load: Loader, versioned: Callable[[str], str] | None = None) -> bytes:
        """The body for key: near cache, else one shared refresh (Redis, else PostgreSQL through load()).
        With versioned, the Redis key is versioned(<value of VERSION_KEY>) (list pages: a write bumps the
        version instead of deleting every page); key is then only the near-cache key."""
        if not self.enabled:
            return await load()
        entry = self._near.get(key)
        if entry is not None:
            if entry[1] > time.monotonic():
                CACHE_HITS.inc()
                return entry[0]
            del self._near[key]
        flight = self._flights.get(key)
        if flight is None:
            flight = asyncio.ensure_future(self._refresh(key, load, versioned))
            self._flights[key] = flight
            flight.add_done_callback(lambda f, k=key: self._landed(k, f))
        else:
            CACHE_HITS.inc()  # answered by another request's refresh, not by a query of its own
        # shield: a cancelled request (client gone) must not cancel the refresh other requests wait for
        return await asyncio.shield(flight)

    def _landed(self, key: str, flight: asyncio.Future) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        if not flight.cancelled():
            flight.exception()  # mark retrieved: the requests awaiting it re-raise it themselves

    def _keep(self, key: str, body: bytes, ttl_seconds: float, generation: int) -> None:
        if generation != self._generation(key) or self.near_ttl <= 0:
            return  # invalidated while refreshing: do not pin the pre-write body in this process
        if len(self._near) >= NEAR_MAX_ENTRIES:
            now = time.monotonic()
            stale = [k for k, (_, expires) in self._near.items() if expires <= now]
            for k in stale or list(self._near)[: NEAR_MAX_ENTRIES // 4]:  # dicts keep insertion order: oldest first
                del self._near[k]
        self._near[key] = (body, time.monotonic() + min(self.near_ttl, ttl_seconds))

    def _generation(self, key: str) -> int:
        return self._gen_lists if key.startswith(LIST_PREFIX) else self._gen_items

    async def _refresh(self, key: str, load: Loader, versioned: Callable[[str], str] | None) -> bytes:
        generation = self._generation(key)
        started = time.monotonic()
        redis_key = key
        if self._available() and versioned is not None:
            version = await self._call("get", self.client.get, VERSION_KEY)
            redis_key = None if version is FAILED else versioned((version or b"0").decode())
        deadline = started + LOCK_TTL_MS / 1000
        locked = False
        while redis_key is not None and self._available():
            got = await self._get_with_pttl(redis_key)
            if got is FAILED:
                break
            body, pttl_ms = got
            if body is not None:
                CACHE_HITS.inc()
                if pttl_ms > 0:
                    self._keep(key, body, pttl_ms / 1000, generation)
                return body
            if time.monotonic() >= deadline:
                break  # the lock holder did not deliver in time: query PostgreSQL ourselves
            locked = await self._call("lock", self.client.set, lock_key(redis_key), self._token, nx=True, px=LOCK_TTL_MS)
            if locked is FAILED:
                locked = False
                break
            if locked:
                break
            await asyncio.sleep(POLL_INTERVAL)
        CACHE_MISSES.inc()
        try:
            body = await load()
        except BaseException:
            if locked:
                await self._call("unlock", self.client.delete, lock_key(redis_key))
            raise
        if redis_key is not None and self._available():
            await self._set_and_unlock(redis_key, body, locked)
        self._keep(key, body, float(self.ttl), generation)
        return body

    async def _call(self, op: str, fn, *args, **kwargs):
        try:
            return await fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - any Redis failure falls back
            self._failed(op, exc)
            return FAILED

    async def _get_with_pttl(self, key: str):
        """(body or None, remaining TTL in ms) in one round trip, or FAILED."""
        if not self._available():
            return FAILED
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                body, pttl = await pipe.get(key).pttl(key).execute()
            return body, pttl
        except Exception as exc:  # noqa: BLE001
            self._failed("get", exc)
            return FAILED

    async def _set_and_unlock(self, key: str, body: bytes, locked: bool) -> None:
        # The DEL is unconditional (no compare-and-delete on the token): it can only remove another process's
        # lock if ours expired first (a query slower than LOCK_TTL_MS), and then the body it waits for is
        # already in Redis, so the worst case is one extra query.
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                pipe.set(key, body, ex=self.ttl)
                if locked:
                    pipe.delete(lock_key(key))
                await pipe.execute()
        except Exception as exc:  # noqa: BLE001
            self._failed("set", exc)

    # ---- writes invalidate -----------------------------------------------------------------------
    async def invalidate(self, item_keys: list[str]) -> None:
        """After a write: drop the items and every list page here (at once) and in Redis (for every replica;
        other processes' near copies expire within NEAR_CACHE_TTL_SECONDS)."""
        self._gen_items += 1
        self._gen_lists += 1
        for k in item_keys:
            self._near.pop(k, None)
            self._flights.pop(k, None)  # later readers must not join a refresh that began before the write
        for k in [k for k in self._near if k.startswith(LIST_PREFIX)]:
            del self._near[k]
        for k in [k for k in self._flights if k.startswith(LIST_PREFIX)]:
            del self._flights[k]
        if self.client is None:
            return
        if item_keys:
            await self._call("delete", self.client.delete, *item_keys)
        await self._call("incr", self.client.incr, VERSION_KEY)

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


LIST_PREFIX = "sf:products:"  # near-cache keys of list pages (and, with a version, their Redis keys)
VERSION_KEY = "sf:products:ver"  # bumped by every write: list pages are cached under the current version


def lock_key(key: str) -> str:
    return f"sf:lock:{key}"
