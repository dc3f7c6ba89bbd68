#!/usr/bin/env bash
# Issue 15: `gridwatch import` of 10,000 phone reports into a copy of the county GeoPackage against
# `ogr2ogr -append` of the same CSV (which validates nothing: no cell, time, kind or id check, no
# skipping of ids already stored), in the same run, interleaved, each on a fresh copy of the county.
# Both reproject lon/lat into the layer's CRS and write into one transaction with the R-tree kept.
#
#   tests/bench/bench_import.sh GRIDWATCH [COUNTY.gpkg] [ROWS] [RUNS]
# COUNTY defaults to a fresh `gridwatch demo --scale 100`. Prints a Markdown table (wall and CPU
# seconds, medians) for tests/bench/results_import.md.
set -eu
gw=$1 data=${2:-} rows=${3:-10000} runs=${4:-7}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
work=$(mktemp -d /tmp/gw_bench_import.XXXXXX)
trap 'rm -rf "$work"' EXIT
data=$(county_or "$data" "$work" import)
py=/usr/bin/python3

# The reports: L4 cells of the county, times of one day, the usual kinds, positions in the county.
"$py" - "$data" "$work/reports.csv" "$rows" <<'EOF'
import random, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cells = [r[0] for r in db.execute("select grid_id from grids where level = 4")]
(x0, x1, y0, y1) = db.execute("select min_x, max_x, min_y, max_y from gpkg_contents where table_name = 'grids'").fetchone()
rnd = random.Random(15)
with open(sys.argv[2], "w") as f:
    f.write("check_id,grid_id,reporter,time,kind,people,note,lon,lat\n")
    for i in range(int(sys.argv[3])):
        f.write("IMP%06d,%s,张三,2026-12-02T%02d:%02d:00+08:00,%s,%d,,%.6f,%.6f\n" % (
            i, rnd.choice(cells), 8 + i % 10, i % 60, rnd.choice(["routine", "routine", "newcomer", "returnee"]),
            rnd.randint(0, 3), rnd.uniform(x0, x1), rnd.uniform(y0, y1)))
EOF
crs=$("$py" -c "import sqlite3,sys; print('EPSG:%d' % sqlite3.connect(sys.argv[1]).execute(\"select srs_id from gpkg_geometry_columns where table_name='grids'\").fetchone()[0])" "$data")
has_checks=$("$py" -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select count(*) from gpkg_contents where table_name='checks'\").fetchone()[0])" "$data")
existing=0
[ "$has_checks" = 1 ] && existing=$("$py" -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from checks').fetchone()[0])" "$data")

gw_cmd="\"$gw\" import \"$work/t.gpkg\" --checks \"$work/reports.csv\" --json >\"$work/gw.json\""
ogr_cmd="ogr2ogr -append \"$work/t.gpkg\" \"$work/reports.csv\" -nln checks -oo X_POSSIBLE_NAMES=lon \
-oo Y_POSSIBLE_NAMES=lat -oo KEEP_GEOM_COLUMNS=NO -s_srs EPSG:4326 -t_srs $crs"
# one CMD: a fresh copy of the county (not timed), then wall and CPU seconds of CMD.
one() {
    cp "$data" "$work/t.gpkg"; sync
    /usr/bin/time -f "%e %U %S" -o "$work/time" bash -c "$1" 2>/dev/null || { echo "FAILED: $1" >&2; exit 1; }
    awk '{printf "%s %.3f\n", $1, $2 + $3}' "$work/time"
}
med() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }
gw_wall=() gw_cpu=() ogr_wall=() ogr_cpu=()
for i in $(seq "$runs"); do
    read -r w c < <(one "$gw_cmd"); gw_wall+=("$w"); gw_cpu+=("$c")
    read -r w c < <(one "$ogr_cmd"); ogr_wall+=("$w"); ogr_cpu+=("$c")
done
# Both wrote every row: the gridwatch run said so, and ogr2ogr's copy holds them.
grep -q "\"added\": $rows" "$work/gw.json" || { echo "gridwatch did not add $rows rows" >&2; cat "$work/gw.json" >&2; exit 1; }
n=$("$py" -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from checks').fetchone()[0])" "$work/t.gpkg")
[ "$n" = $((existing + rows)) ] || { echo "ogr2ogr left $n rows, not $((existing + rows))" >&2; exit 1; }

gwW=$(printf '%s\n' "${gw_wall[@]}" | med) gwC=$(printf '%s\n' "${gw_cpu[@]}" | med)
ogW=$(printf '%s\n' "${ogr_wall[@]}" | med) ogC=$(printf '%s\n' "${ogr_cpu[@]}" | med)
echo "Machine: $(machine); load average before/after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "County: $(basename "$data") ($existing checks before), $rows reports, CRS $crs, $runs interleaved runs each, medians"
echo
echo "| run | wall s | CPU s (user+sys) |"
echo "|---|---|---|"
echo "| gridwatch import | $gwW | $gwC |"
echo "| ogr2ogr -append (no validation) | $ogW | $ogC |"
echo "| ogr2ogr / gridwatch | $(ratio "$ogW" "$gwW")× | $(ratio "$ogC" "$gwC")× |"
echo
echo "all wall: gridwatch ${gw_wall[*]}; ogr2ogr ${ogr_wall[*]}"
