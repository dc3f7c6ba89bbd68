#!/usr/bin/env bash
# Issue benchmark: per-cell camera coverage (SPEC §5.2) on the county dataset (demo --scale 100),
# gridwatch with and without building occlusion, beside two peers computing the same per-cell
# coverage WITHOUT occlusion in the same run: geopandas/shapely (peers/coverage_geopandas.py) and
# PostGIS in a throwaway cluster (peers/coverage_postgis.sql). Checks the peers' per-cell
# covered_m2 against `gridwatch coverage --occlusion none --json`. Prints a markdown report.
#   tests/bench/bench_coverage.sh [BUILD_DIR] [RUNS] [COUNTY.gpkg]  > tests/bench/results_coverage.md
# The county file is made with `gridwatch demo --scale 100` when it does not exist.
# Needs: postgresql-15, postgresql-15-postgis-3, gdal-bin, python3-geopandas (Debian, /usr/bin/python3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-$here/../../build}
runs=${2:-3}
data=${3:-/tmp/county.gpkg}
level=4
gw=$build/gridwatch
py=/usr/bin/python3
bench_begin coverage
ensure_county "$data"

# --- gridwatch ----------------------------------------------------------------------------------
log "gridwatch coverage --occlusion none (JSON kept for the agreement check)"
t_gw_none=$(timed bash -c "'$gw' coverage '$data' --level $level --occlusion none --json > '$work/gw_none.json'")
log "gridwatch coverage (occlusion by buildings)"
t_gw_occ=$(timed bash -c "'$gw' coverage '$data' --level $level --json > '$work/gw_occ.json'")

log "gridwatch coverage --no-gaps: the per-cell table alone (what the peers compute), without and with occlusion"
t_gw_like=$(timed "$gw" coverage "$data" --level $level --occlusion none --no-gaps --json)
t_gw_nogaps=$(timed "$gw" coverage "$data" --level $level --no-gaps --json)
t_gw_stats_nocov=$(timed "$gw" stats "$data" --level $level --no-coverage)

# --- peer (a): geopandas / shapely --------------------------------------------------------------
log "geopandas/shapely peer"
t_gpd=$(timed "$py" "$here/peers/coverage_geopandas.py" "$data" $level "$work/gpd.csv")

# --- peer (b): PostGIS in a throwaway cluster on 127.0.0.1 ----------------------------------------
pg_start 55433
psql "$pgconn" -q -c "CREATE EXTENSION postgis" >/dev/null
pg_version=$(psql "$pgconn" -Atc "SELECT split_part(version(), ' ', 2) || ', PostGIS ' || postgis_lib_version() || ', GEOS ' || split_part(postgis_geos_version(), '-', 1)")
log "PostGIS load (ogr2ogr)"
t_pg_load=$(timed ogr2ogr -f PostgreSQL PG:"$pgconn" "$data" grids cameras -overwrite -lco GEOMETRY_NAME=geom)
log "PostGIS sectors + GiST + per-cell union"
t_pg_sql=$(timed psql "$pgconn" -q -v level=$level -f "$here/peers/coverage_postgis.sql")
psql "$pgconn" -q -c "\\copy (SELECT grid_id, area_m2, covered_m2 FROM cov ORDER BY grid_id) TO '$work/pg.csv' CSV HEADER"
n_sectors=$(psql "$pgconn" -Atc "SELECT count(*) FROM sectors")
par_workers=$(psql "$pgconn" -Atc "SHOW max_parallel_workers_per_gather")
pg_plan=$(psql "$pgconn" -Atc "EXPLAIN SELECT c.grid_id, COALESCE((SELECT ST_Area(ST_Intersection(c.geom, ST_Union(s.geom))) FROM sectors s WHERE ST_Intersects(c.geom, s.geom)), 0) FROM cells c" |
    grep -q "Workers Planned" && echo "parallel plan" || echo "serial plan")
t_pg=$(echo "$t_pg_load + $t_pg_sql" | bc -l)

# --- agreement ------------------------------------------------------------------------------------
agree_gpd=$("$py" "$here/peers/compare_coverage.py" "$work/gw_none.json" "$work/gpd.csv")
agree_pg=$("$py" "$here/peers/compare_coverage.py" "$work/gw_none.json" "$work/pg.csv")
agree_peers=$("$py" - "$work/gpd.csv" "$work/pg.csv" <<'PY'
import csv, sys
a = {r["grid_id"]: float(r["covered_m2"]) for r in csv.DictReader(open(sys.argv[1]))}
b = {r["grid_id"]: float(r["covered_m2"]) for r in csv.DictReader(open(sys.argv[2]))}
k = set(a) & set(b)
print(f"max abs Δ covered {max(abs(a[i] - b[i]) for i in k):.4g} m² over {len(k)} cells")
PY
)
summary() {
    "$py" - "$1" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
t = j["total"]
print(len(j["grids"]), "%.2f" % (t["coverage"] * 100), "%d/%d" % (t["households_covered"], t["households"]),
      j["gaps"], len(j["skipped_cameras"]))
PY
}
read -r n_cells tot_none hh_none _ skipped <<<"$(summary "$work/gw_none.json")"
read -r _ tot_occ hh_occ gaps_occ _ <<<"$(summary "$work/gw_occ.json")"
counts=$("$gw" info "$data" --json | "$py" -c 'import json,sys; j=json.load(sys.stdin); print(", ".join("%s %d" % (l["name"], l["count"]) for l in j["layers"]))')

faster=$(echo "if ($t_gpd < $t_pg) 1 else 0" | bc -l)
if [ "$faster" = 1 ]; then t_peer=$t_gpd; peer_name="geopandas/shapely"; else t_peer=$t_pg; peer_name="PostGIS (load + SQL)"; fi

cat <<MD
# Coverage benchmark (SPEC §5.2, §8)

\`tests/bench/bench_coverage.sh $build $runs $data\` — $(date -u +%Y-%m-%d)

- machine: $(machine) (shared with other jobs; every timing is wall clock); load average (1/5/15 min) $load0 at the start, $(cut -d" " -f1-3 /proc/loadavg) at the end
- data: \`gridwatch demo --scale 100\` ($(du -h "$data" | cut -f1)): $counts
- level $level: $n_cells cells; $n_sectors usable online cameras ($skipped cameras skipped as invalid); EPSG:4490 data, worked in EPSG:4542
- peers: geopandas $("$py" -c 'import geopandas; print(geopandas.__version__)') / shapely $("$py" -c 'import shapely; print(shapely.__version__)') (GEOS $("$py" -c 'import shapely.geos as g; print(".".join(map(str, g.geos_version)))'), one thread); PostgreSQL $pg_version (max_parallel_workers_per_gather $par_workers, the per-cell query got a $pg_plan; fsync off, throwaway cluster)
- timings: median of $runs runs (one run where the first took over 60 s); gridwatch uses 2 threads

| run | median s | $peer_name ÷ this |
|---|---|---|
| gridwatch coverage --occlusion none --no-gaps (per-cell area and households: the peers' work) | $t_gw_like | $(ratio "$t_peer" "$t_gw_like")× |
| gridwatch coverage --no-gaps (the same with occlusion by buildings) | $t_gw_nogaps | $(ratio "$t_peer" "$t_gw_nogaps")× |
| gridwatch coverage --occlusion none (per-cell area, households, gap polygons) | $t_gw_none | $(ratio "$t_peer" "$t_gw_none")× |
| gridwatch coverage (occlusion by buildings, gap polygons: the default) | $t_gw_occ | $(ratio "$t_peer" "$t_gw_occ")× |
| gridwatch stats --level $level --no-coverage (reading, per-cell counts) | $t_gw_stats_nocov | |
| peer: geopandas + shapely STRtree (per-cell area only) | $t_gpd | $(ratio "$t_peer" "$t_gpd")× |
| peer: PostGIS load (ogr2ogr grids + cameras) | $t_pg_load | |
| peer: PostGIS SQL (sectors, GiST, ST_Union per cell, ST_Intersection, ST_Area) | $t_pg_sql | |
| peer: PostGIS total | $(printf '%.3f' "$t_pg") | $(ratio "$t_peer" "$t_pg")× |

Every gridwatch time includes reading the dataset's layers from the GeoPackage and reprojecting
them, and counts households covered and road metres seen, which the peers skip; the rows without
\`--no-gaps\` also build the gap polygons (road corridors, enterprises, 15 m around households).

Results: without occlusion $tot_none % of the level-$level area covered, households $hh_none;
with occlusion $tot_occ %, households $hh_occ, $gaps_occ gap polygons.

## Agreement of per-cell covered_m2 with \`gridwatch coverage --occlusion none --json\`

| peer | agreement |
|---|---|
| geopandas/shapely | $agree_gpd |
| PostGIS | $agree_pg |
| geopandas vs PostGIS | $agree_peers |
MD
