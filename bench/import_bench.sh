#!/usr/bin/env bash
# Import benchmark: `p2plake import` of the generated events.csv next to DuckDB and SQLite
# loading the same file into a typed on-disk table (bench/schema.sql), in one run. Prints per
# engine the median wall time, MB/s, peak RSS, and the ratio to p2plake's time.
#   bench/import_bench.sh                          5M events (seed 42, ~327 MB), 3 runs: ~2 min
#   ROWS=15000000 bench/import_bench.sh            ~1 GB: p2plake's peak RSS must stay flat
#   ROWS=200000 RUNS=1 QUIET_WAIT=0 bench/import_bench.sh      a smoke test: ~30 s
# Needs a built build/p2plake (or P2PLAKE=path), python3, node + npm (npm ci installs
# @duckdb/node-api from bench/package-lock.json into bench/out/node), the sqlite3 CLI and
# /usr/bin/time. Work folder: bench/out/import; the CSV is kept in bench/out/data.
# Each figure is the wall time and peak RSS (/usr/bin/time) of the engine's whole loader
# process, from start to the data durable on disk; MB = 10^6 bytes of CSV. Before each run the
# script waits for an idle machine (QUIET_WAIT seconds at most, default 600).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib.sh"
ROWS=${ROWS:-5000000} RUNS=${RUNS:-3} SEED=${SEED:-42}
p2plake=${P2PLAKE:-$root/build/p2plake}
[ -x "$p2plake" ] || { echo "no $p2plake: build it first (see bench/README.md)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

bench_data "$ROWS" "$SEED"
duckdb_setup
work=$root/bench/out/import
rm -rf "$work" && mkdir -p "$work"
cd "$work"
csv=$data/events.csv
bytes=$(stat -c %s "$csv")
export root  # for the sqlite_load in a child shell

measure() {  # measure NAME CMD...: appends "NAME<TAB>wall s<TAB>peak RSS kB" per run to results.tsv
  local name=$1 run
  shift
  for run in $(seq "$RUNS"); do
    rm -rf target && mkdir -p target
    wait_quiet || true
    /usr/bin/time -f "%e %M" -o time.out "$@" >/dev/null
    printf '%s\t%s\n' "$name" "$(tr ' ' '\t' < time.out)" >> results.tsv
  done
}
measure p2plake "$p2plake" import --data-dir target/lake --name events "$csv"
measure duckdb "${duck[@]}" load target/db.duckdb "$root/bench/schema.sql" "$data" events
measure sqlite bash -c 'source "$root/bench/lib.sh"; sqlite_load target/db.sqlite "$1" events' _ "$data"

awk -F'\t' -v bytes="$bytes" -v rows="$ROWS" '
  function median(list,   a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { wall[$1] = wall[$1] " " $2; rss[$1] = rss[$1] " " $3; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
  END {
    printf "import of events.csv: %d rows, %.1f MB, median of %d runs\n", rows, bytes / 1e6, split(wall["p2plake"], tmp, " ")
    printf "%-8s %9s %9s %12s %16s\n", "engine", "wall s", "MB/s", "peak RSS MB", "time / p2plake"
    base = median(wall["p2plake"])
    for (i = 1; i <= k; i++) {
      e = order[i]; w = median(wall[e])
      printf "%-8s %9.2f %9.1f %12.0f %15.2fx\n", e, w, bytes / 1e6 / w, median(rss[e]) / 1024, w / base
    }
  }' results.tsv
