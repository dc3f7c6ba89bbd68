#!/usr/bin/env bash
# Issue 16: a change on the primary reaches a wall on a hot standby. Starts a throwaway primary
# (tests/pg/cluster.sh, unix socket), a streaming-replication standby of it (pg_basebackup -R),
# loads the bundled community with `gridwatch db init`, and runs the benchmark of
# tests/bench/bench_standby.cpp: 50 inserts on the primary, each timed until the listener on the
# standby has put the row into its Dataset (median and max).
#   tests/bench/bench_standby.sh BUILD_DIR
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
cluster=$here/../pg/cluster.sh
work=$(mktemp -d /tmp/gw_bench_standby.XXXXXX)
chmod 755 "$work"
cleanup() { "$cluster" stop "$work/standby" || true; "$cluster" stop "$work/primary" || true; rm -rf "$work"; }
trap cleanup EXIT
primary=$("$cluster" start "$work/primary")
"$build/gridwatch" db init "PG:$primary" --from "$here/../../data/dapingzi.gpkg" >/dev/null
standby=$("$cluster" standby "$work/standby" "$work/primary")
sleep 1
GW_BENCH_PRIMARY="$primary" GW_BENCH_STANDBY="$standby" "$build/gridwatch_bench" --benchmark_filter=Standby
