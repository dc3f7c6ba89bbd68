#!/usr/bin/env bash
# Issue 17 benchmark: each county command's whole process as a multiple of its GDAL floor, the time
# GDAL itself needs to stream the layers that command reads on one thread, nothing done with the
# values (build/gdal_floor): the lower of its Arrow stream and feature by feature. gridwatch reads
# features (README "For developers" says why not GDAL 3.6's Arrow stream, though it is the faster).
# Interleaved in one run, medians of RUNS, peak RSS of one run of each command.
#   tests/bench/bench_floor.sh [BUILD_DIR] [RUNS] [COUNTY.gpkg] [INCIDENTS.gpkg]  > tests/bench/results_floor.md
# The county is made with `gridwatch demo --scale 100` when the file does not exist. INCIDENTS (the
# 500k of peers/gen_incidents.py, as bench_hotspots.sh reads them) adds KDE and Gi* on those.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-$here/../../build}
runs=${2:-5}
data=${3:-/tmp/county15.gpkg}
incidents=${4:-}
gw=$build/gridwatch
floor=$build/gdal_floor
bench_begin floor
ensure_county "$data"
date=$("$gw" checks "$data" --days 1 --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["date"])')

# name | the layers it reads (as cmd_*.cpp opens them) | the command
commands=(
    "render (open and draw)|grids,households,cameras,enterprises,roads,buildings,incidents,facilities,candidates|$gw render $data --out $work/r.png --size 1600x1200"
    "checks|grids,checks|$gw checks $data --date $date --json"
    "patrols|grids,roads,cameras,buildings,patrols,facilities,enterprises|$gw patrols $data --json"
    "coverage --level 4|grids,households,cameras,roads,buildings,enterprises|$gw coverage $data --level 4 --json"
    "hotspots --method kde|incidents|$gw hotspots $data --method kde --cell 10 --bandwidth 50 --out $work/kde.tif"
    "hotspots --method gi|incidents,grids|$gw hotspots $data --method gi --level 4 --json"
    "stats|grids,households,cameras,enterprises,roads,buildings,incidents,facilities,candidates|$gw stats $data --json"
)
if [ -n "$incidents" ]; then
    # The floor of these reads the incidents file alone (gdal_floor takes one file): the grids file
    # of Gi* adds ~0.03 s to it.
    ogr2ogr -f GPKG "$work/grids.gpkg" "$data" grids
    commands+=(
        "hotspots --method kde, $(basename "$incidents")|incidents|$gw hotspots $work/grids.gpkg $incidents --method kde --cell 10 --bandwidth 50 --out $work/kde.tif|$incidents"
        "hotspots --method gi --permutations 999, $(basename "$incidents")|incidents|$gw hotspots $work/grids.gpkg $incidents --method gi --level 4 --permutations 999 --json|$incidents"
    )
fi

echo "# GDAL floor: each command's whole process beside GDAL streaming its layers"
echo
echo "Machine: $(machine). Load at the start: $load0. $(date -u +%Y-%m-%d\ %H:%M) UTC. Dataset: $data"
echo "($(du -h "$data" | cut -f1)). Medians of $runs, interleaved; the floor is the lower of \`gdal_floor FILE LAYERS\`"
echo "(GDAL's Arrow stream on one thread) and \`gdal_floor FILE LAYERS --features\` (feature by feature), process"
echo "start included; \"start to read\" is from the command's start to the end of its reading"
echo "(GRIDWATCH_TIMING=1), its analysis and output left out."
echo
echo "| command | layers read | floor: Arrow s | floor: features s | gridwatch: start to read s | read × floor | whole process s | whole × floor | peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|---|"
for entry in "${commands[@]}"; do
    IFS='|' read -r name layers cmd floor_file <<<"$entry"
    log "$name"
    # shellcheck disable=SC2086
    t_arrow=$(timed "$floor" "${floor_file:-$data}" "$layers")
    # shellcheck disable=SC2086
    t_features=$(timed "$floor" "${floor_file:-$data}" "$layers" --features)
    t_floor=$(printf '%s\n%s\n' "$t_arrow" "$t_features" | sort -g | head -1)
    # shellcheck disable=SC2086
    t_gw=$(timed $cmd)
    # shellcheck disable=SC2086
    t_read=$(timed_read $cmd)
    # shellcheck disable=SC2086
    rss=$(/usr/bin/time -f '%M' $cmd 2>&1 >/dev/null | tail -1)
    echo "| $name | $layers | $t_arrow | $t_features | $t_read | $(ratio "$t_read" "$t_floor") | $t_gw | $(ratio "$t_gw" "$t_floor") | $((rss / 1024)) |"
done
echo
echo "Load at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
