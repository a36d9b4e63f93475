#!/usr/bin/env bash
# SQL benchmark: bench/queries.sql (17 queries) on data from bench/gen_data.py, answered by
# p2plake (2 threads, 1 thread, and cold) next to DuckDB (2 threads and 1) and SQLite in one
# run. Prints every query's median time per engine, the ratios to DuckDB, the load times, and
# whether each engine's canonical answer equals DuckDB's (exit status 1 if one does not).
#   bench/sql_bench.sh                          5M events (seed 42), 3 runs per query: ~7 min
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
#    decoded-column cache warm after the first run. p2plake_cold: a fresh process per run with
#    --cache-mb 0 (the OS page cache is warm), 2 threads.
#  * Loads: the wall time of each engine's whole loader process over the 4 CSV files.
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

# query_list: "qid<TAB>statement" per query of queries.sql.
query_list() {
  awk '/^-- *[A-Za-z0-9_]+:/ { id = $0; sub(/^-- */, "", id); sub(/:.*/, "", id); next }
       /^--/ || /^[ \t]*$/ { next } { print id "\t" $0 }' "$queries"
}

# --- loads ---------------------------------------------------------------------------------------
p2plake_import() {
  local table
  rm -rf "$work/lake"
  for table in "${tables[@]}"; do
    "$p2plake" import --data-dir "$work/lake" --name "$table" "$data/$table.csv" >/dev/null
  done
}
phase load:duckdb "${duck[@]}" load "$work/bench.duckdb" "$root/bench/schema.sql" "$data" "${tables[@]}"
phase load:sqlite sqlite_load "$work/bench.sqlite" "$data" "${tables[@]}"
phase load:p2plake p2plake_import

# --- queries -------------------------------------------------------------------------------------
phase query:duckdb "${duck[@]}" query "$work/bench.duckdb" "$queries" "$out/duckdb" default "$RUNS"
phase query:duckdb_t1 "${duck[@]}" query "$work/bench.duckdb" "$queries" "$out/duckdb_t1" 1 "$RUNS"

# SQLite: one session; before each run a marker line goes to stdout, the answer to raw/<qid>.csv
# (the last run's stays), and `.timer on` prints "Run Time: real <s> ..." after each statement.
sqlite_queries() {
  local dir=$out/sqlite qid sql run
  mkdir -p "$dir/raw"
  {
    printf 'PRAGMA cache_size = -1048576;\nPRAGMA temp_store = MEMORY;\n.headers on\n.mode csv\n.timer on\n'
    query_list | while IFS=$'\t' read -r qid sql; do
      for run in $(seq "$RUNS"); do
        printf '.output stdout\n.print @@ %s %s\n.output %s\n%s\n' "$qid" "$run" "$dir/raw/$qid.csv" "$sql"
      done
    done
  } > "$dir/session.sql"
  sqlite3 -readonly "$work/bench.sqlite" < "$dir/session.sql" > "$dir/stdout.txt"
  awk '/^@@ / { qid = $2; run = $3 } /^Run Time: real/ { printf "%s\t%s\t%.1f\n", qid, run, $4 * 1000 }' \
    "$dir/stdout.txt" > "$dir/times.tsv"
  echo "sqlite $(sqlite3 --version | cut -d' ' -f1)" > "$dir/engine.txt"
}
phase query:sqlite sqlite_queries

p2plake_queries() {  # p2plake_queries NAME THREADS warm|cold
  local name=$1 threads=$2 mode=$3 dir=$out/$1 qid sql run
  local sql_cmd=("$p2plake" sql --data-dir "$work/lake" --threads "$threads" --format csv)
  mkdir -p "$dir/raw"
  echo "p2plake sql, threads=$threads, $mode" > "$dir/engine.txt"
  : > "$dir/times.tsv"
  query_list | while IFS=$'\t' read -r qid sql; do
    # The answer comes from a run of its own (untimed); a failing query gets no times.
    "${sql_cmd[@]}" "$sql" > "$dir/raw/$qid.csv" 2> "$dir/error.txt" || { cat "$dir/error.txt" >&2; continue; }
    if [ "$mode" = warm ]; then
      "${sql_cmd[@]}" --timing "$(for run in $(seq "$RUNS"); do printf '%s\n' "$sql"; done)" \
        > /dev/null 2> "$dir/time.txt"
    else
      : > "$dir/time.txt"
      for run in $(seq "$RUNS"); do
        "${sql_cmd[@]}" --cache-mb 0 --timing "$sql" > /dev/null 2>> "$dir/time.txt"
      done
    fi
    awk -v q="$qid" '/^Time:/ { printf "%s\t%d\t%s\n", q, ++run, $2 }' "$dir/time.txt" >> "$dir/times.tsv"
  done
}
phase query:p2plake p2plake_queries p2plake 2 warm
phase query:p2plake_t1 p2plake_queries p2plake_t1 1 warm
phase query:p2plake_cold p2plake_queries p2plake_cold 2 cold

python3 "$root/bench/report.py" "$out" "$data"
