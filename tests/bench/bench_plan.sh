#!/usr/bin/env bash
# Issue 6 benchmark: camera placement. A county-size instance with K = 50; then instances of
# growing size where greedy is compared with CBC's proven optimum (in-process, --exact), with the
# `cbc` program on the LP written from the same matrix, and with a dense-matrix MCLP the way
# PySAL spopt builds it (numpy + HiGHS), each with a 60 s limit: who gives up where.
#   tests/bench/bench_plan.sh [BUILD_DIR] [COUNTY_GPKG]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-$here/../../build}
county=${2:-/tmp/county.gpkg}
gw=$build/gridwatch
work=$(mktemp -d /tmp/gw_bench_plan.XXXX)
trap 'rm -rf "$work"' EXIT
field() { /usr/bin/python3 -c "import json,sys; j=json.load(open('$1')); print($2)"; }

echo "machine: $(machine)"
[ -f "$county" ] || "$gw" demo --scale 100 --out "$county" >/dev/null
t0=$(date +%s.%N)
"$gw" plan "$county" --add 50 --candidates auto --json > "$work/county.json" 2>/dev/null
t1=$(date +%s.%N)
echo "county K=50: $(echo "$t1 - $t0" | bc -l | xargs printf '%.1f') s; $(field "$work/county.json" "'columns %d, demand points %d, non-zeros %d; covered before %.0f, after %.0f, bound %.0f' % (j['instance']['columns'], j['instance']['demand_points'], j['instance']['nonzeros'], j['covered_before'], j['covered_after'], j['upper_bound'])")"

printf '\n| instance | columns | non-zeros | greedy s | greedy value | CBC in-process | cbc program on the LP | dense MCLP (numpy + HiGHS) | greedy / optimum |\n|---|---|---|---|---|---|---|---|---|\n'
for scale in 1 4 9; do
    ds="$work/s$scale.gpkg"
    "$gw" demo --scale "$scale" --out "$ds" >/dev/null
    for k in 10; do
        t0=$(date +%s.%N); "$gw" plan "$ds" --add $k --candidates auto --json --write-lp "$work/s$scale" > "$work/g.json" 2>/dev/null; t1=$(date +%s.%N)
        tg=$(echo "$t1 - $t0" | bc -l)
        gv=$(field "$work/g.json" "j['covered_after'] - j['covered_before']")
        cols=$(field "$work/g.json" "j['instance']['columns']"); nz=$(field "$work/g.json" "j['instance']['nonzeros']")
        t0=$(date +%s.%N); timeout 120 "$gw" plan "$ds" --add $k --candidates auto --exact --time-limit 60 --json > "$work/e.json" 2>"$work/e.err"; rc=$?; t1=$(date +%s.%N)
        te=$(echo "$t1 - $t0" | bc -l)
        if [ $rc = 0 ]; then
            ev=$(field "$work/e.json" "j['covered_after'] - j['covered_before']"); proven=$(field "$work/e.json" "j['proven_optimal']")
            exact="$(printf '%.1f' "$te") s, gain $ev$( [ "$proven" = True ] && echo ' (optimal)' || echo ' (time limit)')"
            ratio=$(echo "$gv / $ev" | bc -l | xargs printf '%.3f')
        else
            exact="gave up: $(tail -1 "$work/e.err" | cut -c1-80)"; ratio="—"
        fi
        t0=$(date +%s.%N); prog=$(timeout 120 cbc "$work/s$scale.lp" sec 60 solve 2>&1 | grep -E 'Result - |Objective value' | tr '\n' ' '); t1=$(date +%s.%N)
        tc=$(echo "$t1 - $t0" | bc -l | xargs printf '%.1f')
        dense=$(timeout 150 /usr/bin/python3 "$here/peers/mclp_dense.py" "$work/s$scale.lp" $k 60 8 2>&1 | tail -1)
        printf '| scale %s, K=%s | %s | %s | %.2f | %s | %s | %s s: %s | %s | %s |\n' "$scale" "$k" "$cols" "$nz" "$tg" "$gv" "$exact" "$tc" "$prog" "$dense" "$ratio"
    done
done
