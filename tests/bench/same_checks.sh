#!/usr/bin/env bash
# Results unchanged: `gridwatch checks` of two builds, byte for byte (stdout, stderr, exit status),
# on the given datasets for a spread of --date / --days / --level, JSON and table. Used to prove a
# change to reading or to the checks analysis changes no answer (BENCHMARKS.md "Issue 15: checks").
#   tests/bench/same_checks.sh OLD_GRIDWATCH NEW_GRIDWATCH DATASET…
set -uo pipefail
old=$1 new=$2; shift 2
work=$(mktemp -d /tmp/gw_same_checks.XXXX)
trap 'rm -rf "$work"' EXIT
n=0 bad=0
for data in "$@"; do
    # The latest report's date, and a date before the first and one after the last.
    last=$("$old" checks "$data" --days 1 --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["date"])')
    mid=$(date -u -d "$last - 9 days" +%F)
    combos=(""
            "--json" "--days 1 --json" "--days 30 --json" "--level 1 --json" "--level 2 --days 3 --json"
            "--level 3 --days 14 --json" "--date $last --json" "--date $mid --days 5 --json"
            "--date $mid --level 2 --json" "--date 2001-01-01 --json" "--date 2099-12-31 --days 365 --json"
            "--date $mid --days 10" "--level 1" "--level 3 --days 2")
    for args in "${combos[@]}"; do
        for side in old new; do
            # shellcheck disable=SC2086
            "${!side}" checks "$data" $args >"$work/$side.out" 2>"$work/$side.err"
            echo "$?" >"$work/$side.rc"
        done
        n=$((n + 1))
        if cmp -s "$work/old.out" "$work/new.out" && cmp -s "$work/old.err" "$work/new.err" &&
            cmp -s "$work/old.rc" "$work/new.rc"; then
            echo "same    $(wc -c <"$work/new.out") bytes, rc $(cat "$work/new.rc"): checks $data $args"
        else
            bad=$((bad + 1))
            echo "DIFFERS: checks $data $args"
            diff <(head -c 3000 "$work/old.out") <(head -c 3000 "$work/new.out") | head -5
            diff "$work/old.err" "$work/new.err" | head -5
        fi
    done
done
echo "$n runs, $bad differ"
[ "$bad" = 0 ]
