"""Fixtures: real PostgreSQL 15 and Redis (apps/testing/servers.sh) and the real app process (./run serve)."""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg
import pytest
import redis as redis_lib

APP_DIR = Path(__file__).resolve().parents[1]
REPO = APP_DIR.parents[1]
SERVERS = APP_DIR.parent / "testing" / "servers.sh"
RUN = APP_DIR / "run"


def free_port() -> int:
    return int(subprocess.check_output([str(SERVERS), "free-port"], text=True).strip())


class Servers:
    """One PostgreSQL and one Redis for the session; tests may stop and restart them."""

    def __init__(self):
        base = os.environ.get("SHOP_TEST_TMP") or None
        self.pg_dir = tempfile.mkdtemp(prefix="sf-pg-", dir=base)
        self.redis_dir = tempfile.mkdtemp(prefix="sf-redis-", dir=base)
        self.pg_port, self.redis_port = free_port(), free_port()
        self.pg_password = secrets.token_urlsafe(18)
        self.redis_password = secrets.token_urlsafe(18)
        self.database_url = f"postgresql://postgres:{self.pg_password}@127.0.0.1:{self.pg_port}/shop"
        self.redis_url = f"redis://:{self.redis_password}@127.0.0.1:{self.redis_port}/0"

    def _do(self, *args):
        subprocess.run([str(SERVERS), *map(str, args)], check=True)

    def pg_start(self):
        self._do("pg-start", self.pg_dir, self.pg_port, self.pg_password)

    def pg_stop(self):
        self._do("pg-stop", self.pg_dir)

    def redis_start(self):
        self._do("redis-start", self.redis_dir, self.redis_port, self.redis_password)

    def redis_stop(self):
        self._do("redis-stop", self.redis_dir)

    def cleanup(self):
        for fn in (self.pg_stop, self.redis_stop):
            try:
                fn()
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(self.pg_dir, ignore_errors=True)
        shutil.rmtree(self.redis_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def servers():
    s = Servers()
    try:
        s.pg_start()
        s.redis_start()
        base_env = {**os.environ, "DATABASE_URL": s.database_url}
        subprocess.run([str(RUN), "migrate"], check=True, env=base_env, capture_output=True)
        subprocess.run([str(RUN), "seed", "30"], check=True, env=base_env, capture_output=True)
        yield s
    finally:
        s.cleanup()


class App:
    """The storefront as a real process: ./run serve."""

    def __init__(self, servers: Servers, log_dir: Path, **env):
        self.port = free_port()
        self.admin_token = secrets.token_urlsafe(24)
        self.env = {
            **os.environ,
            "DATABASE_URL": servers.database_url,
            "REDIS_URL": servers.redis_url,
            "ADMIN_TOKEN": self.admin_token,
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "LOG_LEVEL": "info",
            "CACHE_TTL_SECONDS": "10",
            **{k: str(v) for k, v in env.items()},
        }
        self.log_path = log_dir / f"storefront-{self.port}.log"
        self.proc: subprocess.Popen | None = None
        self.base = f"http://127.0.0.1:{self.port}"
        self.client = httpx.Client(base_url=self.base, timeout=15)

    def start(self, wait_ready: bool = False) -> App:
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([str(RUN), "serve"], env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app exited early: {self.log_path.read_text()}")
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        else:
            raise RuntimeError("app did not answer /healthz")
        if wait_ready:
            wait_for(lambda: self.get("/readyz").status_code == 200, 15, "app ready")
        return self

    def stop(self):
        self.client.close()
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(12)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def admin(self, method, path, json):
        return self.client.request(method, path, json=json, headers={"Authorization": f"Bearer {self.admin_token}"})

    def metric(self, name: str, labels: str = "") -> float:
        text = self.get("/metrics").text
        prefix = name + (("{" + labels + "}") if labels else "")
        for line in text.splitlines():
            if line.startswith(prefix + " "):
                return float(line.split()[-1])
        return 0.0

    def logs(self) -> str:
        self._log.flush()
        return self.log_path.read_text()


def wait_for(pred, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if pred():
                return
        except (httpx.HTTPError, psycopg.Error):
            pass
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="session")
def app(servers, log_dir):
    # The shared app's tests check what is cached, not Redis timeouts (test_resilience.py starts its own apps
    # with the default 50 ms): on a loaded machine one Redis reply later than 50 ms would switch Redis off for
    # 1 s and make a cache assertion of the next test fail for a reason it does not test.
    a = App(servers, log_dir, REDIS_TIMEOUT_SECONDS=1).start(wait_ready=True)
    yield a
    a.stop()


@pytest.fixture
def make_app(servers, log_dir):
    started: list[App] = []

    def factory(wait_ready=True, **env) -> App:
        a = App(servers, log_dir, **env)
        started.append(a)
        return a.start(wait_ready=wait_ready)

    yield factory
    for a in started:
        a.stop()


@pytest.fixture
def db(servers):
    conn = psycopg.connect(servers.database_url, autocommit=True)
    yield conn
    conn.close()


@pytest.fixture
def rds(servers):
    client = redis_lib.Redis.from_url(servers.redis_url)
    yield client
    client.close()


@pytest.fixture
def restore_servers(servers):
    """Make sure a test that stops PostgreSQL or Redis leaves them running."""
    yield servers
    for start, check in ((servers.pg_start, servers.pg_dir + "/data/postmaster.pid"),
                         (servers.redis_start, servers.redis_dir + "/redis.pid")):
        if not os.path.exists(check):
            start()


def new_sku(prefix: str = "T") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12].upper()}"


@pytest.fixture
def product(app, db):
    """A fresh product with stock 10 (inserted through the admin API)."""
    sku = new_sku()
    r = app.admin("POST", "/api/products",
                  {"sku": sku, "name": "Test product", "description": "d", "price_cents": 250, "stock": 10})
    assert r.status_code == 201, r.text
    return sku
