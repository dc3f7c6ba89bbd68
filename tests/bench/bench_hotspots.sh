#!/usr/bin/env bash
# Issue benchmark: incident hotspots (SPEC §5.3) with 500k incidents over the county
# (demo --scale 100): KDE, Gi* with 999 permutations on the level-4 cells, DBSCAN, each beside a
# peer in the same run: QGIS's heatmap (qgis_process) and gdal_grid for KDE, libpysal + esda's
# Gi* in numpy (esda is not packaged for Debian 12), scikit-learn's DBSCAN. Checks agreement.
# Prints a markdown report.
#   tests/bench/bench_hotspots.sh [BUILD_DIR] [RUNS] [COUNTY.gpkg] [INCIDENTS.gpkg]  > tests/bench/results_hotspots.md
# The county is made with `gridwatch demo --scale 100` and the incidents with
# peers/gen_incidents.py (seed fixed) when the files do not exist.
# Needs (Debian 12): qgis qgis-providers python3-qgis, python3-libpysal, python3-sklearn,
# python3-scipy, python3-geopandas, gdal-bin — Python peers run under /usr/bin/python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-$here/../../build}
runs=${2:-3}
data=${3:-/tmp/county.gpkg}
incidents=${4:-/tmp/incidents500k.gpkg}
gw=$build/gridwatch
py=/usr/bin/python3
peers=$here/peers
work=$(mktemp -d /tmp/gw_bench_hot.XXXX)
trap 'rm -rf "$work"' EXIT
load0=$(cut -d" " -f1-3 /proc/loadavg)
log() { echo "[bench_hotspots] $*" >&2; }
export QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=$work/xdg
mkdir -m 700 "$work/xdg"
export PYTHONPATH=$peers${PYTHONPATH:+:$PYTHONPATH}


if [ ! -f "$data" ]; then
    log "making $data (demo --scale 100)"
    "$gw" demo --scale 100 --out "$data" >/dev/null
fi
t_gen=-
if [ ! -f "$incidents" ]; then
    log "making $incidents (500k incidents)"
    t0=$(date +%s.%N)
    "$py" "$peers/gen_incidents.py" "$data" "$incidents" 500000 20240601
    t_gen=$(echo "$(date +%s.%N) - $t0" | bc -l | xargs printf '%.1f')
fi
# Only the grids of the county beside the 500k incidents (the county's own incidents left out).
ogr2ogr -f GPKG "$work/grids.gpkg" "$data" grids
n_inc=$(ogrinfo -so "$incidents" incidents | sed -n 's/^Feature Count: //p')
n_l4=$(ogrinfo -so "$work/grids.gpkg" grids -where "level = 4" | sed -n 's/^Feature Count: //p')
src=("$work/grids.gpkg" "$incidents")

# --- KDE ------------------------------------------------------------------------------------------
log "KDE: gridwatch"
t_kde=$(timed bash -c "'$gw' hotspots '${src[0]}' '${src[1]}' --method kde --cell 10 --bandwidth 50 --out '$work/kde.tif' --json > '$work/kde.json'")
log "KDE: reprojection for the peers (ogr2ogr to EPSG:4542)"
t_reproj=$(timed ogr2ogr -f GPKG "$work/inc4542.gpkg" "$incidents" incidents -t_srs EPSG:4542 -overwrite)
log "KDE: QGIS heatmap"
t_qgis=$(timed qgis_process.bin run qgis:heatmapkerneldensityestimation -- INPUT="$work/inc4542.gpkg" RADIUS=50 \
    PIXEL_SIZE=10 KERNEL=0 OUTPUT_VALUE=0 OUTPUT="$work/qgis_kde.tif")
read -r gx0 gy0 gx1 gy1 gw_w gw_h <<<"$("$py" - "$work/kde.tif" <<'PY'
import sys
from osgeo import gdal
ds = gdal.Open(sys.argv[1]); g = ds.GetGeoTransform()
print(repr(g[0]), repr(g[3] + g[5] * ds.RasterYSize), repr(g[0] + g[1] * ds.RasterXSize), repr(g[3]), ds.RasterXSize, ds.RasterYSize)
PY
)"
log "KDE: gdal_grid count, radius 50 m, on gridwatch's grid"
t_gdal=$(timed gdal_grid -q -a count:radius1=50:radius2=50 -txe "$gx0" "$gx1" -tye "$gy0" "$gy1" -outsize "$gw_w" "$gw_h" \
    -ot Float32 -of GTiff -co COMPRESS=DEFLATE -co TILED=YES -l incidents "$work/inc4542.gpkg" "$work/gdal_count.tif")
log "KDE: agreement"
agree_kde=$("$py" "$peers/kde_compare.py" "$work/kde.tif" "$work/qgis_kde.tif" "$work/inc4542.gpkg" 50 300 1 "$work/gdal_count.tif")
peak=$("$py" -c 'import json,sys; print("%.1f" % json.load(open(sys.argv[1]))["max_density_per_km2"])' "$work/kde.json")

# --- Gi* ------------------------------------------------------------------------------------------
log "Gi*: gridwatch"
t_gi=$(timed bash -c "'$gw' hotspots '${src[0]}' '${src[1]}' --method gi --level 4 --permutations 999 --json > '$work/gi.json'")
log "Gi*: libpysal + numpy peer"
t_gi_peer=$(timed "$py" "$peers/gi_star_peer.py" "${src[0]}" "${src[1]}" 4 999 1 "$work/gi_peer.json")
gi_phases=$("$py" "$peers/gi_star_peer.py" "${src[0]}" "${src[1]}" 4 999 1 "$work/gi_peer.json" 2>&1 >/dev/null | sed -n 's/^peer phases: //p')
log "Gi*: agreement"
agree_gi=$("$py" "$peers/gi_compare.py" "$work/gi.json" "$work/gi_peer.json" "${src[0]}" 4)
gi_classes=$("$py" -c 'import json,sys,collections; c=collections.Counter(x["class"] for x in json.load(open(sys.argv[1]))["cells"]); print(", ".join("%s %d" % kv for kv in sorted(c.items())))' "$work/gi.json")

# --- DBSCAN ---------------------------------------------------------------------------------------
log "DBSCAN: gridwatch"
t_db=$(timed bash -c "'$gw' hotspots '${src[0]}' '${src[1]}' --method dbscan --eps 50 --min-pts 5 --json > '$work/db.json'")
log "DBSCAN: scikit-learn"
t_db_peer=$(timed "$py" "$peers/dbscan_sklearn.py" "$incidents" 50 5 "$work/db_peer.npz")
db_phases=$("$py" "$peers/dbscan_sklearn.py" "$incidents" 50 5 "$work/db_peer.npz" 2>&1 >/dev/null | sed -n 's/^peer phases: //p')
log "DBSCAN: agreement"
agree_db=$("$py" "$peers/dbscan_compare.py" "$work/db.json" "$work/db_peer.npz")

t_qgis_all=$(echo "$t_reproj + $t_qgis" | bc -l)
t_gdal_all=$(echo "$t_reproj + $t_gdal" | bc -l)
if [ "$(echo "$t_qgis_all < $t_gdal_all" | bc -l)" = 1 ]; then t_kde_peer=$t_qgis_all; kde_peer="QGIS"; else t_kde_peer=$t_gdal_all; kde_peer="gdal_grid"; fi

cat <<MD
# Hotspots benchmark (SPEC §5.3, §8)

\`tests/bench/bench_hotspots.sh $build $runs $data $incidents\` — $(date -u +%Y-%m-%d)

- machine: $(machine) (shared with other jobs; every timing is wall clock); load average (1/5/15 min) $load0 at the start, $(cut -d" " -f1-3 /proc/loadavg) at the end
- data: the grids of \`gridwatch demo --scale 100\` ($n_l4 level-4 cells) and $n_inc incidents from
  \`peers/gen_incidents.py\` (seed 20240601: 30 % uniform over the county's land, 70 % in 400 Gaussian
  clusters of σ 30–150 m around households; EPSG:4490, $(du -h "$incidents" | cut -f1)$([ "$t_gen" != - ] && echo ", generated in $t_gen s")).
  gridwatch reads \`grids.gpkg\` (the county's grids layer alone) and the incidents file, and works in EPSG:4542.
- peers: QGIS $(qgis_process.bin --version 2>/dev/null | sed -n 's/^QGIS \([0-9.]*\).*/\1/p' | head -1) (\`qgis_process.bin\`), GDAL $(gdal-config --version 2>/dev/null || gdalinfo --version | awk '{print $2}' | tr -d ,) \`gdal_grid\`,
  libpysal $("$py" -c 'import warnings; warnings.simplefilter("ignore"); import libpysal; print(libpysal.__version__)' 2>/dev/null), numpy $("$py" -c 'import numpy; print(numpy.__version__)'), scikit-learn $("$py" -c 'import sklearn; print(sklearn.__version__)'); esda is not packaged for Debian 12,
  so its \`G_Local(star=True, transform='B')\` and conditional permutation are written out in numpy
  (\`peers/gi_star_peer.py\`).
- timings: median of $runs runs (one run where the first took over 60 s); gridwatch, gdal_grid use 2
  threads, the Python peers and QGIS's heatmap one.

| run | median s | gridwatch ÷ peer |
|---|---|---|
| gridwatch KDE, quartic, bandwidth 50 m, 10 m cells, GeoTIFF (${gw_w}×${gw_h}) | $t_kde | |
| peer: ogr2ogr to EPSG:4542 (input of QGIS and gdal_grid) | $t_reproj | |
| peer: QGIS heatmap (qgis:heatmapkerneldensityestimation, quartic, radius 50, pixel 10, Raw) | $t_qgis | |
| peer: QGIS total (reprojection + heatmap) | $(printf '%.3f' "$t_qgis_all") | $(ratio "$t_kde" "$t_qgis_all")× |
| peer: gdal_grid -a count:radius1=50:radius2=50 on the same grid (a different estimator) | $t_gdal | |
| peer: gdal_grid total (reprojection + grid) | $(printf '%.3f' "$t_gdal_all") | $(ratio "$t_kde" "$t_gdal_all")× |
| gridwatch Gi*, level 4, queen, 999 permutations | $t_gi | |
| peer: libpysal queen + esda's Gi* in numpy, 999 permutations ($gi_phases) | $t_gi_peer | $(ratio "$t_gi" "$t_gi_peer")× |
| gridwatch DBSCAN, eps 50 m, min 5 | $t_db | |
| peer: scikit-learn DBSCAN, n_jobs=1 ($db_phases) | $t_db_peer | $(ratio "$t_db" "$t_db_peer")× |

gridwatch times include reading the grids and the 500k incidents from GeoPackage and
reprojecting them; the peers' include their own reading (the Python peers read points through
GDAL's Arrow stream, \`peers/pointio.py\`). KDE peak: $peak incidents per km². Gi* classes: $gi_classes.

## KDE agreement (gridwatch vs QGIS Raw × 3/(π·50²) × 10⁶, and vs the exact sum)

| check | result |
|---|---|
$agree_kde

## Gi* agreement (gridwatch vs libpysal weights + esda's formulas)

| check | result |
|---|---|
$agree_gi

## DBSCAN agreement (gridwatch vs scikit-learn)

| check | result |
|---|---|
$agree_db
MD
