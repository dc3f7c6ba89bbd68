# Shared helpers for the benchmark scripts: timing a command N times and taking the median.
# Usage: median_of N cmd args…   -> prints the median wall time in seconds
median_of() {
    local n=$1; shift
    local times=()
    for _ in $(seq "$n"); do
        local t0 t1
        t0=$(date +%s.%N)
        "$@" >/dev/null 2>&1 || { echo "FAILED: $*" >&2; return 1; }
        t1=$(date +%s.%N)
        times+=("$(echo "$t1 - $t0" | bc -l)")
    done
    printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m}'
}
# timed cmd args…: the median of $runs timings (the caller's RUNS), or a single timing when the
# first run takes over 60 s.
timed() {
    local t0 t1 first
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || { echo "FAILED: $*" >&2; return 1; }
    t1=$(date +%s.%N)
    first=$(echo "$t1 - $t0" | bc -l)
    if [ "$(echo "$first > 60" | bc -l)" = 1 ] || [ "$runs" -le 1 ]; then printf '%.3f\n' "$first"; return; fi
    { printf '%s\n' "$first"; for _ in $(seq $((runs - 1))); do median_of 1 "$@"; done; } |
        sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m}'
}
# timed_read cmd args…: the median over $runs runs of how long a gridwatch command took from its
# start to the end of its reading (GRIDWATCH_TIMING=1 has it print when its reading ended,
# app/cli/cli_common.cpp): the part of the whole process to set beside GDAL's floor.
timed_read() {
    local t0 end
    for _ in $(seq "$runs"); do
        t0=$EPOCHREALTIME
        end=$(GRIDWATCH_TIMING=1 "$@" 2>&1 >/dev/null | sed -n 's/^timing: read by \([0-9.]*\).*/\1/p' | tail -1)
        [ -n "$end" ] || { echo "FAILED (no reading time): $*" >&2; return 1; }
        echo "$end - $t0" | bc -l
    done | sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m}'
}
# ratio A B: A / B to two decimals.
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }
machine() {
    echo "$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB"
}
# county_or DATA WORK TAG: prints DATA, or makes the county (demo --scale 100) in WORK when DATA is empty.
county_or() {
    local data=$1 work=$2 tag=$3
    if [ -z "$data" ]; then
        data=$work/county.gpkg
        echo "[$tag] making the county: gridwatch demo --scale 100" >&2
        "$gw" demo --scale 100 --out "$data" >/dev/null
    fi
    echo "$data"
}
# gl_line DATA WORK: the GL renderer gridwatch's off-screen render gets, as its --timing reports it.
gl_line() {
    env -u DISPLAY "$gw" render "$1" --out "$2/probe.png" --size 64x64 --timing 2>&1 | sed -n "s/^timing: [^(]*(//p" | sed "s/)$//"
}
# A throwaway PostgreSQL 15 cluster for a peer, on 127.0.0.1, started by tests/pg/cluster.sh (the
# one the PG tests use: run by the postgres user as root, since initdb refuses root). pg_prepare
# makes its folder ($pgdir); pg_start BASE_PORT starts it on the first free port from BASE_PORT (sets
# $port and $pgconn); pg_stop stops it and removes the folder (call it from the script's EXIT trap).
pg_cluster_sh="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/pg/cluster.sh"
pg_prepare() {
    pgdir=$(mktemp -d /tmp/gw_bench_pg.XXXX)
    pg_up=0
}
pg_start() {
    port=$1
    # A port nothing listens on may still be taken (an outgoing connection's own port): the next
    # one is tried when the server cannot bind.
    for _ in 1 2 3 4 5; do
        while (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
        echo "[bench] PostGIS cluster on 127.0.0.1:$port in $pgdir" >&2
        if pgconn=$(GW_PG_OPTIONS="-c shared_buffers=512MB -c work_mem=64MB -c autovacuum=off" "$pg_cluster_sh" start "$pgdir" "$port" --tcp); then
            pg_up=1
            return 0
        fi
        "$pg_cluster_sh" stop "$pgdir" >/dev/null 2>&1 || true
        pgdir=$(mktemp -d /tmp/gw_bench_pg.XXXX)
        port=$((port + 1))
    done
    return 1
}
# pg_template BASE_PORT: pg_start, then a database `tpl` with PostGIS to copy; defines db NAME (its
# connection string), sql NAME STATEMENT and fresh NAME (a new database NAME from tpl).
pg_template() {
    pg_start "$1"
    db() { echo "${pgconn/dbname=postgres/dbname=$1}"; }
    sql() { psql "$(db "$1")" -v ON_ERROR_STOP=1 -qAt -c "$2"; }
    fresh() { sql postgres "DROP DATABASE IF EXISTS $1" 2>/dev/null; sql postgres "CREATE DATABASE $1 TEMPLATE tpl"; }
    sql postgres "CREATE DATABASE tpl"
    sql tpl "CREATE EXTENSION postgis"
}
pg_stop() {
    if [ "${pg_up:-0}" = 1 ] || [ -d "${pgdir:-}" ]; then "$pg_cluster_sh" stop "$pgdir"; fi
    pg_up=0
}
# bench_begin TAG: a work folder ($work) and a throwaway cluster's folder, both removed on exit;
# $load0, the load average at the start; log MESSAGE prints "[TAG] MESSAGE" on stderr.
bench_begin() {
    bench_tag=$1
    work=$(mktemp -d "/tmp/gw_bench_$1.XXXX")
    pg_prepare
    trap 'pg_stop; rm -rf "$work"' EXIT
    load0=$(cut -d" " -f1-3 /proc/loadavg)
}
log() { echo "[$bench_tag] $*" >&2; }
# ensure_county DATA: makes DATA with `gridwatch demo --scale 100` ($gw) when it does not exist.
ensure_county() {
    if [ ! -f "$1" ]; then
        log "making $1 (demo --scale 100)"
        "$gw" demo --scale 100 --out "$1" >/dev/null
    fi
}
