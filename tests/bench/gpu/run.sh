#!/usr/bin/env bash
# Issue 17: the viewer's map frame on a lent GPU machine, at prefecture scale (demo --scale 1000):
# `render --frames N` draws with the viewer's MapRenderer into a target of the viewer's size, 4x MSAA,
# labels placed, each frame panned, each to glFinish. Run from the repository root after
# tests/bench/gpu/bundle.sh, carrying .gpu (device tool: run "bash tests/bench/gpu/run.sh", carry [".gpu"]).
# The machine has no display: EGL on the NVIDIA driver (glvnd vendor file), no window.
set -u
T0=$(date +%s)
R=$PWD
mkdir -p /tmp/gw && cd /tmp/gw && tar -xJf "$R/.gpu/libs.tar.xz" && xz -dc "$R/.gpu/gridwatch-core.xz" > gridwatch-core && chmod +x gridwatch-core
nvidia-smi -L; nvidia-smi --query-gpu=driver_version,clocks.sm,clocks.max.sm --format=csv
nproc; uname -r
NVJ=$(ls /usr/local/nvidia/share/glvnd/egl_vendor.d/*nvidia*.json /usr/share/glvnd/egl_vendor.d/*nvidia*.json 2>/dev/null | head -1)
NVE=$(ls /usr/local/nvidia/lib64/libEGL_nvidia.so.0 /usr/local/nvidia/lib/libEGL_nvidia.so.0 /usr/lib/x86_64-linux-gnu/libEGL_nvidia.so.0 2>/dev/null | head -1)
NVL=$(dirname "${NVE:-/usr/local/nvidia/lib64/x}")
echo "egl vendor: $NVJ  driver libs: $NVL"
[ -n "$NVE" ] || { ls -d /usr/local/nvidia/*; find /usr/local/nvidia -name 'libEGL*' | head; }
# The labels' font where gridwatch looks for it (the machine runs commands as root).
mkdir -p /usr/share/fonts/opentype/noto && cp share/NotoSansCJK-Regular.ttc /usr/share/fonts/opentype/noto/ ||
  echo "NOTE: the CJK font could not be put in place: labels will be missing or in ImGui's font"
export PROJ_DATA=$PWD/share/proj GDAL_DATA=$PWD/share/gdal
if [ -n "$NVJ" ]; then export __EGL_VENDOR_LIBRARY_FILENAMES=$NVJ; else echo "NOTE: no NVIDIA EGL vendor file found"; fi
G="$PWD/lib/ld-linux-x86-64.so.2 --library-path $PWD/lib:$NVL $PWD/gridwatch-core"
$G render "$R/data/dapingzi.gpkg" --out "$OUT/community.png" --timing --frames 60 2>&1 || { echo "GL FAILED"; exit 1; }
echo "--- demo --scale 1000"
# On the disk, not /dev/shm: a container's /dev/shm can be 64 MiB, and the prefecture is 1.2 GB.
time $G demo --scale 1000 --out /tmp/pref.gpkg 2>&1 | tail -3
ls -la /tmp/pref.gpkg || exit 1
for s in 1600x900 1920x1080; do
  echo "--- prefecture, full extent, $s"
  $G render /tmp/pref.gpkg --out /tmp/p_$s.png --size $s --timing --frames 120 2>&1
done
echo "--- prefecture data, one community (C500-DPZ), 1920x1080"
$G render /tmp/pref.gpkg --out /tmp/c.png --size 1920x1080 --extent C500-DPZ --timing --frames 120 2>&1
echo "--- prefecture, full extent, 3840x2160"
$G render /tmp/pref.gpkg --out /tmp/p4k.png --size 3840x2160 --timing --frames 60 2>&1
cp /tmp/p_1920x1080.png "$OUT/pref_1920x1080.png"
echo "total $(( $(date +%s) - T0 )) s"
