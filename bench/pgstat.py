"""pg_stat_statements helper for bench/run.sh: `setup`, `reset`, or `count` (calls of product reads).

`count` prints the calls PostgreSQL executed since the last reset for the two product-read statements
both apps send (by their normalised text): `<list calls>\t<item calls>`. Each bench run reads a single
list page or a single item, so these are the queries *per key*.
"""
import os
import sys

import psycopg

url = os.environ["DATABASE_URL"]
cmd = sys.argv[1]
with psycopg.connect(url, autocommit=True) as conn:
    if cmd == "setup":
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    elif cmd == "reset":
        conn.execute("SELECT pg_stat_statements_reset()")
    elif cmd == "count":
        rows = conn.execute(
            "SELECT query, calls FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname ="
            " current_database()) AND query ILIKE '%FROM products%' AND query NOT ILIKE '%pg_stat_statements%'"
        ).fetchall()
        lists = sum(c for q, c in rows if "ORDER BY" in q.upper())
        items = sum(c for q, c in rows if "ORDER BY" not in q.upper() and "WHERE" in q.upper())
        print(f"{lists}\t{items}")
    else:
        sys.exit(f"unknown command {cmd}")
