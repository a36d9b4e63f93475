# Helpers sourced by bench/sql_bench.sh, bench/join_bench.sh, bench/import_bench.sh,
# bench/upload_bench.sh, bench/query_bench.sh and bench/gateway_bench.sh (not run by itself). They expect $root (the repository) and
# `set -euo pipefail` from the caller.

# bench_data ROWS SEED: sets $data to bench/out/data/ROWS-SEED, generating the CSVs there with
# bench/gen_data.py unless its manifest shows they were made with these parameters already.
bench_data() {
  data=$root/bench/out/data/$1-$2
  if [ "$(head -1 "$data/manifest.tsv" 2>/dev/null)" != "# rows=$1 employees=5000 products=3000 users=1000000 seed=$2" ]; then
    python3 "$root/bench/gen_data.py" --rows "$1" --seed "$2" --out "$data" >&2
  fi
}

# query_list FILE: "qid<TAB>statement" per query of FILE (bench/queries.sql's layout: a line
# "-- <qid>: <what it exercises>", then the statement on one line).
query_list() {
  awk '/^-- *[A-Za-z0-9_]+:/ { id = $0; sub(/^-- */, "", id); sub(/:.*/, "", id); next }
       /^--/ || /^[ \t]*$/ { next } { print id "\t" $0 }' "$1"
}

# p2plake_import LAKE TABLE...: a new p2plake data dir LAKE (replacing one there) holding each
# $data/TABLE.csv imported as TABLE. Uses $p2plake and $data.
p2plake_import() {
  local lake=$1 table
  shift
  rm -rf "$lake"
  for table in "$@"; do
    "$p2plake" import --data-dir "$lake" --name "$table" "$data/$table.csv" >/dev/null
  done
}

# p2plake_warm LAKE DIR THREADS RUNS SKIP: for each "qid<TAB>statement" line on stdin, the answer
# of `p2plake sql` over the data dir LAKE from a run of its own (untimed) to DIR/raw/QID.csv, then
# one process that runs the statement SKIP + RUNS times with --timing: its decoded-column cache is
# warm after the first run. The last RUNS times (execution only, ms) are appended to
# DIR/times.tsv as "qid<TAB>run<TAB>ms". A failing query gets no times; its error goes to stderr
# and, as "qid<TAB>first line of the error", to DIR/errors.tsv. Uses $p2plake.
p2plake_warm() {
  local lake=$1 dir=$2 threads=$3 runs=$4 skip=$5 qid sql run
  local sql_cmd=("$p2plake" sql --data-dir "$lake" --threads "$threads" --format csv)
  mkdir -p "$dir/raw"
  : > "$dir/times.tsv"
  : > "$dir/errors.tsv"
  while IFS=$'\t' read -r qid sql; do
    "${sql_cmd[@]}" "$sql" < /dev/null > "$dir/raw/$qid.csv" 2> "$dir/error.txt" || {
      cat "$dir/error.txt" >&2
      printf '%s\t%s\n' "$qid" "$(head -1 "$dir/error.txt")" >> "$dir/errors.tsv"
      continue
    }
    "${sql_cmd[@]}" --timing "$(for run in $(seq $((skip + runs))); do printf '%s\n' "$sql"; done)" \
      < /dev/null > /dev/null 2> "$dir/time.txt" || { cat "$dir/time.txt" >&2; continue; }
    awk -v q="$qid" -v skip="$skip" '/^Time:/ && ++n > skip { printf "%s\t%d\t%s\n", q, n - skip, $2 }' \
      "$dir/time.txt" >> "$dir/times.tsv"
  done
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

# sqlite_warm DB QUERIES DIR RUNS: every query of the file QUERIES (query_list's layout) RUNS times
# in one `sqlite3 -readonly` session over DB, with a 1 GiB page cache and temp storage in memory.
# Before each run a marker line goes to stdout, the answer to DIR/raw/<qid>.csv (the last run's
# stays), and `.timer on` prints "Run Time: real <s> ..." after each statement; the times go to
# DIR/times.tsv as "qid<TAB>run<TAB>ms" (real time: execution and writing the CSV, 1 ms
# resolution).
sqlite_warm() {
  local db=$1 queries=$2 dir=$3 runs=$4 qid sql run
  mkdir -p "$dir/raw"
  {
    printf 'PRAGMA cache_size = -1048576;\nPRAGMA temp_store = MEMORY;\n.headers on\n.mode csv\n.timer on\n'
    query_list "$queries" | while IFS=$'\t' read -r qid sql; do
      for run in $(seq "$runs"); do
        printf '.output stdout\n.print @@ %s %s\n.output %s\n%s\n' "$qid" "$run" "$dir/raw/$qid.csv" "$sql"
      done
    done
  } > "$dir/session.sql"
  sqlite3 -readonly "$db" < "$dir/session.sql" > "$dir/stdout.txt"
  awk '/^@@ / { qid = $2; run = $3 } /^Run Time: real/ { printf "%s\t%s\t%.1f\n", qid, run, $4 * 1000 }' \
    "$dir/stdout.txt" > "$dir/times.tsv"
  echo "sqlite $(sqlite3 --version | cut -d' ' -f1)" > "$dir/engine.txt"
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
# *other* processes used meanwhile (the phase's own are this shell's children that finished, and
# the running processes whose pids are in $phase_pids, e.g. cluster nodes); above 5% of the
# phase's wall time it runs CMD again (3 tries at most, none after wait_quiet gave up). Each phase
# appends "NAME<TAB>wall s<TAB>others' CPU s" to the file $phases.
cpu_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }  # jiffies
# node_cpu PID: user + system CPU seconds of a running process (0 once it has exited).
node_cpu() { awk '{ print ($14 + $15) / 100 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# running_cpu PID...: the sum of node_cpu over the pids.
running_cpu() {
  local pid sum=0
  for pid; do sum=$(awk -v a="$sum" -v b="$(node_cpu "$pid")" 'BEGIN { print a + b }'); done
  echo "$sum"
}
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
  local name=$1 try t0 busy0 own0 wall others quiet
  shift
  for try in 1 2 3; do
    quiet=1
    wait_quiet || quiet=0
    times > "$phases.times0"
    # shellcheck disable=SC2086  # $phase_pids: a list of pids
    t0=$(date +%s.%N); busy0=$(cpu_busy); own0=$(running_cpu ${phase_pids:-})
    "$@"
    wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
    times > "$phases.times1"
    # shellcheck disable=SC2086
    others=$(awk -v b0="$busy0" -v b1="$(cpu_busy)" -v o0="$(children_cpu "$phases.times0")" \
      -v o1="$(children_cpu "$phases.times1")" -v r0="$own0" -v r1="$(running_cpu ${phase_pids:-})" \
      'BEGIN { printf "%.1f", (b1 - b0) / 100 - (o1 - o0) - (r1 - r0) }')
    awk -v o="$others" -v w="$wall" 'BEGIN { exit !(o <= 0.05 * w) }' && break
    echo "$name: other processes used $others CPU-s during its $wall s (try $try)" >&2
    [ "$quiet" = 1 ] || break  # the machine never got idle: another try would not be better
  done
  printf '%s\t%s\t%s\n' "$name" "$wall" "$others" >> "$phases"
}

# A loopback cluster of `p2plake node` processes (three with R = 3 unless asked otherwise), for
# upload_bench.sh, query_bench.sh and gateway_bench.sh: node i serves HTTP on PORT_BASE+i and peers
# on PORT_BASE+100+i. Uses $p2plake, $PORT_BASE and $work; start_nodes sets the array urls (the
# nodes' HTTP URLs) and appends the nodes' pids to the array pids, which the caller declares
# (pids=()) and stops with stop_nodes (also from an EXIT trap).
#
# start_nodes DIR [N]: N (default 3) fresh nodes with data dirs DIR/node-I and R = min(N, 3), or
# $REPLICATION if set, and analytics.joinStrategy $JOIN_STRATEGY if set.
# Each starts once the ones before it see each other: a node that joins through a node still
# joining may stay unknown to the first node until its next discovery round
# (network.discoveryInterval, 30 s).
start_nodes() {
  local i n=${2:-3} seed=() config=()
  urls=() && for i in $(seq "$n"); do urls+=("http://127.0.0.1:$((PORT_BASE + i))"); done
  if [ -n "${JOIN_STRATEGY:-}" ]; then
    printf '{"analytics": {"joinStrategy": "%s"}}\n' "$JOIN_STRATEGY" > "$1/config.json"
    config=(--config "$1/config.json")
  fi
  for i in $(seq "$n"); do
    mkdir -p "$1/node-$i"
    "$p2plake" node "${config[@]}" --data-dir "$1/node-$i" --http-port $((PORT_BASE + i)) \
      --p2p-port $((PORT_BASE + 100 + i)) --replication "${REPLICATION:-$((n < 3 ? n : 3))}" "${seed[@]}" \
      >"$1/node-$i/stdout" 2>&1 </dev/null &
    pids+=($!)
    seed=(--seed "127.0.0.1:$((PORT_BASE + 100 + i))")
    if ! python3 "$root/bench/upload_cluster.py" peers "${urls[@]:0:i}"; then
      for i in $(seq "$n"); do echo "--- node $i:" >&2; tail -n 5 "$1/node-$i/stdout" >&2 || true; done
      exit 1
    fi
  done
}

# upload_tables TABLE...: uploads $data/TABLE.csv as TABLE through node 1, then checks that every
# node lists it with the rows bench/gen_data.py wrote and R holders or more per chunk. Uses $p2plake,
# $data and $work; exits on a failure, with what the upload printed.
upload_tables() {
  local table rows
  for table in "$@"; do
    "$p2plake" upload --node "${urls[0]}" --name "$table" --json "$data/$table.csv" \
      >"$work/upload-$table.json" 2>"$work/upload-$table.err" ||
      { cat "$work/upload-$table.err" "$work/upload-$table.json" >&2; exit 1; }
    rows=$(awk -v f="$table.csv" '$1 == f { print $2 }' "$data/manifest.tsv")
    python3 "$root/bench/upload_cluster.py" check "$table" "$rows" "$work/upload-$table.json" \
      "${urls[@]}" >/dev/null
  done
}

# stop_nodes: SIGTERM to every node in $pids, then waits for them; a node that has not exited
# 30 s later is killed, and counted in $work/hung.txt.
stop_nodes() {
  local pid i
  for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${pids[@]+"${pids[@]}"}; do
    for i in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "node pid $pid still runs 30 s after SIGTERM: killed" | tee -a "$work/hung.txt" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
