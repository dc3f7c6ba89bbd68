#!/usr/bin/env bash
# Makes the seed corpora of tests/fuzz/corpus/ from the bundled data/dapingzi.gpkg with ogr2ogr:
# a few features of each layer in each format, kept to a few KB a file. Rerun only to rebuild them
# (the checked-in files are what the smokes and the replay tests use).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/../../data/dapingzi.gpkg"
out="$here/corpus"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out" && mkdir -p "$out"/{gpkg,geojson,kml,csv,shapefile,project}

# Round coordinates so that the text formats stay small.
o2o() { ogr2ogr -q "$@"; }

# GeoPackage: two or three layers a file, then stripped of the tile tables and the unused CRSs and
# vacuumed with 512-byte pages (an ogr2ogr GeoPackage is ~100 KB, mostly empty pages).
gpkg() {  # NAME LAYER:WHERE...
  local name=$1; shift
  local f="$tmp/$name.gpkg" first=1
  for spec in "$@"; do
    local layer=${spec%%:*} where=${spec#*:}
    o2o -f GPKG ${first:+} $([ $first = 1 ] || echo -update) "$f" "$src" "$layer" -where "$where" \
        -lco SPATIAL_INDEX=NO
    first=0
  done
  python3 - "$f" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for (n,) in c.execute("select name from sqlite_master where type='trigger'").fetchall():
    c.execute(f'drop trigger "{n}"')
c.execute("drop table gpkg_tile_matrix"); c.execute("drop table gpkg_tile_matrix_set")
c.execute("delete from gpkg_spatial_ref_sys where srs_id not in (select srs_id from gpkg_contents) and srs_id > 0")
c.commit()
c.execute("pragma page_size=512"); c.execute("vacuum"); c.close()
PY
  cp "$f" "$out/gpkg/$name.gpkg"
}
gpkg grids_cameras "grids:level <= 2 and fid <= 3" "cameras:fid <= 3"
gpkg households_incidents "households:fid <= 3" "incidents:fid <= 3"
gpkg roads_facilities "roads:fid <= 2" "facilities:fid <= 2" "candidates:fid <= 2"
gpkg enterprises_buildings "enterprises:fid <= 2" "buildings:fid <= 3"

# GeoJSON and KML: one layer a file (the layer's name inside), a few features.
# Cells and roads simplified to ~20 m: their full outlines are tens of KB.
for layer in grids households cameras enterprises roads buildings incidents facilities candidates; do
  where="fid <= 3"; [ $layer = grids ] && where="level <= 2"
  simplify=""; case $layer in grids|roads) simplify="-simplify 0.0002";; esac
  o2o -f GeoJSON "$out/geojson/$layer.geojson" "$src" $layer -where "$where" -lco COORDINATE_PRECISION=6 $simplify
  o2o -f KML "$out/kml/$layer.kml" "$src" $layer -where "$where" $simplify
done

# CSV (phone reports): byte 0 picks the coordinates (0 native + --assume-crs EPSG:4326, 1 GCJ-02,
# 2 BD-09, 3 none) and, in bits 2.., the layer (0 incidents 1 households 2 cameras 3 facilities
# 4 candidates 5 reports); the rest is the file, lon/lat columns as the reporting app writes them.
i=0
for layer in incidents households cameras facilities candidates; do
  o2o -f CSV "$tmp/$layer.csv" "$src" $layer -where "fid <= 3" -lco GEOMETRY=AS_XY
  # X,Y first columns renamed as phone exports name them.
  sed -i '1s/^X,Y,/lon,lat,/' "$tmp/$layer.csv"
  for mode in 0 1 2; do
    { printf "\\x$(printf %02x $(( (i << 2) | mode )))"; cat "$tmp/$layer.csv"; } > "$out/csv/$layer-$mode.csv"
  done
  i=$((i + 1))
done
printf '\x15经度,纬度,type,time,color\n106.71,26.58,fire,2024-05-01 10:00,red\n106.72,26.59,dispute,,blue\n' \
  > "$out/csv/reports-chinese-columns.csv"

# Shapefile sets, packed by pack_shapefile.py: the folder opened (selector = layer index) and the
# .shp opened (+16).
i=0
for layer in grids households cameras enterprises roads buildings incidents facilities candidates; do
  where="fid <= 3"; [ $layer = grids ] && where="level <= 2"
  mkdir -p "$tmp/shp-$layer"
  simplify=""; case $layer in grids|roads) simplify="-simplify 0.0002";; esac
  o2o -f "ESRI Shapefile" "$tmp/shp-$layer/$layer.shp" "$src" $layer -where "$where" -lco ENCODING=UTF-8 $simplify
  python3 "$here/pack_shapefile.py" $(( i + (i % 2) * 16 )) "$out/shapefile/$layer.bin" "$tmp/shp-$layer/$layer.shp"
  i=$((i + 1))
done

# Project files: as save_project writes them, and the smallest ones.
cat > "$out/project/scenes.json" <<'JSON'
{
  "scenes": [
    {"name": "overview", "title": "大坪子社区", "subtitle": "网格化管理", "extent": [378000.5, 2939000, 381200, 2941500.25],
     "layers": [], "overlay": ""},
    {"name": "hotspots", "title": "事件热点", "subtitle": "核密度", "extent": [378000, 2939000, 381200, 2941500],
     "layers": ["incidents", "grids"], "overlay": "kde"}
  ],
  "warning": {"red": 12, "yellow": 6, "blue": 2, "weights": {"red": 4, "yellow": 2, "blue": 1, "green": 0.5, "none": 1}}
}
JSON
echo '{"warning": {"red": 5, "yellow": 5, "blue": 0}}' > "$out/project/warning-only.json"
echo '{}' > "$out/project/empty.json"
echo '{"scenes": [{"name": "a", "extent": [0, 0, 1, 1]}]}' > "$out/project/minimal-scene.json"
du -sh "$out"/*
