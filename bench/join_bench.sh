#!/usr/bin/env bash
# Join benchmark: bench/join_queries.sql (events JOIN products with a filter, events JOIN users
# as a top-N, a 3-way join, a correlated EXISTS) on data from bench/gen_data.py, answered by
# p2plake beside DuckDB at the same number of threads and SQLite, in one run. Prints every
# query's median time per engine, the ratios to DuckDB and to SQLite, the load times and bytes on
# disk, and whether each answer equals DuckDB's. A query p2plake refuses is listed with its
# error and the DuckDB and SQLite figures still stand; the exit status is 1 while an answer is
# missing, refused or different.
#   bench/join_bench.sh                                        5M events (seed 42), 3 runs
#   ROWS=200000 RUNS=1 QUIET_WAIT=0 bench/join_bench.sh        a smoke test: ~1 min
# THREADS (default 2) is DuckDB's and p2plake's thread count. Needs what bench/sql_bench.sh
# needs (a built build/p2plake or P2PLAKE=path, python3, node + npm, the sqlite3 CLI, /proc).
# Work folder: bench/out/join (results and report.md in bench/out/join/results).
#
# What is timed (each engine runs each query RUNS times, warm; the table shows the median), as
# in bench/sql_bench.sh: DuckDB in one read-only session (running the query and materialising
# every row), SQLite in one `sqlite3 -readonly` session (`.timer on` real time), p2plake as
# `p2plake sql --timing` reports it (execution only), its column cache warm after the first run.
# SQLite gets what its users would add: users.user_id is its rowid (bench/schema.sql) and an
# index on events(user_id) is built in its load phase; without the index SQLite runs j04's
# correlated EXISTS as a scan of events per user (10 minutes were not enough at 200k events).
# Before each timed phase the script waits for an idle machine (bench/lib.sh, QUIET_WAIT).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib.sh"
ROWS=${ROWS:-5000000} RUNS=${RUNS:-3} SEED=${SEED:-42} THREADS=${THREADS:-2}
p2plake=${P2PLAKE:-$root/build/p2plake}
[ -x "$p2plake" ] || { echo "no $p2plake: build it first (see bench/README.md)" >&2; exit 1; }
tables=(events products users)
queries=$root/bench/join_queries.sql

bench_data "$ROWS" "$SEED"
duckdb_setup
work=$root/bench/out/join
out=$work/results
rm -rf "$work" && mkdir -p "$out"
phases=$out/phases.tsv

# --- loads ---------------------------------------------------------------------------------------
sqlite_join_load() {
  sqlite_load "$work/bench.sqlite" "$data" "${tables[@]}"
  sqlite3 "$work/bench.sqlite" "CREATE INDEX events_user_id ON events(user_id);"
}
phase load:duckdb "${duck[@]}" load "$work/bench.duckdb" "$root/bench/schema.sql" "$data" "${tables[@]}"
phase load:sqlite sqlite_join_load
phase load:p2plake p2plake_import "$work/lake" "${tables[@]}"
printf 'duckdb\t%s\nsqlite\t%s\np2plake\t%s\n' "$(du -sb "$work/bench.duckdb" | cut -f1)" \
  "$(du -sb "$work/bench.sqlite" | cut -f1)" "$(du -sb "$work/lake" | cut -f1)" > "$out/disk.tsv"

# --- queries -------------------------------------------------------------------------------------
phase query:duckdb "${duck[@]}" query "$work/bench.duckdb" "$queries" "$out/duckdb" "$THREADS" "$RUNS"
phase query:sqlite sqlite_warm "$work/bench.sqlite" "$queries" "$out/sqlite" "$RUNS"
p2plake_queries() {
  mkdir -p "$out/p2plake"
  echo "p2plake sql, threads=$THREADS, warm" > "$out/p2plake/engine.txt"
  query_list "$queries" | p2plake_warm "$work/lake" "$out/p2plake" "$THREADS" "$RUNS" 0
}
phase query:p2plake p2plake_queries

python3 "$root/bench/report.py" "$out" "$data" "${tables[@]}"
