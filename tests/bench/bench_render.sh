#!/usr/bin/env bash
# Issue benchmark: drawing the county (demo --scale 100: ~11k grid cells, 16k cameras with view
# sectors, 42k households) — `gridwatch render` at 1920x1080 with no display (EGL surfaceless), the
# viewer's mean frame time under xvfb at the overview and zoomed in, and QGIS (PyQGIS, same layers,
# camera wedges through a geometry generator) rendering the same extent in the same run when
# python3-qgis is installed. Prints a markdown report.
#   tests/bench/bench_render.sh [BUILD_DIR] [RUNS] [COUNTY.gpkg]  > tests/bench/results_render.md
# Needs: xvfb (xvfb-run), Mesa (llvmpipe is what CI and this machine have), optional python3-qgis.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-$here/../../build}
runs=${2:-3}
data=${3:-}
gw=$build/gridwatch
work=$(mktemp -d /tmp/gw_bench_render.XXXX)
trap 'rm -rf "$work"' EXIT
log() { echo "[bench_render] $*" >&2; }

data=$(county_or "$data" "$work" bench_render)

echo "# Rendering the county (demo --scale 100)"
echo
echo "machine: $(machine), load average $(cut -d" " -f1-3 /proc/loadavg); GL: $(gl_line "$data" "$work")"
echo
echo "| what | median of $runs (s) |"
echo "|---|---|"
t=$(median_of "$runs" env -u DISPLAY "$gw" render "$data" --out "$work/county.png" --size 1920x1080)
echo "| gridwatch render 1920x1080 PNG (open + draw + write, no display) | $t |"
t=$(median_of "$runs" env -u DISPLAY "$gw" render "$data" --out "$work/county_nl.png" --size 1920x1080 --no-labels)
echo "| gridwatch render 1920x1080 PNG, no labels | $t |"
stages=$(env -u DISPLAY "$gw" render "$data" --out "$work/county.png" --size 1920x1080 --timing 2>&1 | sed -n 's/^timing: \(.*\) (.*/\1/p')
echo "| stages of one run | $stages |"
if command -v xvfb-run >/dev/null; then
    for ev in "" "wheel:960,540,8" "wheel:960,540,14"; do
        f=$(xvfb-run -a -s "-screen 0 1920x1080x24" "$gw" view "$data" --size 1920x1080 --frames 60 --timing \
            ${ev:+--events "$ev"} 2>&1 | sed -n 's/.*mean frame \([0-9.]*\) ms.*/\1/p')
        echo "| viewer mean frame 1920x1080 (xvfb, ${ev:-overview}) | ${f} ms |"
    done
else
    echo "| viewer frame time | xvfb-run missing |"
fi
if /usr/bin/python3 -c 'import qgis.core' 2>/dev/null; then
    q=$(QT_QPA_PLATFORM=offscreen /usr/bin/python3 "$here/peers/render_qgis.py" "$data" "$work/qgis.png" 1920 1080 2>/dev/null | tail -1)
    t=$(median_of "$runs" env QT_QPA_PLATFORM=offscreen /usr/bin/python3 "$here/peers/render_qgis.py" "$data" "$work/qgis.png" 1920 1080)
    echo "| QGIS $(/usr/bin/python3 -c 'from qgis.core import Qgis; print(Qgis.version())' 2>/dev/null) PyQGIS 1920x1080 PNG (process) | $t |"
    echo "| QGIS stages of one run | $q |"
else
    echo "| QGIS | python3-qgis not installed |"
fi
