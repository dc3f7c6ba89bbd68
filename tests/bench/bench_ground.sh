#!/usr/bin/env bash
# Issue 2 benchmark: a county-size dataset (demo --scale 100), then info, stats and the shapefile
# export, beside ogr2ogr writing the same layers to shapefiles in the same run.
#   tests/bench/bench_ground.sh [BUILD_DIR] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-$here/../../build}
runs=${2:-3}
gw=$build/gridwatch
work=$(mktemp -d /tmp/gw_bench_ground.XXXX)
trap 'rm -rf "$work"' EXIT

echo "machine: $(machine)"
t_demo=$(median_of 1 "$gw" demo --scale 100 --out "$work/county.gpkg")
echo "county: $(du -h "$work/county.gpkg" | cut -f1), $("$gw" info "$work/county.gpkg" --json | /usr/bin/python3 -c 'import json,sys; j=json.load(sys.stdin); print(", ".join("%s %d" % (l["name"], l["count"]) for l in j["layers"]))')"
t_info=$(median_of "$runs" "$gw" info "$work/county.gpkg")
t_stats=$(median_of "$runs" "$gw" stats "$work/county.gpkg" --no-coverage)
t_export=$(median_of "$runs" bash -c "rm -rf '$work/gw_shp' && '$gw' export '$work/county.gpkg' --out '$work/gw_shp'")
t_ogr=$(median_of "$runs" bash -c "rm -rf '$work/ogr_shp' && ogr2ogr -f 'ESRI Shapefile' '$work/ogr_shp' '$work/county.gpkg' -lco ENCODING=UTF-8")
ratio=$(echo "$t_export / $t_ogr" | bc -l)
printf '| step | median s |\n|---|---|\n'
printf '| demo --scale 100 (generate + write GPKG) | %s |\n' "$t_demo"
printf '| info (open, repair check, tiling check) | %s |\n' "$t_info"
printf '| stats --level 4 (no coverage) | %s |\n' "$t_stats"
printf '| export to shapefiles (gridwatch) | %s |\n' "$t_export"
printf '| ogr2ogr to shapefiles (peer) | %s |\n' "$t_ogr"
printf '| export / ogr2ogr | %.2f× |\n' "$ratio"
