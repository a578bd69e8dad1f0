"""Entry point: python -m storefront {migrate|seed N|serve} (wrapped by ../run)."""
from __future__ import annotations

import argparse
import logging
import signal
import sys

from pydantic import ValidationError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="run")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("migrate", help="apply SQL migrations (idempotent)")
    p_seed = sub.add_parser("seed", help="upsert N demo products")
    p_seed.add_argument("n", type=int)
    sub.add_parser("serve", help="run the HTTP server")
    args = parser.parse_args(argv)

    from .config import Settings
    from .logs import secrets_of, setup_logging

    try:
        settings = Settings()
    except ValidationError as exc:
        fields = ", ".join(str(e["loc"][0]).upper() for e in exc.errors())
        print(f'{{"level":"error","msg":"invalid configuration","fields":"{fields}"}}', file=sys.stderr)
        return 2
    db_url = settings.database_url.get_secret_value()
    redis_url = settings.redis_url.get_secret_value()
    setup_logging(settings.log_level, secrets_of(db_url, redis_url, settings.admin_token.get_secret_value()))
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

    from .app import create_app
    from .logs import mask_url

    log.info(
        "starting storefront",
        extra={"fields": {"port": settings.port, "database_url": mask_url(db_url), "redis_url": mask_url(redis_url),
                          "cache_ttl_seconds": settings.cache_ttl_seconds}},
    )
    config = uvicorn.Config(
        create_app(settings),
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
    # uvicorn handles SIGTERM/SIGINT itself (stop accepting, finish in-flight requests, lifespan shutdown)
    # and then re-raises the signal with the handlers that were installed before it started; a no-op
    # handler here turns that re-raise into a clean exit status 0.
    signal.signal(signal.SIGTERM, lambda *_: None)
    signal.signal(signal.SIGINT, lambda *_: None)
    uvicorn.Server(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
