#!/usr/bin/env python3
"""The restore drill: real PostgreSQL, real barman-cloud, a real S3-compatible server, on loopback.

Run by drill/test.sh with the drill venv's python (drill/requirements.lock). What it does, in order,
with the barman-cloud commands CloudNativePG's in-tree backup runs in the instance (the same ones the
Barman Cloud Plugin's sidecar runs; see drill/README.md for the sources):

  1. moto's S3 server on a free loopback port, a TCP relay in front of it (stopping the relay is how
     the bucket becomes unreachable), a bucket;
  2. a PostgreSQL cluster with archive_mode=on and archive_command=barman-cloud-wal-archive to
     shop-db's destinationPath + serverName as the program's plan has them (--layout), the shop's
     schema (apps/storefront's own migrations); restores read what the restored Cluster's
     bootstrap.recovery source names;
  3. base backup b1 (barman-cloud-backup); N orders; the recovery target (time and LSN); M more
     orders; the LSN before a "bad migration" that deletes every order; WAL switch and archiving;
  4. point-in-time restores into NEW data directories (barman-cloud-restore + restore_command=
     barman-cloud-wal-restore): to the target time (exactly the N orders), to the LSN before the bad
     migration (N + M orders);
  5. barman-cloud-check-wal-archive: refuses shop-db's used archive, accepts the restored Cluster's
     own (why a restored cluster must archive under a new serverName);
  6. the bucket unreachable: archive_command fails, WAL stays in pg_wal with .ready, failed_count
     rises; the bucket back: the backlog is archived and restorable;
  7. base backup b2; retention "RECOVERY WINDOW OF 7 DAYS" run as if 6 days later (both kept) and
     8 days later (b1 and the WAL only b1 needed deleted, b2 kept); a restore from b2 to the end of
     the archive equals the primary;
  8. a hole in the archive (one segment deleted): recovery to a target beyond it stops, never
     promotes short.

Prints PASS/FAIL lines, `drill:` lines with the rows written, the recovery target and the rows
recovered, and ends with `checks: N passed, N failed`. Exit 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "apps/storefront/storefront/migrations"

# The backup layout, from the program's own offline plan (--layout, resources.json of prod with a
# restore configured; drill/test.sh writes it): where shop-db archives (its
# spec.backup.barmanObjectStore: destinationPath + serverName, the Cluster's name unless set), where
# the restored Cluster reads (its bootstrap.recovery.source's externalClusters[] entry), and where
# the restored Cluster archives itself. The drill archives, restores and checks with exactly these,
# so a restore spec that pointed anywhere but at shop-db's archive would fail here.
BUCKET = "shop-drill-backups"
DESTINATION = f"s3://{BUCKET}/postgres/"  # shop-db's archive (replaced by the layout)
SERVER = "shop-db"
ORIGIN_DESTINATION = DESTINATION  # what the restored Cluster reads
ORIGIN_SERVER = SERVER
FRESH_DESTINATION = DESTINATION  # where the restored Cluster archives
FRESH_SERVER = f"{SERVER}-pitr"
WAL_GZIP = True


def load_layout(resources_json: Path) -> None:
    """Sets the layout globals from the plan's two CloudNativePG Clusters; fails on anything unexpected."""
    global BUCKET, DESTINATION, SERVER, ORIGIN_DESTINATION, ORIGIN_SERVER, FRESH_DESTINATION, FRESH_SERVER, WAL_GZIP
    rs = json.loads(resources_json.read_text())["resources"]
    clusters = [r for r in rs if r["type"] == "kubernetes:postgresql.cnpg.io/v1:Cluster"]
    spec = lambda r: r["inputs"]["spec"]  # noqa: E731
    primary = [r for r in clusters if "initdb" in spec(r)["bootstrap"]]
    restored = [r for r in clusters if "recovery" in spec(r)["bootstrap"]]
    if len(primary) != 1 or len(restored) != 1:
        raise SystemExit(f"layout: expected one initdb and one recovery Cluster in {resources_json}, got {len(primary)} and {len(restored)}")
    (p,), (q,) = primary, restored

    def own(r: dict) -> tuple[str, str, dict]:
        b = spec(r)["backup"]["barmanObjectStore"]
        return b["destinationPath"], b.get("serverName") or r["inputs"]["metadata"]["name"], b

    DESTINATION, SERVER, store = own(p)
    FRESH_DESTINATION, FRESH_SERVER, _ = own(q)
    source = spec(q)["bootstrap"]["recovery"]["source"]
    (ext,) = [e for e in spec(q)["externalClusters"] if e["name"] == source]
    ORIGIN_DESTINATION = ext["barmanObjectStore"]["destinationPath"]
    ORIGIN_SERVER = ext["barmanObjectStore"].get("serverName") or ext["name"]
    WAL_GZIP = store.get("wal", {}).get("compression") == "gzip"
    m = re.match(r"^s3://([^/]+)/", DESTINATION)
    if not m:
        raise SystemExit(f"layout: destinationPath {DESTINATION} is not s3://<bucket>/...")
    BUCKET = m.group(1)
    say(
        f"layout from the plan: {p['inputs']['metadata']['name']} archives to {DESTINATION} {SERVER}; "
        f"{q['inputs']['metadata']['name']} restores from {ORIGIN_DESTINATION} {ORIGIN_SERVER} and archives to {FRESH_DESTINATION} {FRESH_SERVER}"
    )


def key_prefix(destination: str, server: str, sub: str) -> str:
    """The object key prefix CNPG documents for <destinationPath>/<serverName>/<sub>/."""
    path = re.sub(r"^s3://[^/]+/?", "", destination)
    return f"{path.rstrip('/')}/{server}/{sub}/" if path else f"{server}/{sub}/"
# Fake credentials for moto (it accepts any); the sidecar gets real ones from EKS Pod Identity.
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "drill",
    "AWS_SECRET_ACCESS_KEY": "drill",
    "AWS_DEFAULT_REGION": "us-east-1",
}
N_BEFORE = 200  # orders written before the recovery target
M_AFTER = 50  # orders written after it, before the bad migration
K_LATE = 30  # orders written while the bucket is unreachable

passed = 0
failed = 0
T0 = time.monotonic()


def check(name: str, ok: bool, detail: str = "") -> bool:
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS {name} [{time.monotonic() - T0:.0f}s]", flush=True)
    else:
        failed += 1
        print(f"FAIL {name}{': ' + detail if detail else ''}", flush=True)
    return ok


def say(msg: str) -> None:
    print(f"drill: {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 20) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


# --- the TCP relay in front of the S3 server (its absence = the bucket is unreachable) -------------


def relay_main(listen: int, target: int) -> None:
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", listen))
    srv.listen(64)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))

    def pump(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    while True:
        c, _ = srv.accept()
        try:
            u = socket.create_connection(("127.0.0.1", target))
        except OSError:
            c.close()
            continue
        threading.Thread(target=pump, args=(c, u), daemon=True).start()
        threading.Thread(target=pump, args=(u, c), daemon=True).start()


class Drill:
    def __init__(self, work: Path, venv: Path, pgbin: Path, user: str | None):
        self.work = work
        self.venv = venv
        self.pgbin = pgbin
        self.user = user  # run PostgreSQL and barman-cloud as this user (we are root), else as ourselves
        self.procs: list[subprocess.Popen] = []
        self.clusters: list[Path] = []
        self.s3_port = free_port()
        self.relay_port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.relay_port}"
        self.relay: subprocess.Popen | None = None

    # -- processes ------------------------------------------------------------------------------
    def as_pg(self, argv: list[str], env: dict | None = None, **kw) -> subprocess.CompletedProcess:
        """Run argv as the database's OS user, with the S3 credentials (as the sidecar has them)."""
        e = {"PATH": f"{self.venv}/bin:/usr/bin:/bin", "LANG": "C.UTF-8", **AWS_ENV, **(env or {})}
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        full = prefix + ["env", "-i"] + [f"{k}={v}" for k, v in e.items()] + argv
        return subprocess.run(full, check=False, capture_output=True, text=True, **kw)

    def mkdir_pg(self, p: Path, mode: int = 0o700) -> Path:
        p.mkdir(parents=True, exist_ok=True)
        p.chmod(mode)
        if self.user:
            pw = pwd.getpwnam(self.user)
            os.chown(p, pw.pw_uid, pw.pw_gid)
        return p

    def barman(self, tool: str, *args: str, env: dict | None = None, wrap: list[str] | None = None):
        argv = (wrap or []) + [f"{self.venv}/bin/{tool}"]
        argv += ["--cloud-provider", "aws-s3", "--endpoint-url", self.endpoint, *args]
        return self.as_pg(argv, env=env, timeout=300)

    def start_s3(self) -> None:
        log = open(self.work / "moto.log", "w")
        p = subprocess.Popen(
            [f"{self.venv}/bin/python", "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.s3_port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **AWS_ENV},
        )
        self.procs.append(p)
        self.start_relay()
        ok = wait_port(self.s3_port) and wait_port(self.relay_port)
        if check("S3 server (moto) and the relay listen on loopback", ok):
            import boto3

            s3 = boto3.client("s3", endpoint_url=self.endpoint, **self._boto_kw())
            s3.create_bucket(Bucket=BUCKET)
            check("bucket created", BUCKET in [b["Name"] for b in s3.list_buckets()["Buckets"]])

    def _boto_kw(self) -> dict:
        return {
            "aws_access_key_id": AWS_ENV["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": AWS_ENV["AWS_SECRET_ACCESS_KEY"],
            "region_name": AWS_ENV["AWS_DEFAULT_REGION"],
        }

    def s3_keys(self, prefix: str) -> list[str]:
        import boto3

        s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{self.s3_port}", **self._boto_kw())
        keys: list[str] = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
            keys += [o["Key"] for o in page.get("Contents", [])]
        return keys

    def wal_segments(self) -> list[str]:
        """The WAL segment names archived under serverName (keys: .../wals/<tli+log>/<segment>[.gz])."""
        names = [k.rsplit("/", 1)[1][:24] for k in self.s3_keys(key_prefix(DESTINATION, SERVER, "wals"))]
        return sorted(n for n in names if len(n) == 24 and all(c in "0123456789ABCDEF" for c in n))

    def start_relay(self) -> None:
        self.relay = subprocess.Popen([sys.executable, __file__, "relay", str(self.relay_port), str(self.s3_port)])
        self.procs.append(self.relay)
        wait_port(self.relay_port)

    def stop_relay(self) -> None:
        assert self.relay
        self.relay.terminate()
        self.relay.wait(10)
        self.procs.remove(self.relay)
        self.relay = None

    # -- PostgreSQL -----------------------------------------------------------------------------
    def pg_start(self, d: Path) -> bool:
        r = self.as_pg([f"{self.pgbin}/pg_ctl", "-D", str(d / "data"), "-l", str(d / "postgres.log"), "-w", "-t", "120", "start"])
        if r.returncode != 0:
            print((d / "postgres.log").read_text()[-3000:] if (d / "postgres.log").exists() else r.stderr)
            return False
        self.clusters.append(d)
        return True

    def pg_stop(self, d: Path) -> None:
        if (d / "data/postmaster.pid").exists():
            self.as_pg([f"{self.pgbin}/pg_ctl", "-D", str(d / "data"), "-m", "fast", "-w", "-t", "60", "stop"])
        if d in self.clusters:
            self.clusters.remove(d)

    def connect(self, d: Path):
        import psycopg2

        port = int((d / "port").read_text())
        conn = psycopg2.connect(host=str(d / "sock"), port=port, user="postgres", dbname="shop")
        conn.autocommit = True
        return conn

    def q(self, conn, sql: str, args=None):
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall() if cur.description else None

    def settings(self, d: Path, port: int, extra: dict[str, str]) -> None:
        """Append our settings to postgresql.auto.conf (it wins over postgresql.conf)."""
        (d / "port").write_text(str(port))
        conf = {
            "port": str(port),
            "listen_addresses": "''",
            "unix_socket_directories": f"'{d / 'sock'}'",
            "timezone": "'UTC'",
            "fsync": "off",  # a throwaway server; durability on crash is not what the drill tests
            **extra,
        }
        with open(d / "data/postgresql.auto.conf", "a") as f:
            f.write("\n# restore drill\n" + "".join(f"{k} = {v}\n" for k, v in conf.items()))

    def archive_command(self, server: str) -> str:
        # What the sidecar runs for a Cluster with the plugin's ObjectStore (wal.compression: gzip).
        gzip = "--gzip " if WAL_GZIP else ""
        return (
            f"'{self.venv}/bin/barman-cloud-wal-archive {gzip}--endpoint-url {self.endpoint} "
            f"--cloud-provider aws-s3 {DESTINATION} {server} %p'"
        )

    def restore_command(self, server: str) -> str:
        return (
            f"'{self.venv}/bin/barman-cloud-wal-restore --endpoint-url {self.endpoint} "
            f"--cloud-provider aws-s3 {ORIGIN_DESTINATION} {server} %f %p'"
        )

    def init_primary(self) -> Path:
        d = self.mkdir_pg(self.work / "primary", 0o755)
        self.mkdir_pg(d / "sock", 0o755)
        r = self.as_pg(
            [f"{self.pgbin}/initdb", "-D", str(d / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
        )
        if not check("initdb", r.returncode == 0, r.stderr[-2000:]):
            return d
        self.settings(
            d,
            free_port(),
            {
                "wal_level": "replica",
                "archive_mode": "on",
                "archive_command": self.archive_command(SERVER),
            },
        )
        # the data files must be owned by the server's user; settings() wrote as root
        if self.user:
            pw = pwd.getpwnam(self.user)
            os.chown(d / "data/postgresql.auto.conf", pw.pw_uid, pw.pw_gid)
            os.chown(d / "port", pw.pw_uid, pw.pw_gid)
        check("primary starts with archive_mode=on, archive_command=barman-cloud-wal-archive", self.pg_start(d))
        return d

    def wait_archived(self, conn, upto_wal: str, timeout: float = 90) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            (last,) = self.q(conn, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")[0]
            if last[:24] >= upto_wal:
                return True
            time.sleep(0.3)
        return False

    def switch_wal(self, conn) -> str:
        """Close the current segment (pg_switch_wal) and return its name."""
        (lsn,) = self.q(conn, "SELECT pg_switch_wal()")[0]
        (name,) = self.q(conn, "SELECT pg_walfile_name(%s)", (lsn,))[0]
        return name

    def backup(self, name: str, d: Path) -> str | None:
        port = (d / "port").read_text()
        r = self.barman(
            "barman-cloud-backup",
            "--gzip",
            "--immediate-checkpoint",
            "--user",
            "postgres",
            "--host",
            str(d / "sock"),
            "--port",
            port,
            "--name",
            name,
            DESTINATION,
            SERVER,
        )
        if not check(f"barman-cloud-backup {name}", r.returncode == 0, (r.stdout + r.stderr)[-2000:]):
            return None
        for b in self.backup_list():
            if b.get("backup_name") == name:
                return b["backup_id"]
        check(f"backup {name} in barman-cloud-backup-list", False)
        return None

    def backup_list(self) -> list[dict]:
        r = self.barman("barman-cloud-backup-list", "--format", "json", DESTINATION, SERVER)
        if r.returncode != 0:
            print(r.stderr[-2000:])
            return []
        return json.loads(r.stdout)["backups_list"]

    def restore(self, name: str, backup_id: str, target: dict[str, str]) -> Path | None:
        """barman-cloud-restore into a NEW data directory, then recover with barman-cloud-wal-restore."""
        t = time.monotonic()
        d = self.prepare_restore(name, backup_id, target)
        if not d:
            return None
        if not check(f"{name}: starts and replays WAL from the bucket", self.pg_start(d)):
            return None
        conn = self.connect(d)
        end = time.monotonic() + 120
        while self.q(conn, "SELECT pg_is_in_recovery()")[0][0] and time.monotonic() < end:
            time.sleep(0.2)
        (rec,) = self.q(conn, "SELECT pg_is_in_recovery()")[0]
        (tli,) = self.q(conn, "SELECT timeline_id FROM pg_control_checkpoint()")[0]
        conn.close()
        check(
            f"{name}: reached its target and promoted (timeline {tli})", not rec and tli >= 2, f"in recovery={rec} timeline={tli}"
        )
        say(f"{name}: from barman-cloud-restore to promoted in {time.monotonic() - t:.1f} s")
        return d

    def prepare_restore(self, name: str, backup_id: str, target: dict[str, str]) -> Path | None:
        """The base backup into a new data directory, plus the recovery settings (recovery.signal)."""
        d = self.mkdir_pg(self.work / name, 0o755)
        self.mkdir_pg(d / "sock", 0o755)
        self.mkdir_pg(d / "data", 0o700)
        r = self.barman("barman-cloud-restore", ORIGIN_DESTINATION, ORIGIN_SERVER, backup_id, str(d / "data"))
        if not check(
            f"{name}: barman-cloud-restore {backup_id} into a new data directory",
            r.returncode == 0,
            (r.stdout + r.stderr)[-2000:],
        ):
            return None
        self.settings(
            d,
            free_port(),
            {
                "archive_mode": "off",
                "restore_command": self.restore_command(ORIGIN_SERVER),
                "recovery_target_action": "'promote'",
                **target,
            },
        )
        (d / "data/recovery.signal").touch()
        if self.user:
            pw = pwd.getpwnam(self.user)
            for p in (d / "data/postgresql.auto.conf", d / "data/recovery.signal", d / "port"):
                os.chown(p, pw.pw_uid, pw.pw_gid)
        return d

    # -- the drill ------------------------------------------------------------------------------
    def run(self) -> None:
        t0 = time.monotonic()
        self.start_s3()
        p = self.init_primary()
        conn = self.connect_after_createdb(p)

        # the shop's schema: the storefront's own migrations
        for f in sorted(MIGRATIONS.glob("*.sql")):
            self.q(conn, f.read_text())
        self.q(
            conn,
            "INSERT INTO products (sku, name, price_cents, stock) VALUES "
            "('SKU-001', 'Mug', 1200, 1000000), ('SKU-002', 'Tee', 2500, 1000000)",
        )
        first = self.switch_wal(conn)
        check("WAL is archived to the bucket", self.wait_archived(conn, first))
        keys = self.s3_keys(key_prefix(DESTINATION, SERVER, "wals"))
        check(
            f"WAL objects at {DESTINATION} + {SERVER}/wals/ (destinationPath + serverName)",
            any(first in k for k in keys),
            f"keys: {keys[:5]}",
        )

        b1 = self.backup("b1", p)
        if not b1:
            return

        def write_orders(n: int, tag: str) -> tuple[int, int]:
            ids = []
            for i in range(n):
                (oid,) = self.q(
                    conn, "INSERT INTO orders (idempotency_key, request_hash) VALUES (%s, %s) RETURNING id", (f"{tag}-{i}", tag)
                )[0]
                self.q(
                    conn,
                    "INSERT INTO order_items (order_id, sku, qty, price_cents) VALUES "
                    "(%s, 'SKU-001', 1, 1200), (%s, 'SKU-002', 2, 2500)",
                    (oid, oid),
                )
                ids.append(oid)
                if i % 70 == 69:
                    self.switch_wal(conn)  # the restores must replay several segments
            return min(ids), max(ids)

        lo, hi = write_orders(N_BEFORE, "before")
        (target_time, target_lsn) = self.q(
            conn,
            "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US+00'), pg_current_wal_lsn()::text",
        )[0]
        say(f"rows written before the target: {N_BEFORE} orders (ids {lo}..{hi}, {2 * N_BEFORE} order_items)")
        time.sleep(1.2)  # every later commit is clearly after the target time
        lo2, hi2 = write_orders(M_AFTER, "after")
        (before_bad_lsn,) = self.q(conn, "SELECT pg_current_wal_lsn()::text")[0]
        say(f"rows written after the target: {M_AFTER} orders (ids {lo2}..{hi2}); LSN before the bad migration: {before_bad_lsn}")
        self.q(conn, "DELETE FROM orders")  # the "bad migration": every order (and, cascading, item) gone
        (left,) = self.q(conn, "SELECT count(*) FROM orders")[0]
        say(f"bad migration: DELETE FROM orders (orders left on the primary: {left})")
        last = self.switch_wal(conn)
        check("every segment up to the bad migration is archived", self.wait_archived(conn, last))
        say(
            f"recovery target: recovery_target_time = '{target_time}' "
            f"(the primary's clock right after order {hi}; LSN then {target_lsn})"
        )

        # -- PITR to the target time: exactly the N orders before it ---------------------------
        r1 = self.restore("pitr-time", b1, {"recovery_target_time": f"'{target_time}'"})
        if r1:
            c = self.connect(r1)
            (cnt, mn, mx, items, after) = self.q(
                c,
                "SELECT count(*), min(id), max(id), (SELECT count(*) FROM order_items), "
                "count(*) FILTER (WHERE request_hash = 'after') FROM orders",
            )[0]
            c.close()
            say(
                f"rows recovered: {cnt} orders (ids {mn}..{mx}, {items} order_items); "
                f"orders written after the target recovered: {after}"
            )
            check(
                f"PITR to the target time: exactly the {N_BEFORE} orders before it",
                (cnt, mn, mx, items) == (N_BEFORE, lo, hi, 2 * N_BEFORE),
                f"{cnt} orders {mn}..{mx}, {items} items",
            )
            check("PITR to the target time: none of the orders after it", after == 0, f"{after}")
            self.pg_stop(r1)

        # -- PITR to the LSN just before the bad migration: N + M orders ------------------------
        r2 = self.restore("pitr-lsn", b1, {"recovery_target_lsn": f"'{before_bad_lsn}'"})
        if r2:
            c = self.connect(r2)
            (cnt, mx) = self.q(c, "SELECT count(*), max(id) FROM orders")[0]
            c.close()
            say(f"restore to the LSN before the bad migration ({before_bad_lsn}): {cnt} orders recovered")
            check(
                f"PITR to the LSN before the bad migration: all {N_BEFORE + M_AFTER} orders",
                (cnt, mx) == (N_BEFORE + M_AFTER, hi2),
                f"{cnt} orders, max id {mx}",
            )
            self.pg_stop(r2)

        # -- the archive guard CNPG applies before a cluster's first archive -----------------------
        r = self.barman("barman-cloud-check-wal-archive", DESTINATION, SERVER)
        check(
            "check-wal-archive refuses the used serverName (a restored cluster needs a new one)",
            r.returncode != 0,
            "it accepted a non-empty archive",
        )
        r = self.barman("barman-cloud-check-wal-archive", FRESH_DESTINATION, FRESH_SERVER)
        check(f"check-wal-archive accepts the restored Cluster's own archive ({FRESH_SERVER})", r.returncode == 0, r.stderr[-1000:])

        # -- the bucket unreachable, then back --------------------------------------------------
        (failed0,) = self.q(conn, "SELECT failed_count FROM pg_stat_archiver")[0]
        self.stop_relay()
        write_orders(K_LATE, "late")
        stuck = self.switch_wal(conn)
        end = time.monotonic() + 90
        failed1 = failed0
        while time.monotonic() < end:
            (failed1, lf) = self.q(conn, "SELECT failed_count, coalesce(last_failed_wal, '') FROM pg_stat_archiver")[0]
            if failed1 > failed0 and lf[:24] >= stuck:
                break
            time.sleep(0.5)
        say(f"bucket unreachable: pg_stat_archiver.failed_count {failed0} -> {failed1}, last failed WAL {stuck}")
        check("bucket unreachable: archive_command fails, pg_stat_archiver.failed_count rises", failed1 > failed0)
        wal = p / "data/pg_wal"
        check(
            "bucket unreachable: the WAL segment is kept in pg_wal, marked .ready",
            (wal / stuck).exists() and (wal / f"archive_status/{stuck}.ready").exists(),
        )
        self.start_relay()
        self.q(conn, "INSERT INTO orders (idempotency_key, request_hash) VALUES ('late-final', 'late')")
        nxt = self.switch_wal(conn)  # wakes the archiver, which retries the backlog in order
        back = self.wait_archived(conn, nxt, timeout=120)
        check(
            "bucket back: the backlog is archived, .ready becomes .done",
            back and not (wal / f"archive_status/{stuck}.ready").exists(),
        )
        probe = self.mkdir_pg(self.work / "probe", 0o755)
        r = self.barman("barman-cloud-wal-restore", DESTINATION, SERVER, stuck, str(probe / stuck))
        check(f"bucket back: the delayed segment {stuck} is restorable from the bucket", r.returncode == 0, r.stderr[-1000:])

        # -- retention: RECOVERY WINDOW OF 7 DAYS, as barman-cloud-backup-delete runs it ----------
        b2 = self.backup("b2", p)
        if not b2:
            return
        b2_info = {b["backup_id"]: b for b in self.backup_list()}[b2]
        wals_before = self.wal_segments()
        policy = "RECOVERY WINDOW OF 7 DAYS"  # what the plugin makes of retentionPolicy: "7d"
        # The tool run later: faketime moves the clock that barman's datetime.now() reads.
        r = self.barman(
            "barman-cloud-backup-delete", "--retention-policy", policy, DESTINATION, SERVER, wrap=["faketime", "-f", "+6d"]
        )
        ids = [b["backup_id"] for b in self.backup_list()]
        check(
            f"retention '{policy}' 6 days later keeps both backups",
            r.returncode == 0 and b1 in ids and b2 in ids,
            f"rc={r.returncode} backups={ids} {r.stderr[-1000:]}",
        )
        r = self.barman(
            "barman-cloud-backup-delete", "--retention-policy", policy, DESTINATION, SERVER, wrap=["faketime", "-f", "+8d"]
        )
        ids = [b["backup_id"] for b in self.backup_list()]
        check(
            f"retention '{policy}' 8 days later deletes b1 and keeps b2 (the base of the window)",
            r.returncode == 0 and b1 not in ids and b2 in ids,
            f"rc={r.returncode} backups={ids} {r.stderr[-1000:]}",
        )
        wals_after = self.wal_segments()
        begin = b2_info["begin_wal"]
        check(
            f"retention deletes the WAL older than b2's first segment {begin} and keeps the rest",
            bool(wals_after) and min(wals_after) == begin and {w for w in wals_before if w >= begin} <= set(wals_after),
            f"before {wals_before[:3]}.. after {wals_after[:3]}..",
        )
        say(f"retention: backups {b1} and {b2} -> {ids}; WAL segments {len(wals_before)} -> {len(wals_after)}")

        # -- a restore from what retention left, to the end of the archive ----------------------
        (p_cnt, p_sum) = self.q(conn, "SELECT count(*), coalesce(sum(id), 0) FROM orders")[0]
        last = self.switch_wal(conn)
        self.wait_archived(conn, last)
        r3 = self.restore("latest-from-b2", b2, {})
        if r3:
            c = self.connect(r3)
            (cnt, s) = self.q(c, "SELECT count(*), coalesce(sum(id), 0) FROM orders")[0]
            c.close()
            say(f"restore from b2 to the end of the archive: {cnt} orders (the primary has {p_cnt})")
            check(
                f"restore from b2 to the end of the archive equals the primary (the {K_LATE + 1} orders "
                "written after the bad migration, most while the bucket was unreachable)",
                (cnt, s) == (p_cnt, p_sum),
                f"restored {cnt}/{s}, primary {p_cnt}/{p_sum}",
            )
            self.pg_stop(r3)

        # -- a gap in the archive: recovery to a target beyond it must fail, never promote short -------
        write_orders(5, "gap")
        (gap_target,) = self.q(conn, "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US+00')")[0]
        gap = self.switch_wal(conn)
        self.wait_archived(conn, gap)
        self.wait_archived(conn, self.switch_wal(conn))  # a later segment exists, so `gap` is a hole, not the end
        import boto3

        s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{self.s3_port}", **self._boto_kw())
        hole = [k for k in self.s3_keys(key_prefix(DESTINATION, SERVER, "wals")) if k.rsplit("/", 1)[1].startswith(gap)]
        for k in hole:
            s3.delete_object(Bucket=BUCKET, Key=k)
        d = self.prepare_restore("gap", b2, {"recovery_target_time": f"'{gap_target}'"})
        if d:
            self.as_pg([f"{self.pgbin}/pg_ctl", "-D", str(d / "data"), "-l", str(d / "postgres.log"), "-w", "-t", "120", "start"])
            self.clusters.append(d)
            end = time.monotonic() + 120
            while (d / "data/postmaster.pid").exists() and time.monotonic() < end:
                time.sleep(0.3)
            log = (d / "postgres.log").read_text() if (d / "postgres.log").exists() else ""
            stopped = not (d / "data/postmaster.pid").exists()
            say(f"gap: segment {gap} deleted from the bucket; recovery to '{gap_target}' stopped: {stopped}")
            check(
                f"a hole in the archive ({gap} deleted) stops recovery to a later target instead of promoting short",
                bool(hole) and stopped and "recovery ended before configured recovery target was reached" in log,
                f"deleted {hole}; stopped={stopped}; log tail: {log[-800:]}",
            )
        conn.close()
        say(f"drill took {time.monotonic() - t0:.0f} s")

    def connect_after_createdb(self, d: Path):
        port = (d / "port").read_text()
        r = self.as_pg([f"{self.pgbin}/createdb", "-h", str(d / "sock"), "-p", port, "-U", "postgres", "shop"])
        check("createdb shop", r.returncode == 0, r.stderr)
        return self.connect(d)

    def cleanup(self) -> None:
        for d in list(self.clusters):
            self.pg_stop(d)
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "relay":
        relay_main(int(sys.argv[2]), int(sys.argv[3]))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True, type=Path, help="a world-traversable scratch directory")
    ap.add_argument("--venv", required=True, type=Path)
    ap.add_argument("--pgbin", required=True, type=Path)
    ap.add_argument("--layout", type=Path, help="resources.json of an offline plan with a restore (drill/test.sh)")
    a = ap.parse_args()
    if a.layout:
        load_layout(a.layout)
    else:
        check("the backup layout comes from the program's plan (--layout)", False, "no --layout given")
    user = os.environ.get("PG_TEST_USER", "nobody") if os.getuid() == 0 else None
    d = Drill(a.work, a.venv, a.pgbin, user)
    try:
        d.run()
    except Exception as e:  # noqa: BLE001 — an unexpected error is a failed check, never a silent pass
        import traceback

        traceback.print_exc()
        check(f"drill ran to the end ({type(e).__name__}: {e})", False)
    finally:
        d.cleanup()
    print(f"checks: {passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
