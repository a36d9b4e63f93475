# Helpers sourced by bench/sql_bench.sh, bench/import_bench.sh and bench/upload_bench.sh (not run
# by itself). They expect $root (the repository) and `set -euo pipefail` from the caller.

# bench_data ROWS SEED: sets $data to bench/out/data/ROWS-SEED, generating the CSVs there with
# bench/gen_data.py unless its manifest shows they were made with these parameters already.
bench_data() {
  data=$root/bench/out/data/$1-$2
  if [ "$(head -1 "$data/manifest.tsv" 2>/dev/null)" != "# rows=$1 employees=5000 products=3000 seed=$2" ]; then
    python3 "$root/bench/gen_data.py" --rows "$1" --seed "$2" --out "$data" >&2
  fi
}

# duckdb_setup: installs @duckdb/node-api from bench/package-lock.json into bench/out/node (again
# when the lock file changes) and places duck.mjs there, where node resolves the package from.
# Sets the array duck to the command that runs it.
duckdb_setup() {
  local dir=$root/bench/out/node
  command -v npm >/dev/null || { echo "needs node and npm (apt-get install nodejs npm)" >&2; exit 1; }
  mkdir -p "$dir"
  if ! cmp -s "$root/bench/package-lock.json" "$dir/package-lock.json" ||
     [ ! -d "$dir/node_modules/@duckdb/node-api" ]; then
    cp "$root/bench/package.json" "$root/bench/package-lock.json" "$dir/"
    (cd "$dir" && npm ci --silent --no-audit --no-fund)
  fi
  cp "$root/bench/duck.mjs" "$dir/"
  duck=(node "$dir/duck.mjs")
}

# sqlite_load DB DATA_DIR TABLE...: loads DATA_DIR/TABLE.csv into a new SQLite file DB, typed as
# in bench/schema.sql. `.import` alone would keep empty fields as '' and booleans as 'true', so
# each CSV goes to a TEXT staging table in the in-memory temp schema first, and INSERT ... SELECT
# turns '' into NULL and true/false into 1/0.
sqlite_load() {
  local db=$1 dir=$2 table create
  shift 2
  command -v sqlite3 >/dev/null || { echo "needs the sqlite3 CLI (apt-get install sqlite3)" >&2; exit 1; }
  rm -f "$db"
  {
    echo "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
    echo "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -1048576;"
    for table in "$@"; do
      create=$(grep "^CREATE TABLE $table " "$root/bench/schema.sql")
      echo "$create"
      echo ".import --csv --schema temp $dir/$table.csv s_$table"
      # "CREATE TABLE t (c1 T1, c2 T2);" -> "INSERT INTO t SELECT NULLIF(c1, ''), ... FROM temp.s_t;"
      echo "$create" | awk -v t="$table" '{
        sub(/^[^(]*\(/, ""); sub(/\);$/, ""); n = split($0, cols, /, */); sel = ""
        for (i = 1; i <= n; i++) {
          split(cols[i], c, " ")
          e = c[2] == "BOOLEAN" ? "CASE " c[1] " WHEN '\''true'\'' THEN 1 WHEN '\''false'\'' THEN 0 END" \
                                : "NULLIF(" c[1] ", '\'''\'')"
          sel = sel (i > 1 ? ", " : "") e
        }
        print "INSERT INTO " t " SELECT " sel " FROM temp.s_" t ";"
      }'
    done
  } | sqlite3 -bail "$db" >/dev/null
}

# The machine may be shared with other jobs. wait_quiet waits until the CPUs are less than 15%
# busy over 2 s, at most QUIET_WAIT seconds (default 600; status 1 when it gives up). phase NAME
# CMD... runs CMD (a command or a function) after wait_quiet and measures the CPU seconds that
# *other* processes used meanwhile; above 5% of the phase's wall time it runs CMD again (3 tries
# at most, none after wait_quiet gave up). Each phase appends "NAME<TAB>wall s<TAB>others' CPU s"
# to the file $phases.
cpu_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }  # jiffies
# CPU seconds of this shell's finished children, from a file the builtin `times` wrote. `times`
# itself must run in this shell, never inside $(...): a subshell reports its own children, none.
children_cpu() {
  awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$1"
}
wait_quiet() {
  local start=$SECONDS before pct
  while :; do
    before=$(cpu_busy); sleep 2
    pct=$(( ($(cpu_busy) - before) / (2 * $(nproc)) ))  # 100 jiffies per CPU-second
    [ "$pct" -lt 15 ] && return
    if [ $((SECONDS - start)) -ge "${QUIET_WAIT:-600}" ]; then
      echo "machine still ${pct}% busy, measuring anyway" >&2; return 1
    fi
    echo "waiting for an idle machine (${pct}% busy)" >&2
  done
}
phase() {
  local name=$1 try t0 busy0 wall others quiet
  shift
  for try in 1 2 3; do
    quiet=1
    wait_quiet || quiet=0
    times > "$phases.times0"
    t0=$(date +%s.%N); busy0=$(cpu_busy)
    "$@"
    wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
    times > "$phases.times1"
    others=$(awk -v b0="$busy0" -v b1="$(cpu_busy)" -v o0="$(children_cpu "$phases.times0")" \
      -v o1="$(children_cpu "$phases.times1")" \
      'BEGIN { printf "%.1f", (b1 - b0) / 100 - (o1 - o0) }')
    awk -v o="$others" -v w="$wall" 'BEGIN { exit !(o <= 0.05 * w) }' && break
    echo "$name: other processes used $others CPU-s during its $wall s (try $try)" >&2
    [ "$quiet" = 1 ] || break  # the machine never got idle: another try would not be better
  done
  printf '%s\t%s\t%s\n' "$name" "$wall" "$others" >> "$phases"
}
