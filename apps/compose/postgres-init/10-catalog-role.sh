#!/bin/sh
# Runs once, on an empty data directory (docker-entrypoint-initdb.d): the catalog's read-only role.
# Tables are created later by the storefront's migrations (as postgres), so SELECT is granted through
# default privileges.
set -eu
psql -v ON_ERROR_STOP=1 -v pw="$CATALOG_DB_PASSWORD" --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE catalog_ro LOGIN PASSWORD :'pw';
ALTER ROLE catalog_ro SET default_transaction_read_only = on;
GRANT CONNECT ON DATABASE shop TO catalog_ro;
GRANT USAGE ON SCHEMA public TO catalog_ro;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT ON TABLES TO catalog_ro;
SQL
