#!/usr/bin/env bash
# Issue 16 at prefecture size (SPEC §9): the shared store against the GeoPackage it was loaded from,
# on a throwaway PostgreSQL 15 + PostGIS cluster (tests/pg/cluster.sh, as bench_store.sh).
#  1. `gridwatch db init` of DATA against `ogr2ogr` loading the same layers from the same file into a
#     database of its own (GDAL's defaults: COPY, GiST index per table), both from a template that
#     already has PostGIS; with RUNS > 1 the two alternate, one pair per run.
#  2. `coverage --level 4 --json`, `stats --json` and `render --size 1920x1080` (bench_render.sh's
#     size, all layers) on `PG:` (the store db init made) and on DATA, alternated run by run: median
#     wall time, CPU (gridwatch's user + system; the cluster's processes' over the same time, which
#     on PG: is the server producing the rows) and peak RSS (/usr/bin/time, the largest of the runs)
#     of each, and PG ÷ GPKG.
#  The JSON of coverage and stats must be byte-identical on both sources (else the script fails: an
#  answer on PG: that differs from the GeoPackage's is a bug); the two PNGs are compared and said.
#
#   tests/bench/bench_store_pref.sh GRIDWATCH DATA.gpkg [RUNS]
# DATA is read only (the prefecture: `gridwatch demo --scale 1000`). Prints Markdown for BENCHMARKS.md.
set -eu
gw=$1 data=$2 runs=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_begin store_pref
pg_template 55480
layers="grids households cameras enterprises roads buildings incidents facilities candidates checks patrols"
# The cluster's CPU seconds so far: its processes' and, through the postmaster's cutime/cstime,
# those of the backends that have exited (each command's connections end with it).
pg_cpu() {
    local pm s=0 f
    pm=$(head -1 "$pgdir/data/postmaster.pid")
    for p in $pm $(pgrep -P "$pm"); do
        read -r -a f <"/proc/$p/stat" 2>/dev/null || continue
        s=$((s + f[13] + f[14]))
        [ "$p" = "$pm" ] && s=$((s + f[15] + f[16]))
    done
    echo "$s / $(getconf CLK_TCK)" | bc -l
}
# timed_rss OUT cmd…: runs cmd (stdout to OUT), appends "seconds KB client-CPU-s server-CPU-s" to
# OUT.t; fails loudly.
timed_rss() {
    local out=$1 c0 c1; shift
    c0=$(pg_cpu)
    /usr/bin/time -f '%e %M %U %S' -o "$out.tm" "$@" >"$out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
    c1=$(pg_cpu)
    tail -1 "$out.tm" | awk -v s="$(echo "$c1 - $c0" | bc -l)" '{printf "%s %s %.2f %.2f\n", $1, $2, $3 + $4, s}' >>"$out.t"
}
med() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}'; }
col_med() { cut -d' ' -f"${2:-1}" "$1" | med; }
col_max_mb() { cut -d' ' -f2 "$1" | sort -g | tail -1 | awk '{printf "%d", $1 / 1024}'; }

count_rows() { sql "$1" "SELECT sum(n) FROM ($(for l in $layers; do echo "SELECT count(*) n FROM $l"; done | paste -sd'|' | sed 's/|/ UNION ALL /g')) s"; }
for i in $(seq "$runs"); do
    fresh gi
    timed_rss "$work/init" "$gw" db init "PG:$(db gi)" --from "$data"
    fresh go
    timed_rss "$work/ogr" ogr2ogr -f PostgreSQL "PG:$(db go)" "$data" $layers -lco GEOMETRY_NAME=geom -lco FID=fid
    if [ "$i" = 1 ]; then
        rows=$(count_rows gi) ogr_rows=$(count_rows go)
        [ "$rows" = "$ogr_rows" ] || { echo "db init loaded $rows rows, ogr2ogr $ogr_rows" >&2; exit 1; }
    fi
    # Only db init's store is kept: a copy of the prefecture takes a few GB.
    sql postgres "DROP DATABASE go"
    log "run $i: db init $(tail -1 "$work/init.t"), ogr2ogr $(tail -1 "$work/ogr.t") (s KB)"
done
# The store as it stands after autovacuum has been by (hint bits set, statistics made).
sql gi "VACUUM ANALYZE"
store_mb=$(sql gi "SELECT pg_database_size('gi') / 1048576")
pg="PG:$(db gi)"

# name | arguments after the dataset
commands=(
    "coverage --level 4 --json|coverage|--level 4 --json"
    "stats --json|stats|--json"
    "render 1920x1080 PNG (all layers)|render|--size 1920x1080 --out"
)
for r in $(seq "$runs"); do
    for k in "${!commands[@]}"; do
        IFS='|' read -r _ cmd args <<<"${commands[$k]}"
        for src in pg gpkg; do
            if [ "$src" = pg ]; then d=$pg; else d=$data; fi
            # shellcheck disable=SC2086
            if [ "$cmd" = render ]; then
                timed_rss "$work/c$k.$src" env -u DISPLAY "$gw" render "$d" $args "$work/c$k.$src.png"
            else
                timed_rss "$work/c$k.$src" "$gw" "$cmd" "$d" $args
            fi
        done
        log "run $r: $cmd PG $(tail -1 "$work/c$k.pg.t"), GPKG $(tail -1 "$work/c$k.gpkg.t") (s KB)"
    done
    for k in 0 1; do
        cmp -s "$work/c$k.pg" "$work/c$k.gpkg" || {
            echo "${commands[$k]%%|*}: PG: and the GeoPackage answer differently:" >&2
            diff "$work/c$k.pg" "$work/c$k.gpkg" | head -20 >&2
            exit 1
        }
    done
done
png_same="the two PNGs differ"
cmp -s "$work/c2.pg.png" "$work/c2.gpkg.png" && png_same="the two PNGs are byte-identical"

echo "Machine: $(machine); load average at start: $load0, at end: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%d\ %H:%M) UTC"
echo "Data: $data ($(du -h "$data" | cut -f1), $rows rows in 11 layers); the store db init made: $store_mb MB; $runs run(s), medians (wall s), peak RSS the largest of the runs"
echo
echo "| step | PG: s | GeoPackage s | PG ÷ GPKG | CPU s on PG: gridwatch + server | CPU s on GPKG | peak RSS PG MB | peak RSS GPKG MB |"
echo "|---|---|---|---|---|---|---|---|"
for k in "${!commands[@]}"; do
    p=$(col_med "$work/c$k.pg.t") g=$(col_med "$work/c$k.gpkg.t")
    echo "| ${commands[$k]%%|*} | $p | $g | $(ratio "$p" "$g")× | $(col_med "$work/c$k.pg.t" 3) + $(col_med "$work/c$k.pg.t" 4) | $(col_med "$work/c$k.gpkg.t" 3) | $(col_max_mb "$work/c$k.pg.t") | $(col_max_mb "$work/c$k.gpkg.t") |"
done
echo
i_med=$(col_med "$work/init.t") o_med=$(col_med "$work/ogr.t")
echo "| load | s | CPU s: client + server | peak RSS MB |"
echo "|---|---|---|---|"
echo "| gridwatch db init (tables, COPY, indexes, triggers, policies; one transaction) | $i_med | $(col_med "$work/init.t" 3) + $(col_med "$work/init.t" 4) | $(col_max_mb "$work/init.t") |"
echo "| ogr2ogr -f PostgreSQL, the same 11 layers (COPY, GiST) | $o_med | $(col_med "$work/ogr.t" 3) + $(col_med "$work/ogr.t" 4) | $(col_max_mb "$work/ogr.t") |"
echo "| ogr2ogr ÷ db init | $(ratio "$o_med" "$i_med")× | | |"
echo
echo "coverage and stats: the JSON on PG: byte-identical to the GeoPackage's in every run; render: $png_same."
