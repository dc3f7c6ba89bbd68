#!/usr/bin/env bash
# Issue 16: the shared store at county size, on a throwaway PostgreSQL 15 + PostGIS cluster.
#  1. `gridwatch db init` of the county against `ogr2ogr` loading the same layers from the same file
#     into a database of its own (GDAL's defaults: COPY, GiST index per table). Both start from a
#     database that already has PostGIS (made from one template), so neither pays CREATE EXTENSION.
#  2. 10 importers at once, 1,000 reports each (ids of their own), into the store `db init` made:
#     each import's wall time (its whole process: validation, COPY, the INSERT … ON CONFLICT and the
#     commit), median and max, and its transaction alone (BEGIN to COMMIT: COPY, INSERT … ON
#     CONFLICT, commit; `write_seconds` of its JSON); then each of the 10,000 ids is checked present once.
#
#   tests/bench/bench_store.sh GRIDWATCH [COUNTY.gpkg] [RUNS]
# COUNTY defaults to a fresh `gridwatch demo --scale 100`. Prints Markdown for BENCHMARKS.md.
set -eu
gw=$1 data=${2:-} runs=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_begin store
data=$(county_or "$data" "$work" store)
pg_template 55460
layers="grids households cameras enterprises roads buildings incidents facilities candidates checks patrols"
secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
med() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}'; }
init_t=() ogr_t=()
for i in $(seq "$runs"); do
    fresh gi; init_t+=("$(secs "$gw" db init "PG:$(db gi)" --from "$data")")
    fresh go; ogr_t+=("$(secs ogr2ogr -f PostgreSQL "PG:$(db go)" "$data" $layers -lco GEOMETRY_NAME=geom -lco FID=fid)")
    log "run $i: db init ${init_t[-1]} s, ogr2ogr ${ogr_t[-1]} s"
done
rows=$(sql gi "SELECT sum(n) FROM (SELECT count(*) n FROM grids UNION ALL SELECT count(*) FROM households UNION ALL SELECT count(*) FROM cameras UNION ALL SELECT count(*) FROM buildings UNION ALL SELECT count(*) FROM roads UNION ALL SELECT count(*) FROM checks UNION ALL SELECT count(*) FROM patrols UNION ALL SELECT count(*) FROM incidents UNION ALL SELECT count(*) FROM enterprises UNION ALL SELECT count(*) FROM facilities UNION ALL SELECT count(*) FROM candidates) s")
ogr_rows=$(sql go "SELECT sum(n) FROM (SELECT count(*) n FROM grids UNION ALL SELECT count(*) FROM households UNION ALL SELECT count(*) FROM cameras UNION ALL SELECT count(*) FROM buildings UNION ALL SELECT count(*) FROM roads UNION ALL SELECT count(*) FROM checks UNION ALL SELECT count(*) FROM patrols UNION ALL SELECT count(*) FROM incidents UNION ALL SELECT count(*) FROM enterprises UNION ALL SELECT count(*) FROM facilities UNION ALL SELECT count(*) FROM candidates) s")
[ "$rows" = "$ogr_rows" ] || { echo "db init loaded $rows rows, ogr2ogr $ogr_rows" >&2; exit 1; }

# The reports: each importer's 1,000 ids of its own, in L4 cells of the store, at each cell's point.
sql gi "SELECT grid_id || ',' || ST_X(p) || ',' || ST_Y(p) FROM (SELECT grid_id, ST_Transform(ST_PointOnSurface(geom), 4326) p FROM grids WHERE level = 4 ORDER BY grid_id) c" >"$work/cells"
for k in $(seq 0 9); do
    awk -F, -v k="$k" 'BEGIN {print "check_id,grid_id,reporter,time,kind,people,note,lon,lat"}
        {c[NR] = $0} END {for (i = 0; i < 1000; i++) { split(c[(k * 1000 + i) % NR + 1], f, ",");
        printf "BENCH%d-%04d,%s,张三,2026-12-02T%02d:%02d:00+08:00,routine,1,,%s,%s\n", k, i, f[1], 8 + i % 10, i % 60, f[2], f[3] }}' \
        "$work/cells" >"$work/r$k.csv"
done
before=$(sql gi "SELECT count(*) FROM checks")
for k in $(seq 0 9); do
    ( t0=$(date +%s.%N); "$gw" import "PG:$(db gi)" --checks "$work/r$k.csv" --json >"$work/i$k.json" 2>"$work/i$k.err" || echo FAILED >>"$work/i$k.err"
      t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l >"$work/t$k" ) &
done
wait
for k in $(seq 0 9); do if grep -q FAILED "$work/i$k.err"; then cat "$work/i$k.err" >&2; exit 1; fi; done
after=$(sql gi "SELECT count(*) || ' ' || count(DISTINCT check_id) FROM checks WHERE check_id LIKE 'BENCH%'")
total=$(sql gi "SELECT count(*) FROM checks")
[ "$after" = "10000 10000" ] && [ "$total" = $((before + 10000)) ] || { echo "after the importers: $after (total $total, before $before)" >&2; exit 1; }
imp_med=$(cat "$work"/t? | med) imp_max=$(cat "$work"/t? | sort -g | tail -1 | xargs printf '%.2f')
sed -n 's/.*"write_seconds": \([0-9.e-]*\).*/\1/p' "$work"/i?.json >"$work/commits"
[ "$(wc -l <"$work/commits")" = 10 ] || { echo "write_seconds missing from the imports' JSON" >&2; exit 1; }
c_med=$(med <"$work/commits") c_max=$(sort -g "$work/commits" | tail -1 | xargs printf '%.2f')
i_med=$(printf '%s\n' "${init_t[@]}" | med) o_med=$(printf '%s\n' "${ogr_t[@]}" | med)
echo "Machine: $(machine); load average at start: $load0, at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "County: $data ($rows rows in 11 layers; $before checks before the importers); $runs runs, medians"
echo
echo "| step | seconds |"
echo "|---|---|"
echo "| gridwatch db init (tables, COPY, indexes, triggers, policies; one transaction) | $i_med |"
echo "| ogr2ogr -f PostgreSQL, the same 11 layers (COPY, GiST) | $o_med |"
echo "| ogr2ogr ÷ db init | $(ratio "$o_med" "$i_med")× |"
echo "| 10 importers at once × 1,000 reports: one import's wall time, median | $imp_med |"
echo "| the same, slowest | $imp_max |"
echo "| 10 importers at once: one import's transaction (BEGIN … COMMIT, write_seconds), median | $c_med |"
echo "| the same, slowest | $c_max |"
echo
echo "All 10,000 reports present once after the importers ($after)."
