#!/usr/bin/env bash
# SQL benchmark: bench/queries.sql (17 queries) on data from bench/gen_data.py, answered by
# p2plake next to DuckDB and SQLite in one run: warm at 2 threads and at 1, and first runs in
# fresh processes with the page cache dropped. Prints every query's median time per engine, the
# ratios to DuckDB, the load times and bytes on disk, and whether each engine's canonical
# answer equals DuckDB's (exit status 1 if one does not).
#   bench/sql_bench.sh                          5M events (seed 42), 3 runs per query: ~10 min
#   ROWS=200000 RUNS=1 QUIET_WAIT=0 bench/sql_bench.sh          a smoke test: ~1 min
# Needs a built build/p2plake (or P2PLAKE=path), python3, node + npm (npm ci installs
# @duckdb/node-api from bench/package-lock.json into bench/out/node), the sqlite3 CLI and
# /proc. Work folder: bench/out/sql (results and report.md in bench/out/sql/results); the
# CSVs are kept in bench/out/data for the next run.
#
# What is timed (each engine runs each query RUNS times; the table shows the median):
#  * DuckDB: in the node process, runAndReadAll + getRows (all rows materialised), one
#    read-only session per thread setting, so its buffer pool is warm after the first run.
#  * SQLite: one `sqlite3 -readonly` session, `.timer on` real time (execution and writing the
#    CSV, 1 ms resolution), 1 GiB page cache and in-memory temp storage (its defaults are sized
#    for phones).
#  * p2plake, p2plake_t1: what `p2plake sql --timing` reports, execution only (start-up,
#    opening the store and printing excluded); one process per query runs it RUNS times, its
#    decoded-column cache warm after the first run.
#  * duckdb_first, sqlite_first, p2plake_first: each run of each query in a fresh process (each
#    engine's default threads, 2 here) right after the OS page cache is dropped (when the
#    script may write /proc/sys/vm/drop_caches, i.e. runs as root; otherwise the page cache
#    stays warm and the report says so), timed as above: what a query costs when nothing of
#    the data is in any cache.
#  * Loads: the wall time of each engine's whole loader process over the 4 CSV files, and the
#    bytes each engine's store then takes on disk.
# Before each timed phase the script waits for an idle machine, and repeats a phase during which
# other processes used the CPUs (bench/lib.sh, QUIET_WAIT seconds at most, default 600).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib.sh"
ROWS=${ROWS:-5000000} RUNS=${RUNS:-3} SEED=${SEED:-42}
p2plake=${P2PLAKE:-$root/build/p2plake}
[ -x "$p2plake" ] || { echo "no $p2plake: build it first (see bench/README.md)" >&2; exit 1; }
tables=(events employees products tricky)
queries=$root/bench/queries.sql

bench_data "$ROWS" "$SEED"
duckdb_setup
work=$root/bench/out/sql
out=$work/results
rm -rf "$work" && mkdir -p "$out"
phases=$out/phases.tsv

# --- loads ---------------------------------------------------------------------------------------
phase load:duckdb "${duck[@]}" load "$work/bench.duckdb" "$root/bench/schema.sql" "$data" "${tables[@]}"
phase load:sqlite sqlite_load "$work/bench.sqlite" "$data" "${tables[@]}"
phase load:p2plake p2plake_import "$work/lake" "${tables[@]}"
printf 'duckdb\t%s\nsqlite\t%s\np2plake\t%s\n' "$(du -sb "$work/bench.duckdb" | cut -f1)" \
  "$(du -sb "$work/bench.sqlite" | cut -f1)" "$(du -sb "$work/lake" | cut -f1)" > "$out/disk.tsv"

# --- queries -------------------------------------------------------------------------------------
phase query:duckdb "${duck[@]}" query "$work/bench.duckdb" "$queries" "$out/duckdb" default "$RUNS"
phase query:duckdb_t1 "${duck[@]}" query "$work/bench.duckdb" "$queries" "$out/duckdb_t1" 1 "$RUNS"

phase query:sqlite sqlite_warm "$work/bench.sqlite" "$queries" "$out/sqlite" "$RUNS"

p2plake_queries() {  # p2plake_queries NAME THREADS
  mkdir -p "$out/$1"
  echo "p2plake sql, threads=$2, warm" > "$out/$1/engine.txt"
  query_list "$queries" | p2plake_warm "$work/lake" "$out/$1" "$2" "$RUNS" 0
}
phase query:p2plake p2plake_queries p2plake 2
phase query:p2plake_t1 p2plake_queries p2plake_t1 1

# --- first runs: a fresh process per run, nothing cached --------------------------------------
if [ -w /proc/sys/vm/drop_caches ]; then
  cache_note="page cache dropped"
  drop_page_cache() { sync; echo 3 > /proc/sys/vm/drop_caches; }
else
  cache_note="page cache warm (dropping it needs root)"
  drop_page_cache() { :; }
fi

# first_runs NAME LABEL CMD...: for every query and run, drops the page cache and runs
# `CMD QID SQL RUN DIR`, which answers into DIR/raw/QID.csv and prints its time in ms.
first_runs() {
  local name=$1 label=$2 dir=$out/$1 qid sql run ms
  shift 2
  mkdir -p "$dir/raw"
  echo "$label, first run in a fresh process, $cache_note" > "$dir/engine.txt"
  : > "$dir/times.tsv"
  query_list "$queries" | while IFS=$'\t' read -r qid sql; do
    for run in $(seq "$RUNS"); do
      drop_page_cache
      ms=$("$@" "$qid" "$sql" "$run" "$dir") || { echo "$name $qid failed" >&2; continue 2; }
      printf '%s\t%s\t%s\n' "$qid" "$run" "$ms" >> "$dir/times.tsv"
    done
  done
}
duckdb_first() {  # QID SQL RUN DIR
  local tmp=$4/tmp
  rm -rf "$tmp" && mkdir -p "$tmp"
  printf -- '-- %s:\n%s\n' "$1" "$2" > "$tmp/query.sql"
  "${duck[@]}" query "$work/bench.duckdb" "$tmp/query.sql" "$tmp" default 1
  mv "$tmp/raw/$1.csv" "$4/raw/$1.csv"
  cut -f3 "$tmp/times.tsv"
}
sqlite_first() {  # QID SQL RUN DIR
  printf '.headers on\n.mode csv\n.timer on\n.output %s\n%s\n' "$4/raw/$1.csv" "$2" |
    sqlite3 -readonly "$work/bench.sqlite" | awk '/^Run Time: real/ { printf "%.1f\n", $4 * 1000 }'
}
p2plake_first() {  # QID SQL RUN DIR
  "$p2plake" sql --data-dir "$work/lake" --format csv --timing "$2" 2> "$4/time.txt" > "$4/raw/$1.csv"
  awk '/^Time:/ { print $2 }' "$4/time.txt"
}
phase first:duckdb first_runs duckdb_first duckdb duckdb_first
phase first:sqlite first_runs sqlite_first "sqlite $(sqlite3 --version | cut -d' ' -f1)" sqlite_first
phase first:p2plake first_runs p2plake_first "p2plake sql" p2plake_first

python3 "$root/bench/report.py" "$out" "$data" "${tables[@]}"
