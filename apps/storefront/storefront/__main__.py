"""Entry point: python -m storefront {migrate|seed N|serve} (wrapped by ../run)."""
from __future__ import annotations

import argparse
import glob
import logging
import os
import shutil
import signal
import sys
import tempfile

from pydantic import ValidationError


def bootstrap(trace: bool = True):
    """Settings from the environment, then logging (and, with trace, tracing when OTEL_* asks for it).
    Raises pydantic.ValidationError on a bad environment."""
    from .config import Settings
    from .logs import secrets_of, setup_logging

    settings = Settings()
    setup_logging(settings.log_level, secrets_of(settings.database_url.get_secret_value(),
                                                 settings.redis_url.get_secret_value(),
                                                 settings.admin_token.get_secret_value()))
    if trace:
        from . import tracing

        tracing.setup()  # a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="run")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("migrate", help="apply SQL migrations (idempotent)")
    p_seed = sub.add_parser("seed", help="upsert N demo products")
    p_seed.add_argument("n", type=int)
    sub.add_parser("serve", help="run the HTTP server")
    args = parser.parse_args(argv)

    try:
        # Only a process that serves requests traces: not migrate/seed, not the workers' supervisor.
        settings = bootstrap(trace=False)
    except ValidationError as exc:
        fields = ", ".join(str(e["loc"][0]).upper() for e in exc.errors())
        print(f'{{"level":"error","msg":"invalid configuration","fields":"{fields}"}}', file=sys.stderr)
        return 2
    db_url = settings.database_url.get_secret_value()
    redis_url = settings.redis_url.get_secret_value()
    log = logging.getLogger("storefront")

    if args.cmd == "migrate":
        from .db import migrate

        applied = migrate(db_url)
        log.info("migrations done", extra={"fields": {"applied": applied}})
        return 0
    if args.cmd == "seed":
        if args.n < 0:
            parser.error("N must be >= 0")
        from .db import seed

        seed(db_url, args.n)
        log.info("seed done", extra={"fields": {"products": args.n}})
        return 0

    import uvicorn

    from .logs import mask_url

    workers = settings.web_concurrency
    log.info(
        "starting storefront",
        extra={"fields": {"port": settings.port, "database_url": mask_url(db_url), "redis_url": mask_url(redis_url),
                          "cache_ttl_seconds": settings.cache_ttl_seconds,
                          "near_cache_ttl_seconds": settings.near_cache_ttl_seconds, "workers": workers}},
    )
    server_kwargs = dict(
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
        lifespan="on",
    )
    if workers > 1:
        return serve_workers(workers, server_kwargs)  # each worker runs bootstrap() itself (app_from_env)
    from . import tracing
    from .app import create_app

    tracing.setup()

    config = uvicorn.Config(create_app(settings), workers=1, **server_kwargs)
    # uvicorn handles SIGTERM/SIGINT itself (stop accepting, finish in-flight requests, lifespan shutdown)
    # and then re-raises the signal with the handlers that were installed before it started; a no-op
    # handler here turns that re-raise into a clean exit status 0.
    signal.signal(signal.SIGTERM, lambda *_: None)
    signal.signal(signal.SIGINT, lambda *_: None)
    uvicorn.Server(config).run()
    return 0


def serve_workers(workers: int, server_kwargs: dict) -> int:
    """WEB_CONCURRENCY > 1: uvicorn's supervisor binds the socket and runs that many worker processes,
    each building the app itself (storefront.app:app_from_env). SIGTERM reaches the supervisor, which
    sends it to every worker; each finishes its in-flight requests as a single process would."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    own_dir = None
    metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if metrics_dir:
        for f in glob.glob(os.path.join(metrics_dir, "*.db")):  # a previous run's values are not ours
            os.remove(f)
    else:
        own_dir = metrics_dir = tempfile.mkdtemp(prefix="storefront-metrics-")  # $TMPDIR or /tmp: writable
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    try:
        config = uvicorn.Config("storefront.app:app_from_env", factory=True, workers=workers, **server_kwargs)
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    finally:
        if own_dir:
            shutil.rmtree(own_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
