#!/usr/bin/env bash
# Issue 17: packs gridwatch-core with the Debian 12 libraries it loads (its own loader included),
# glvnd's EGL/GL dispatch libraries, proj.db, GDAL's data and the CJK font into .gpu/ at the
# repository's root (ignored; ~59 MB, under the device tool's 64 MiB with the working tree), for
# tests/bench/gpu/run.sh on a lent GPU machine whose system is not Debian 12:
#
#   tests/bench/gpu/bundle.sh build        # then, on the device: bash tests/bench/gpu/run.sh  (carry .gpu)
set -eu
build=${1:-build}
root=$(cd "$(dirname "$0")/../../.." && pwd)
exclude=$(git -C "$root" rev-parse --git-path info/exclude)  # a worktree's .git is a file
case $exclude in /*) ;; *) exclude=$root/$exclude ;; esac
mkdir -p "$(dirname "$exclude")"
grep -qx '/.gpu/' "$exclude" 2>/dev/null || echo '/.gpu/' >>"$exclude"
stage=$(mktemp -d /tmp/gw_gpu_bundle.XXXXXX)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lib" "$stage/share/proj" "$root/.gpu"
for f in $(ldd "$build/gridwatch-core" | awk '$3 ~ /^\// {print $3}') /lib64/ld-linux-x86-64.so.2; do
    cp -L "$f" "$stage/lib/"
done
# libepoxy opens these at run time; glvnd's libEGL then loads the machine's vendor driver.
for n in libEGL.so.1 libGLdispatch.so.0 libOpenGL.so.0 libGL.so.1 libGLX.so.0; do
    cp -L "$(ldconfig -p | awk -v n="$n" '$1 == n {print $NF; exit}')" "$stage/lib/"
done
cp /usr/share/proj/proj.db "$stage/share/proj/"
cp -r /usr/share/gdal "$stage/share/gdal"
cp /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc "$stage/share/"
tar -C "$stage" -cf - . | xz -9e -T2 >"$root/.gpu/libs.tar.xz"
strip -o "$stage/gridwatch-core" "$build/gridwatch-core"
xz -9e -c "$stage/gridwatch-core" >"$root/.gpu/gridwatch-core.xz"
du -cb "$root"/.gpu/* | tail -1
