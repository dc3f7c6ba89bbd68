#!/usr/bin/env bash
# KDE at its default bandwidth (SPEC §5.3: Silverman's rule on the data) over the county's own
# incidents (demo --scale 100: 29,200, a bandwidth of ~5.9 km) in 10 m cells, beside QGIS's heatmap
# on the same points, radius and pixel: the case where each kernel covers ~10^6 cells, which
# gridwatch sums along rows (geo/analysis/hotspots.cpp, KdeSums). Checks agreement with QGIS and
# with the exact sum. Prints a markdown report.
#   tests/bench/bench_kde_wide.sh [BUILD_DIR] [RUNS] [COUNTY.gpkg]  > tests/bench/results_kde_wide.md
# QGIS runs once (over 60 s, lib.sh's `timed`). Needs (Debian 12): qgis qgis-providers
# python3-qgis, python3-scipy, gdal-bin — Python runs under /usr/bin/python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-$here/../../build}
runs=${2:-3}
data=${3:-/tmp/county.gpkg}
gw=$build/gridwatch
py=/usr/bin/python3
peers=$here/peers
bench_begin kde_wide
ensure_county "$data"
export QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=$work/xdg
mkdir -m 700 "$work/xdg"
export PYTHONPATH=$peers${PYTHONPATH:+:$PYTHONPATH}

log "gridwatch: KDE at Silverman's bandwidth"
t_gw=$(timed bash -c "'$gw' hotspots '$data' --method kde --out '$work/kde.tif' --json > '$work/kde.json'")
read -r h n_inc w hgt peak <<<"$("$py" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(repr(j["bandwidth_m"]), j["incidents"], j["width"], j["height"], "%.2f" % j["max_density_per_km2"])' "$work/kde.json")"
/usr/bin/time -o "$work/rss" -f '%M' "$gw" hotspots "$data" --method kde --out "$work/kde2.tif" >/dev/null 2>&1
rss=$(tail -1 "$work/rss")
log "peer: ogr2ogr to EPSG:4542"
t_reproj=$(timed ogr2ogr -f GPKG "$work/inc4542.gpkg" "$data" incidents -t_srs EPSG:4542 -overwrite)
log "peer: QGIS heatmap, radius $h (a few minutes)"
t_qgis=$(timed qgis_process.bin run qgis:heatmapkerneldensityestimation -- INPUT="$work/inc4542.gpkg" RADIUS="$h" \
    PIXEL_SIZE=10 KERNEL=0 OUTPUT_VALUE=0 OUTPUT="$work/qgis_kde.tif")
log "agreement"
agree=$("$py" "$peers/kde_compare.py" "$work/kde.tif" "$work/qgis_kde.tif" "$work/inc4542.gpkg" "$h" 300 1)
t_qgis_all=$(echo "$t_reproj + $t_qgis" | bc -l)

cat <<MD
# KDE at the default bandwidth over the county (SPEC §5.3, §8)

\`tests/bench/bench_kde_wide.sh $build $runs $data\` — $(date -u +%Y-%m-%d), build $(git -C "$here" rev-parse --short HEAD)

- machine: $(machine); load average (1/5/15 min) $load0 at the start, $(cut -d" " -f1-3 /proc/loadavg) at the end
- data: the county's own $n_inc incidents (\`gridwatch demo --scale 100\`, $(du -h "$data" | cut -f1));
  Silverman's bandwidth $(printf '%.1f' "$h") m, 10 m cells, ${w}×${hgt} cells; gridwatch's peak RSS $((rss / 1024)) MB.
- peer: QGIS $(qgis_process.bin --version 2>/dev/null | sed -n 's/^QGIS \([0-9.]*\).*/\1/p' | head -1) \`qgis:heatmapkerneldensityestimation\` (quartic, the same radius, pixel 10, Raw), on the incidents reprojected by ogr2ogr.
- timings: gridwatch the median of $runs runs (2 threads); QGIS one run (one thread).

| run | s | peer ÷ gridwatch |
|---|---|---|
| gridwatch \`hotspots --method kde\` (Silverman, 10 m), GeoTIFF | $t_gw | |
| peer: ogr2ogr to EPSG:4542 | $t_reproj | |
| peer: QGIS heatmap | $t_qgis | |
| peer: QGIS total | $(printf '%.3f' "$t_qgis_all") | $(ratio "$t_qgis_all" "$t_gw")× |

Cell by cell, the same raster is 3·10^10 kernel additions, which gridwatch refused as hours of work
before it summed wide kernels along rows. KDE peak: $peak incidents per km².

## Agreement (gridwatch vs QGIS Raw × 3/(π·h²) × 10⁶, and vs the exact sum)

| check | result |
|---|---|
$agree
MD
