#!/usr/bin/env bash
# SQL benchmark: shared/bench's queries on its generated data, answered by p2plake next to
# DuckDB (threads 2 and 1) and SQLite in one run; prints every query's time per engine, the
# ratios, and whether each engine's canonical answer equals DuckDB's.
#   bench/sql_bench.sh                 5M events (seed 42), 3 runs per query (~6 minutes)
#   ROWS=1000000 RUNS=5 bench/sql_bench.sh
# Needs a built build/p2plake, node + npm, python3, sqlite3. Work folder: bench/out/sql.
# p2plake's time per query is what `p2plake sql --timing` reports: execution only, like the
# peers' in-process timings (start-up, opening the store and printing are excluded). The peers
# run every query RUNS times in one session (DuckDB's buffer pool and SQLite's page cache warm
# after the first run), and so does p2plake in the `p2plake` and `p2plake_t1` columns: one
# process per query running it RUNS times, its decoded-column cache warm after the first run.
# `p2plake_cold` runs each query in a fresh process every time (no cache; the OS page cache is
# warm), 2 threads.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
peers_src=${PEERS_DIR:-$root/../shared/bench}
export ROWS=${ROWS:-5000000} RUNS=${RUNS:-3} SEED=${SEED:-42}
work=$root/bench/out/sql
mkdir -p "$work"
mkdir -p "$work/peers"
cp -r "$peers_src/." "$work/peers/"   # shared/ is read-only: work on a copy
chmod -R u+w "$work/peers"
cd "$work/peers"
[ -d node_modules/@duckdb/node-api ] || npm ci --silent --no-audit --no-fund
./run_peers.sh >/dev/null   # data/, out/duckdb, out/duckdb_t1, out/sqlite

lake=$work/lake
rm -rf "$lake"
for table in events employees tricky; do
  "$root/build/p2plake" import --data-dir "$lake" --name "$table" "data/$table.csv" >/dev/null
done

run_engine() {  # run_engine NAME THREADS warm|cold
  local name=$1 threads=$2 mode=$3 out=out/$1 run statements
  rm -rf "$out" && mkdir -p "$out/raw"
  echo "p2plake sql, threads=$threads, $mode" > "$out/engine.txt"
  local sql_cmd=("$root/build/p2plake" sql --data-dir "$lake" --threads "$threads")
  awk '/^-- *[A-Za-z0-9_]+:/ { id = $0; sub(/^-- */, "", id); sub(/:.*/, "", id); next }
       /^--/ || /^[ \t]*$/ { next } { print id "\t" $0 }' queries.sql |
  while IFS=$'\t' read -r qid sql; do
    # The answer, from a run of its own (untimed).
    "${sql_cmd[@]}" --format csv "$sql" > "$out/raw/$qid.csv" 2> "$out/error.txt" ||
      { cat "$out/error.txt" >&2; continue; }
    if [ "$mode" = warm ]; then
      statements=$(for run in $(seq "$RUNS"); do printf '%s\n' "$sql"; done)
      "${sql_cmd[@]}" --format csv --timing "$statements" > /dev/null 2> "$out/time.txt"
    else
      : > "$out/time.txt"
      for run in $(seq "$RUNS"); do
        "${sql_cmd[@]}" --cache-mb 0 --format csv --timing "$sql" > /dev/null 2>> "$out/time.txt"
      done
    fi
    awk -v q="$qid" '/^Time:/ { printf "%s\t%d\t%s\n", q, ++run, $2 }' "$out/time.txt" \
      >> "$out/times.tsv"
  done
  python3 canon.py "$out/raw" "$out" >/dev/null
}
run_engine p2plake 2 warm
run_engine p2plake_t1 1 warm
run_engine p2plake_cold 2 cold
python3 report.py out data || true
