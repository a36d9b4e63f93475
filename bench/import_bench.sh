#!/usr/bin/env bash
# Import benchmark: p2plake import vs DuckDB and SQLite loading the same CSV, in one run.
#   bench/import_bench.sh                 5M events (seed 42, ~327 MB), 3 runs per engine
#   ROWS=15000000 bench/import_bench.sh   ~1 GB: peak RSS must stay flat
# Needs a built build/p2plake, node + npm (for @duckdb/node-api, installed from shared/bench's
# package-lock.json into the work folder) and the sqlite3 CLI. Work folder: bench/out/import.
# Each engine's figure is the wall time and peak RSS of its whole loader process (/usr/bin/time),
# median of RUNS runs; MB = 10^6 bytes of CSV.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
peers=${PEERS_DIR:-$root/../shared/bench}
ROWS=${ROWS:-5000000} RUNS=${RUNS:-3} SEED=${SEED:-42}
work=$root/bench/out/import
mkdir -p "$work"
cd "$work"

command -v sqlite3 >/dev/null || { echo "import_bench: needs the sqlite3 CLI (apt-get install sqlite3)" >&2; exit 1; }
if [ ! -d node_modules/@duckdb/node-api ]; then
  cp "$peers/package.json" "$peers/package-lock.json" .
  npm ci --silent --no-audit --no-fund
fi
data=data-$ROWS-$SEED
if [ ! -f "$data/events.csv" ]; then
  python3 "$peers/gen_data.py" --rows "$ROWS" --seed "$SEED" --out "$data" >/dev/null
fi
csv=$work/$data/events.csv
bytes=$(stat -c %s "$csv")

measure() {  # measure NAME CMD... : appends "name wall_s rss_kb" per run to results.tsv
  local name=$1; shift
  for run in $(seq "$RUNS"); do
    rm -rf target && mkdir -p target
    /usr/bin/time -f "%e %M" -o time.out "$@" >/dev/null
    echo -e "$name\t$(cat time.out)" >> results.tsv
  done
}
rm -f results.tsv
measure p2plake "$root/build/p2plake" import --data-dir target/lake --name events "$csv"
cp "$root/bench/duck_load.mjs" .  # ES modules resolve packages next to the script
measure duckdb node duck_load.mjs target/db.duckdb events "$csv"
# SQLite as shared/bench loads it: typed table, TEXT staging table in memory, INSERT ... SELECT.
{
  echo "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
  echo "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -1048576;"
  grep '^CREATE TABLE events ' "$peers/schema.sql"
  echo ".import --csv --schema temp $csv s_events"
  grep '^INSERT INTO events ' "$peers/load_sqlite.sql"
} > sqlite_load.sql
measure sqlite sh -c "sqlite3 -bail target/db.sqlite < sqlite_load.sql"

awk -v bytes="$bytes" -v rows="$ROWS" '
  function median(list, n,   i, j, t, a) {
    split(list, a, " "); n = length(a)
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { wall[$1] = wall[$1] " " $2; rss[$1] = rss[$1] " " $3; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
  END {
    printf "import of events.csv: %d rows, %.1f MB\n", rows, bytes / 1e6
    printf "%-8s %9s %9s %12s %18s\n", "engine", "wall s", "MB/s", "peak RSS MB", "p2plake speedup"
    base = median(wall["p2plake"])
    for (i = 1; i <= k; i++) {
      e = order[i]; w = median(wall[e])
      printf "%-8s %9.2f %9.1f %12.0f %17.2fx\n", e, w, bytes / 1e6 / w, median(rss[e]) / 1024, w / base
    }
  }' results.tsv
