#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + PostGIS cluster, for the tests (tests/pg/) and the bench scripts
# (tests/bench/lib.sh).
#   cluster.sh start DIR [PORT] [--tcp]   initdb in DIR/data, start it; prints a libpq conninfo line
#   cluster.sh standby DIR PRIMARY_DIR [PORT] [PRIMARY_PORT]
#                                         a streaming-replication hot standby of the cluster started
#                                         in PRIMARY_DIR (pg_basebackup -R), started; prints its conninfo
#   cluster.sh stop DIR                   stop it (fast) and remove DIR
# Unix socket only (listen_addresses='', the socket in DIR) unless --tcp: then 127.0.0.1:PORT too.
# initdb and postgres refuse to run as root, so as root they run as the `postgres` user
# (runuser), which must own DIR. fsync is off: the cluster lives for one test or bench run.
# Exit 3 when the server binaries are missing (the caller decides whether that is a skip).
set -euo pipefail
pgbin=${GW_PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: cluster.sh start|standby|stop DIR [PORT] [--tcp]" >&2; exit 2; }

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
    port=${3:-5432}
    tcp=${4:-}
    if [ ! -x "$pgbin/initdb" ] || [ ! -x "$pgbin/pg_ctl" ]; then
        echo "PostgreSQL 15 server binaries not found in $pgbin (apt-get install postgresql-15 postgresql-15-postgis-3)" >&2
        exit 3
    fi
    if [ ! -f "$("$pgbin/pg_config" --sharedir)/extension/postgis.control" ]; then
        echo "PostGIS is not installed for PostgreSQL 15 (apt-get install postgresql-15-postgis-3)" >&2
        exit 3
    fi
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || { echo "as root the cluster runs as user postgres, which does not exist" >&2; exit 3; }
        chown postgres: "$dir"
    fi
    listen="''"
    if [ "$tcp" = --tcp ]; then listen=127.0.0.1; fi
    as_owner "$pgbin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=$listen -c fsync=off ${GW_PG_OPTIONS:-}" \
        start >/dev/null || { cat "$dir/log" >&2; exit 1; }
    if [ "$tcp" = --tcp ]; then
        echo "host=127.0.0.1 port=$port user=postgres dbname=postgres"
    else
        echo "host=$dir port=$port user=postgres dbname=postgres"
    fi
    ;;
standby)
    primary=${3:-}
    port=${4:-5432}
    primary_port=${5:-5432}
    [ -n "$primary" ] && [ -d "$primary/data" ] || { echo "cluster.sh standby: no primary cluster in '$primary'" >&2; exit 2; }
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
    # The primary's own pg_hba (initdb -A trust) lets local replication connections in; -R writes
    # primary_conninfo and standby.signal, so the copy starts as a hot standby streaming from it.
    as_owner "$pgbin/pg_basebackup" -h "$primary" -p "$primary_port" -U postgres -D "$dir/data" -R -X stream \
        --checkpoint=fast --no-sync >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; exit 1; }
    as_owner "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses='' -c fsync=off -c hot_standby=on ${GW_PG_OPTIONS:-}" \
        start >/dev/null || { cat "$dir/log" >&2; exit 1; }
    echo "host=$dir port=$port user=postgres dbname=postgres"
    ;;
stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$pgbin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: cluster.sh start|standby|stop DIR [PORT] [--tcp]" >&2
    exit 2
    ;;
esac
