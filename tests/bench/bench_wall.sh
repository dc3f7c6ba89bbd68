#!/usr/bin/env bash
# Issue 7 benchmark: the wall at county size (demo --scale 100). A 15360x4320 wall render (PNG,
# no display, tiled past the largest framebuffer; coverage at level 4 with occlusion included) and
# the viewer's scene switch time (key to the new scene drawn, to glFinish) under xvfb. Goals on
# llvmpipe: render <= 20 s, scene switch <= 100 ms. Prints a markdown report.
#   tests/bench/bench_wall.sh [BUILD_DIR] [RUNS] [COUNTY.gpkg]  > tests/bench/results_wall.md
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-$here/../../build}
runs=${2:-3}
data=${3:-}
gw=$build/gridwatch
work=$(mktemp -d /tmp/gw_bench_wall.XXXX)
trap 'rm -rf "$work"' EXIT
log() { echo "[bench_wall] $*" >&2; }

data=$(county_or "$data" "$work" bench_wall)

echo "# The wall at county size (demo --scale 100)"
echo
echo "machine: $(machine), load average $(cut -d" " -f1-3 /proc/loadavg); GL: $(gl_line "$data" "$work")"
echo
echo "| what | median of $runs | goal |"
echo "|---|---|---|"
for size in 7680x4320 15360x4320; do
    t=$(median_of "$runs" env -u DISPLAY "$gw" render "$data" --wall --out "$work/wall.png" --size $size)
    echo "| gridwatch render --wall $size PNG (open + coverage + draw + write) | $t s | ≤ 20 s |"
done
stages=$(env -u DISPLAY "$gw" render "$data" --wall --out "$work/wall.tif" --size 15360x4320 --timing 2>&1 | sed -n 's/^timing: \([^(]*\) (.*/\1/p')
echo "| stages of one 15360x4320 GeoTIFF run | $stages | |"
if command -v xvfb-run >/dev/null; then
    # Scenes stepped with PageDown/PageUp, each switch timed from the key to the new frame
    # finished: the area scenes (one part of a community), then the whole-county scenes (overview,
    # hotspots, blind spots: the most the map ever draws).
    med() { sort -g | awk -v f="${1:-%.1f}" '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf f, m}'; }
    for what in areas county; do
        if [ $what = areas ]; then
            ev="key:pagedown;key:pagedown;key:pagedown;key:pagedown;key:pagedown;key:pageup;key:pageup;key:pagedown;key:pagedown;key:pagedown"
        else
            ev="key:pageup;key:pageup;key:pagedown;key:pagedown;key:pageup;key:pageup;key:pagedown;key:pagedown"
        fi
        for i in $(seq "$runs"); do
            xvfb-run -a -s "-screen 0 1920x1080x24" "$gw" view "$data" --wall --size 1920x1080 --frames 20 \
                --events "$ev" --timing 2>&1 | grep '^timing:' || true
        done > "$work/switch.txt"
        drawn=$(sed -n 's/.*median \([0-9.]*\) ms, max.*/\1/p' "$work/switch.txt" | med)
        change=$(sed -n 's/.*change median \([0-9.]*\) ms.*/\1/p' "$work/switch.txt" | med %.3f)
        echo "| viewer --wall scene switch 1920x1080 (xvfb), $what scenes: key to the new scene drawn, to glFinish (median of $runs runs' medians) | $drawn ms | ≤ 100 ms |"
        echo "| … of which the switch itself (view + layer visibility; no GPU upload) | $change ms | |"
    done
fi
