#!/usr/bin/env bash
# Throwaway PostgreSQL 15 and Redis servers for the app test suites (real servers, loopback only).
# Used by apps/storefront/tests/conftest.py and apps/catalog's TestMain, so both suites start,
# stop and restart their own servers the same way.
#
#   servers.sh free-port
#   servers.sh pg-start    DIR PORT PASSWORD   # initdb on first use (superuser "postgres", db "shop"), then start;
#                                                # pg_stat_statements is preloaded so tests and the bench can count
#                                                # the queries an app sends (CREATE EXTENSION is up to them)
#   servers.sh pg-stop     DIR
#   servers.sh redis-start DIR PORT PASSWORD   # requirepass PASSWORD, no persistence
#   servers.sh redis-stop  DIR
#
# DIR must sit directly in a world-traversable directory (e.g. made by mkdtemp in /tmp). When run as
# root, PostgreSQL (which refuses to run as root) runs as the unprivileged user $PG_TEST_USER
# (default: nobody) through runuser; DIR is chowned to that user.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
RUN_USER=${PG_TEST_USER:-nobody}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$RUN_USER" -- "$@"; else "$@"; fi
}

cmd=${1:?command}; shift
case "$cmd" in
  free-port)
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
    ;;
  pg-start)
    dir=${1:?dir}; port=${2:?port}; pw=${3:?password}
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown "$RUN_USER" "$dir"; chmod 700 "$dir"; fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_pg mkdir -p "$dir/sock"
      umask 077
      printf '%s\n' "$pw" > "$dir/pwfile"
      if [ "$(id -u)" = 0 ]; then chown "$RUN_USER" "$dir/pwfile"; fi
      as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
      rm -f "$dir/pwfile"
      fresh=1
    fi
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 start \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $dir/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_preload_libraries=pg_stat_statements" \
      >/dev/null || { tail -20 "$dir/postgres.log" >&2; exit 1; }
    if [ "${fresh:-0}" = 1 ]; then
      as_pg "$PGBIN/createdb" -h "$dir/sock" -p "$port" -U postgres shop
    fi
    ;;
  pg-stop)
    dir=${1:?dir}
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null
    fi
    ;;
  redis-start)
    dir=${1:?dir}; port=${2:?port}; pw=${3:?password}
    mkdir -p "$dir"
    conf="$dir/redis.conf"
    umask 077
    cat >"$conf" <<CONF
bind 127.0.0.1
port $port
requirepass $pw
daemonize yes
pidfile $dir/redis.pid
dir $dir
logfile $dir/redis.log
save ""
appendonly no
CONF
    redis-server "$conf"
    for _ in $(seq 1 100); do
      if [ -s "$dir/redis.pid" ] && REDISCLI_AUTH="$pw" redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then exit 0; fi
      sleep 0.05
    done
    echo "redis did not start" >&2; tail -20 "$dir/redis.log" >&2; exit 1
    ;;
  redis-stop)
    dir=${1:?dir}
    if [ -s "$dir/redis.pid" ]; then
      pid=$(cat "$dir/redis.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
      rm -f "$dir/redis.pid"
    fi
    ;;
  *) echo "unknown command: $cmd" >&2; exit 2 ;;
esac
