#!/usr/bin/env bash
# kill -9 harness for every writing command (issue 12 §3). For each command: make an old output,
# run the command writing a new one and SIGKILL it after a random delay across its run time,
# then check the target is byte-for-byte the old output or the whole new one (the bytes of an
# uninterrupted reference run), never a mix (a new .dbf beside an old .shp, an old PNG with a
# new world file). A kill inside a file-set commit leaves the set without its primary file and
# a journal; then `gw_output_tool recover` (what the next write does first) must finish it into
# the whole new one. Temporaries left by the kill must be gone after that next run. Half the
# kills fall anywhere in the run, half in its last 40 % (where the output is written).
#
#   tests/kill_harness.sh --sample GRIDWATCH TOOL       3 kills per command, fixed seed (CTest, < 1 min)
#   tests/kill_harness.sh --full N GRIDWATCH TOOL [SEED] N kills per command (BENCHMARKS.md)
# Columns: writing = kills that fell while the output was being written (temporaries beside it);
# old / new = the target afterwards; mid-commit = a file-set commit cut short and finished by the
# next run; finished = the command ended before the kill; failed = anything else.
set -u
mode=$1; shift
if [ "$mode" = --full ]; then kills=$1; shift; else kills=3; fi
gw=$1 tool=$2 seed=${3:-20261202}
src="$(cd "$(dirname "$0")/.." && pwd)"
small="$src/data/dapingzi.gpkg"
RANDOM=$seed
work=$(mktemp -d /tmp/gw_kill.XXXXXX)
trap 'rm -rf "$work"' EXIT
# The new output comes from another community (demo seed 7): bigger in the full run, so that kills
# land in the writing phase too.
scale=1 size=800x600
[ "$mode" = --full ] && scale=5 size=2400x1800

"$gw" demo --scale $scale --seed 7 --out "$work/big.gpkg" >/dev/null 2>&1 || { echo "demo failed"; exit 1; }
"$gw" export "$work/big.gpkg" --out "$work/big_shp" >/dev/null 2>&1 || { echo "export failed"; exit 1; }

# One entry per command: name | target (relative to the command's folder) | old-output command | new-output command.
# D is the command's folder; every command line is eval'ed with it set.
commands=(
  "export|exp|\"$gw\" export \"$small\" --out \$D/exp && echo mine > \$D/exp/notes.txt|\"$gw\" export \"$work/big.gpkg\" --out \$D/exp"
  "coverage|cov.shp|\"$gw\" coverage \"$small\" --level 3 --occlusion none --out \$D/cov.shp|\"$gw\" coverage \"$work/big.gpkg\" --level 3 --occlusion none --out \$D/cov.shp"
  "kde|k.tif|\"$gw\" hotspots \"$small\" --method kde --out \$D/k.tif|\"$gw\" hotspots \"$work/big.gpkg\" --method kde --cell 5 --out \$D/k.tif"
  "render|r.png|\"$gw\" render \"$small\" --out \$D/r.png --size 400x300|\"$gw\" render \"$work/big.gpkg\" --out \$D/r.png --size $size"
  "camera-save|shp|cp -a \"$work/big_shp\" \$D/shp|\"$tool\" save-cameras \$D/shp"
)

# Names and hashes of every file under a folder, temporaries (.gw-*) left out.
snapshot() { (cd "$1" && find . -name '.gw-*' -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum); }
now_ms() { date +%s%3N; }

failures=0
printf "%-12s %6s %8s %6s %6s %10s %9s %6s\n" command kills writing old new mid-commit finished failed
for entry in "${commands[@]}"; do
  IFS='|' read -r name target make_old make_new <<<"$entry"
  base="$work/$name"; mkdir -p "$base/pristine"
  D="$base/pristine"; echo keep > "$D/keep.txt"
  eval "$make_old" >/dev/null 2>&1 || { echo "$name: making the old output failed"; failures=$((failures+1)); continue; }
  old=$(snapshot "$base/pristine")
  D="$base/ref"; cp -a "$base/pristine" "$D"
  t0=$(now_ms); eval "$make_new" >/dev/null 2>&1 || { echo "$name: the reference run failed"; failures=$((failures+1)); continue; }
  t_ref=$(( $(now_ms) - t0 ))
  new=$(snapshot "$D")
  D="$base/ref2"; cp -a "$base/pristine" "$D"; eval "$make_new" >/dev/null 2>&1
  if [ "$(snapshot "$D")" != "$new" ]; then echo "$name: two uninterrupted runs differ; bytes cannot be compared"; failures=$((failures+1)); continue; fi
  [ "$new" = "$old" ] && { echo "$name: old and new outputs are the same"; failures=$((failures+1)); continue; }
  n_old=0 n_new=0 n_mid=0 n_done=0 n_fail=0 n_writing=0
  for ((i = 0; i < kills; i++)); do
    D="$base/run"; rm -rf "$D"; cp -a "$base/pristine" "$D"
    # Odd kills anywhere in the run, even ones in its last 40 % (writing and committing).
    r=$(( RANDOM * 32768 + RANDOM ))
    if (( i % 2 )); then delay=$(( r % (t_ref * 11 / 10 + 1) )); else delay=$(( t_ref * 6 / 10 + r % (t_ref / 2 + 1) )); fi
    ( eval "exec $make_new" ) >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    if kill -9 $pid 2>/dev/null; then killed=1; else killed=0; fi
    wait $pid 2>/dev/null
    state=$(snapshot "$D")
    # Temporaries or a journal beside the target: the kill fell while the output was written.
    compgen -G "$D/.gw-*" >/dev/null && n_writing=$((n_writing+1))
    outcome=""
    if compgen -G "$D/.gw-commit-*" >/dev/null || compgen -G "$D/*/.gw-commit-*" >/dev/null; then
      "$tool" recover "$D/$target" >/dev/null 2>&1
      state=$(snapshot "$D")
      [ "$state" = "$new" ] && outcome=mid
    elif [ "$state" = "$old" ]; then outcome=old
    elif [ "$state" = "$new" ]; then [ $killed = 1 ] && outcome=new || outcome=done
    fi
    # The next run tidies what the kill left; the target stays as it is.
    "$tool" recover "$D/$target" >/dev/null 2>&1
    if [ -n "$outcome" ] && compgen -G "$D/.gw-*" >/dev/null; then
      echo "$name kill $i at ${delay} ms: temporaries left after the next run: $(cd "$D" && ls -a | grep '^\.gw-' | head -3)"
      outcome=""
    fi
    if [ -n "$outcome" ] && [ "$(snapshot "$D")" != "$state" ]; then outcome=""; fi
    case $outcome in
      old) n_old=$((n_old+1));; new) n_new=$((n_new+1));; mid) n_mid=$((n_mid+1));; done) n_done=$((n_done+1));;
      *) n_fail=$((n_fail+1)); echo "$name kill $i at ${delay} ms: target is neither the old nor the whole new output"
         diff <(echo "$old") <(echo "$state") | head -8;;
    esac
  done
  printf "%-12s %6d %8d %6d %6d %10d %9d %6d   (reference run %d ms)\n" "$name" "$kills" $n_writing $n_old $n_new $n_mid $n_done $n_fail $t_ref
  failures=$((failures + n_fail))
done
[ $failures = 0 ] && echo "kill harness: every target old or whole new" || echo "kill harness: $failures failures"
exit $(( failures > 0 ))
