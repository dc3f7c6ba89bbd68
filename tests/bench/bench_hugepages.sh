#!/usr/bin/env bash
# Each county command with and without huge pages (the launcher asks for them when GRIDWATCH_HUGE_PAGES=1:
# app/cli/huge_pages.h), the two
# interleaved, N runs each: median wall and CPU (user + sys) seconds, peak RSS.
#   tests/bench/bench_hugepages.sh BUILD_DIR N COUNTY.gpkg
set -euo pipefail
build=${1:-build} n=${2:-3} county=${3:-/tmp/county15.gpkg}
gw=$build/gridwatch
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
commands=(
  "render $county --out $out/r.png --size 1600x1200"
  "checks $county --json"
  "patrols $county --json"
  "stats $county --json"
  "hotspots $county --method gi --level 4 --json"
  "hotspots $county --method kde --cell 10 --bandwidth 50 --out $out/k.tif --json"
  "coverage $county --level 4 --json"
  "plan $county --add 10 --candidates auto --json"
)
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
echo "| command | small pages: wall s / CPU s / RSS MB | huge pages: wall s / CPU s / RSS MB |"
echo "|---|---|---|"
for cmd in "${commands[@]}"; do
  for mode in off on; do : > "$out/$mode"; done
  for ((i = 0; i < n; i++)); do
    for mode in off on; do
      env=(); [[ $mode == on ]] && env=(GRIDWATCH_HUGE_PAGES=1)
      env "${env[@]}" /usr/bin/time -f "%e %U %S %M" -o "$out/t" $gw $cmd >/dev/null 2>"$out/err" || { cat "$out/err"; exit 1; }
      awk '{printf "%s %.2f %.0f\n", $1, $2 + $3, $4 / 1024}' "$out/t" >> "$out/$mode"
    done
  done
  row="| $(echo "$cmd" | sed "s#$county#COUNTY#; s#$out/##g")"
  for mode in off on; do
    w=$(cut -d' ' -f1 "$out/$mode" | median) c=$(cut -d' ' -f2 "$out/$mode" | median) m=$(cut -d' ' -f3 "$out/$mode" | median)
    row+=" | $w / $c / $m"
  done
  echo "$row |"
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
