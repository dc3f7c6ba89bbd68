#!/usr/bin/env bash
# The fuzz smoke of .ci/run: builds the libFuzzer targets with clang-14 (build-fuzz-ci/, -O1) and
# gives each a short run: its seed corpus and its regressions replayed, then SECONDS of fuzzing
# from a fixed seed. Any crash, leak, sanitizer report or timeout fails it, the log's tail shown.
#   tests/fuzz/smoke.sh [SECONDS_PER_TARGET]     (default 12: six targets in about 1.5 minutes)
# Long runs: tests/fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs="${1:-12}"
build="${GW_FUZZ_BUILD:-build-fuzz-ci}"

CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DGRIDWATCH_FUZZ=ON -DCMAKE_BUILD_TYPE=None \
  "-DCMAKE_CXX_FLAGS=-O1 -gline-tables-only" >/dev/null
cmake --build "$build" -j"$(nproc)"

# GDAL's own leaks (libgdal is built without frame pointers: its stacks stop at the library, so they
# cannot be told apart finer); see tests/fuzz/README.md.
export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan.supp"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
targets="gpkg geojson kml csv shapefile project"
for t in $targets; do
  mkdir -p "$tmp/$t/new"
  dirs=("$tmp/$t/new" "tests/fuzz/corpus/$t")
  [ -d "tests/fuzz/regressions/$t" ] && dirs+=("tests/fuzz/regressions/$t")
  start=$SECONDS
  if ! "$build/fuzz_$t" -seed=1 -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$tmp/$t/" "${dirs[@]}" >"$tmp/$t.log" 2>&1; then
    echo "fuzz smoke: $t FAILED; the input is kept in ${GW_FUZZ_KEEP:-the log below}"
    tail -n 60 "$tmp/$t.log"
    if [ -n "${GW_FUZZ_KEEP:-}" ]; then mkdir -p "$GW_FUZZ_KEEP" && cp "$tmp/$t"/crash-* "$tmp/$t"/leak-* \
        "$tmp/$t"/timeout-* "$tmp/$t"/oom-* "$GW_FUZZ_KEEP"/ 2>/dev/null || true; fi
    exit 1
  fi
  runs=$(grep -m1 -oE "number_of_executed_units: [0-9]+" "$tmp/$t.log" | grep -oE "[0-9]+$" || echo "?")
  cov=$(grep -E "^#[0-9]+.*(DONE|INITED)" "$tmp/$t.log" | tail -n 1 | grep -oE "cov: [0-9]+ ft: [0-9]+" || true)
  echo "fuzz smoke: $t ok, $runs runs in $((SECONDS - start)) s, $cov"
done
