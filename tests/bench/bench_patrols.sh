#!/usr/bin/env bash
# Issue 15 benchmark: `gridwatch patrols --json` on the county (demo --scale 100, with patrols)
# beside PostGIS doing the same per-cell work in SQL (peers/patrols_postgis.sql) in a throwaway
# cluster, in the same run, whole process on both sides (PostGIS: ogr2ogr load + SQL). The peer is
# given gridwatch's camera views (exported with `gridwatch coverage --no-gaps --out`, not timed):
# SQL has no visibility polygon. Checks per-cell agreement. Prints a markdown report.
#   tests/bench/bench_patrols.sh [BUILD_DIR] [RUNS] [COUNTY.gpkg]  > tests/bench/results_patrols.md
# Needs: postgresql-15, postgresql-15-postgis-3, gdal-bin, /usr/bin/python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-$here/../../build}
runs=${2:-3}
data=${3:-/tmp/county15_patrols.gpkg}
gw=$build/gridwatch
py=/usr/bin/python3
bench_begin patrols
ensure_county "$data"

# --- gridwatch ----------------------------------------------------------------------------------
log "gridwatch patrols --json (the default window: 7 days ending on the latest track's day)"
t_gw=$(timed bash -c "'$gw' patrols '$data' --json > '$work/gw.json'")
IFS='|' read -r w_from w_until n_tracks n_cells <<<"$("$py" -c '
import json, sys
j = json.load(open(sys.argv[1]))
print("|".join([j["window"]["from"].replace("T", " "), j["window"]["until"].replace("T", " "),
                str(j["tracks_in_window"]), str(len(j["cells"]))]))
' "$work/gw.json")"
log "window $w_from … $w_until: $n_tracks tracks, $n_cells cells"
log "gridwatch coverage --no-gaps --out: the views handed to the peer (not timed)"
"$gw" coverage "$data" --no-gaps --out "$work/views.gpkg" --json >"$work/cov.json" 2>/dev/null
cov_roads=$("$py" -c '
import json, sys
r = json.load(open(sys.argv[1]))["roads"]
print("road %.0f m, seen %.0f m" % (r["length_m"], r["length_m"] - r["seen_by_0_m"]))' "$work/cov.json")

# --- peer: PostGIS in a throwaway cluster -----------------------------------------------------------
pg_start 55533
psql "$pgconn" -q -c "CREATE EXTENSION postgis" >/dev/null
pg_version=$(psql "$pgconn" -Atc "SELECT split_part(version(), ' ', 2) || ', PostGIS ' || postgis_lib_version() || ', GEOS ' || split_part(postgis_geos_version(), '-', 1)")
load_all() {
    ogr2ogr -f PostgreSQL PG:"$pgconn" "$data" grids roads patrols -overwrite -preserve_fid -lco GEOMETRY_NAME=geom &&
        ogr2ogr -f PostgreSQL PG:"$pgconn" "$work/views.gpkg" views -overwrite -lco GEOMETRY_NAME=geom -a_srs EPSG:4542
}
sql() {
    psql "$pgconn" -q -v from="$w_from" -v until="$w_until" -v night_from=72000 -v night_to=21600 \
        -f "$here/peers/patrols_postgis.sql"
}
log "PostGIS load (ogr2ogr grids, roads, patrols, views)"
t_pg_load=$(timed load_all)
log "PostGIS SQL (tracks cut to the window and the night, buffers, per-cell intersections)"
t_pg_sql=$(timed sql)
psql "$pgconn" -q -c "\\copy (SELECT * FROM result ORDER BY grid_id) TO '$work/pg.csv' CSV HEADER"
t_pg=$(echo "$t_pg_load + $t_pg_sql" | bc -l)

# --- agreement ------------------------------------------------------------------------------------
agreement=$("$py" - "$work/gw.json" "$work/pg.csv" <<'PY'
import csv, json, sys
gw = {c["grid_id"]: c for c in json.load(open(sys.argv[1]))["cells"]}
pg = {r["grid_id"]: {k: float(v) for k, v in r.items() if k != "grid_id"} for r in csv.DictReader(open(sys.argv[2]))}
keys = sorted(set(gw) & set(pg))
print(f"| cells compared | {len(keys)} of {len(gw)} (gridwatch) and {len(pg)} (PostGIS) |")
for f in ("road_m", "camera_m", "patrolled_m", "both_m", "neither_m"):
    d = [pg[k][f] - gw[k][f] for k in keys]
    tg, tp = sum(gw[k][f] for k in keys), sum(pg[k][f] for k in keys)
    within = sum(abs(x) <= 1.0 for x in d)
    print(f"| {f} | total gridwatch {tg:,.0f} m, PostGIS {tp:,.0f} m ({(tp / tg - 1) * 100 if tg else 0:+.2f} %); "
          f"per cell max abs Δ {max(map(abs, d)):.3g} m; {within} cells within 1 m |")
d = [pg[k]["night_share"] - gw[k]["night_share"] for k in keys if gw[k]["patrolled_m"] > 0]
print(f"| night_share | per patrolled cell max abs Δ {max(map(abs, d)) if d else 0:.3g}, mean abs Δ {sum(map(abs, d)) / max(1, len(d)):.3g} |")
PY
)
counts=$("$gw" info "$data" --json 2>/dev/null | "$py" -c 'import json,sys; j=json.load(sys.stdin); print(", ".join("%s %d" % (l["name"], l["count"]) for l in j["layers"]))')
totals=$("$py" -c '
import json, sys
t = json.load(open(sys.argv[1]))["total"]
print("roads %.0f m: camera %.0f, patrolled %.0f (night share %.2f), both %.0f, neither %.0f" %
      (t["road_m"], t["camera_m"], t["patrolled_m"], t["night_share"], t["both_m"], t["neither_m"]))' "$work/gw.json")

cat <<MD
# Patrols benchmark (issue 15, SPEC §5.5)

\`tests/bench/bench_patrols.sh $build $runs $data\` — $(date -u +%Y-%m-%d)

- machine: $(machine) (shared with other jobs; wall clock); load average (1/5/15 min) $load0 at the start, $(cut -d" " -f1-3 /proc/loadavg) at the end
- data: $(du -h "$data" | cut -f1): $counts
- window $w_from … $w_until (the default: 7 days ending on the latest track's day): $n_tracks tracks; $n_cells L4 cells; night 20:00–06:00
- peer: PostgreSQL $pg_version, throwaway cluster, fsync off; given gridwatch's view polygons (exported, not timed)
- timings: median of $runs runs (one run where the first took over 60 s); gridwatch uses 2 threads

| run | s | PostGIS ÷ this |
|---|---|---|
| gridwatch patrols --json (read, views with occlusion, tracks, roads, per cell, passed) | $t_gw | $(ratio "$t_pg" "$t_gw")× |
| peer: PostGIS load (ogr2ogr grids, roads, patrols, views) | $t_pg_load | |
| peer: PostGIS SQL (window and night cuts, buffers, per-cell intersections) | $t_pg_sql | |
| peer: PostGIS total | $(printf '%.3f' "$t_pg") | 1.00× |

gridwatch: $totals.

The peer does less: it is handed the views (gridwatch computes them, with building occlusion, inside
its time), and lists no facilities passed, no time present, no "neither" pieces.

## Agreement per cell (PostGIS − gridwatch)

Patrolled metres differ by definition: the peer counts road inside a 25 m buffer of the tracks
(a track crossing a road counts 50 m, one ending near a road counts the road around its end),
gridwatch the road a track runs along within 25 m (crossing: 0 m). Road and camera metres are the
same quantity on both sides; a road along an edge two cells share counts once on both sides, for
the cell first in the layer.

| measure | agreement |
|---|---|
$agreement

The same views sampled every metre by \`gridwatch coverage --json\` (a different computation: road
samples in the cells, not exact intervals): $cov_roads.
MD
