#!/usr/bin/env bash
# Issue 15 benchmark: the daily checks (SPEC §5.5) on the county (demo --scale 100: ~290k reports a
# month in 9,700 L4 cells): `gridwatch checks --json` (the whole process: reading the GeoPackage,
# reprojecting, the per-cell work, the JSON) beside PostGIS doing the same per-cell work in SQL
# (peers/checks_postgis.sql: last check, days since, checks in the window by kind, reporters,
# outside via ST_Covers against the named cell, level shares through parent_id) in a throwaway
# cluster, in the same run. PostGIS is timed as psql running the SQL with the data already loaded;
# the load (ogr2ogr) is timed and reported on its own. Checks the per-cell figures of both agree.
#   tests/bench/bench_checks.sh [BUILD_DIR] [RUNS] [COUNTY.gpkg] [DAYS]  > tests/bench/results_checks.md
# The county is made with `gridwatch demo --scale 100` when the file does not exist.
# Needs: postgresql-15, postgresql-15-postgis-3, gdal-bin, python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-$here/../../build}
runs=${2:-5}
data=${3:-/tmp/county15_checks.gpkg}
days=${4:-7}
gw=$build/gridwatch
bench_begin checks
ensure_county "$data"
# "Today" as gridwatch takes it by default (the latest report's date), given to both sides.
date=$("$gw" checks "$data" --days 1 --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["date"])')
log "date $date, window $days days"

# --- PostGIS: a throwaway cluster on 127.0.0.1, loaded once -------------------------------------
pg_start 55473
psql "$pgconn" -q -c "CREATE EXTENSION postgis" >/dev/null
pg_version=$(psql "$pgconn" -Atc "SELECT split_part(version(), ' ', 2) || ', PostGIS ' || postgis_lib_version() || ', GEOS ' || split_part(postgis_geos_version(), '-', 1)")
log "PostGIS load (ogr2ogr grids + checks, then ANALYZE)"
load_pg() {
    ogr2ogr -f PostgreSQL PG:"$pgconn" "$data" grids checks -overwrite -lco GEOMETRY_NAME=geom &&
        psql "$pgconn" -q -c "ANALYZE grids; ANALYZE checks"
}
runs_saved=$runs; runs=1
t_pg_load=$(timed load_pg)
runs=$runs_saved
time_type=$(psql "$pgconn" -Atc "SELECT data_type FROM information_schema.columns WHERE table_name = 'checks' AND column_name = 'time'")

# --- the same run: gridwatch and PostGIS, interleaved, $runs times each --------------------------
gw_times=() pg_times=()
# Each timed run starts on a settled machine: the server goes on working for a moment after a query
# returns (the tables it wrote), and on two cores that landed on the gridwatch run after it.
for i in $(seq "$runs"); do
    sleep 2
    log "run $i/$runs: gridwatch checks --json"
    gw_times+=("$(runs=1 timed bash -c "'$gw' checks '$data' --date $date --days $days --json > '$work/gw.json' 2>'$work/gw.err'")")
    sleep 2
    log "run $i/$runs: psql -f checks_postgis.sql"
    pg_times+=("$(runs=1 timed psql "$pgconn" -q -v date="$date" -v days="$days" -v work_srid=4542 -f "$here/peers/checks_postgis.sql")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m}'; }
t_gw=$(median "${gw_times[@]}")
t_pg=$(median "${pg_times[@]}")
log "gridwatch checks (table output) and stats --with-checks, once each"
t_gw_table=$(runs=1 timed "$gw" checks "$data" --date "$date" --days "$days")
t_gw_stats=$(runs=1 timed "$gw" stats "$data" --no-coverage --with-checks --date "$date" --days "$days" --json)
psql "$pgconn" -q -c "\\copy (SELECT * FROM checks_cells ORDER BY grid_id) TO '$work/pg_cells.csv' CSV HEADER"
psql "$pgconn" -q -c "\\copy (SELECT * FROM checks_levels ORDER BY level DESC) TO '$work/pg_levels.csv' CSV HEADER"

# --- agreement -------------------------------------------------------------------------------------
agree=$(python3 - "$work/gw.json" "$work/pg_cells.csv" "$work/pg_levels.csv" <<'PY'
import csv, json, sys
j = json.load(open(sys.argv[1]))
gw = {c["grid_id"]: c for c in j["cells"]}
pg = {r["grid_id"]: r for r in csv.DictReader(open(sys.argv[2]))}
fields = ["last_check", "days_since", "checks", "routine", "newcomer", "returnee", "hazard", "dispute", "other",
          "reporters", "outside"]
diff = {f: [] for f in fields}
def gv(c, f):
    if f in ("routine", "newcomer", "returnee", "hazard", "dispute", "other"): return c["kinds"].get(f, 0)
    return c[f]
def pv(r, f):
    v = r[f]
    if f == "last_check": return v or None
    return int(v) if v != "" else None
for k in set(gw) | set(pg):
    if k not in gw or k not in pg:
        diff["checks"].append(k); continue
    for f in fields:
        if gv(gw[k], f) != pv(pg[k], f): diff[f].append(k)
levels = {int(r["level"]): float(r["checked_today_share"]) for r in csv.DictReader(open(sys.argv[3]))}
lv = max(abs(l["checked_today_share"] - levels.get(l["level"], -1)) for l in j["levels"])
bad = {f: v for f, v in diff.items() if v}
out = f"{len(gw)} cells in gridwatch, {len(pg)} in PostGIS; "
out += "every per-cell figure equal (" + ", ".join(fields) + ")" if not bad else \
       "differences: " + "; ".join(f"{f}: {len(v)} cells (e.g. {sorted(v)[:3]})" for f, v in bad.items())
out += f"; level shares max |Δ| {lv:.2g}"
print(out)
PY
)
summary=$(python3 - "$work/gw.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
n = sum(c["checks"] for c in j["cells"])
lv = ", ".join("L%d %.1f %%" % (l["level"], 100 * l["checked_today_share"]) for l in j["levels"])
print(f'{len(j["cells"])} L4 cells, {n} checks in the window, {len(j["overdue"])} overdue, '
      f'{len(j["outside_reports"])} reports from outside their cell, {j["left_out"]["unknown_cell"]} naming no cell; '
      f'checked on {j["date"]}: {lv}')
PY
)
counts=$(ogrinfo -ro -so "$data" grids checks 2>/dev/null | awk '/^Layer name/{l=$3} /^Feature Count/{printf "%s%s %s", sep, l, $3; sep=", "}')

cat <<MD
# Daily checks benchmark (SPEC §5.5, §8)

\`tests/bench/bench_checks.sh $build $runs $data $days\` — $(date -u +%Y-%m-%d)

- machine: $(machine) (shared with other jobs: every timing is wall clock); load average (1/5/15 min) $load0 at the start, $(cut -d" " -f1-3 /proc/loadavg) at the end
- data: \`gridwatch demo --scale 100\` ($(du -h "$data" | cut -f1)): $counts; \`--date $date --days $days\`
- result: $summary
- peer: PostgreSQL $pg_version (fsync off, throwaway cluster; \`time\` column loaded by ogr2ogr as $time_type)
- timings: median of $runs runs, gridwatch and PostGIS interleaved in the same run

| run | median s | PostGIS SQL ÷ this |
|---|---|---|
| gridwatch checks --json (whole process: open, read grids + checks, reproject, per-cell work, JSON) | $t_gw | $(ratio "$t_pg" "$t_gw")× |
| gridwatch checks (the table; one run) | $t_gw_table | $(ratio "$t_pg" "$t_gw_table")× |
| gridwatch stats --no-coverage --with-checks --json (the briefing table with the check columns; one run) | $t_gw_stats | |
| peer: PostGIS SQL (psql -f peers/checks_postgis.sql, data already loaded) | $t_pg | 1.00× |
| peer: PostGIS load (ogr2ogr grids + checks, ANALYZE; once, not in the ratio) | $t_pg_load | |

All runs: gridwatch ${gw_times[*]} s; PostGIS SQL ${pg_times[*]} s.

## Agreement of the per-cell figures (gridwatch JSON against the SQL's checks_cells)

$agree
MD
