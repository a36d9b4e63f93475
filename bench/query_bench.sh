#!/usr/bin/env bash
# Distributed-query benchmark: the 13 event queries of bench/queries.sql (q01-q13) asked over HTTP
# of node 1 (or ASK) of a 3-node loopback cluster (R = 3 unless told), beside the embedded engine on the same data in
# the same run; then the latency of two small queries, and the suite again after one node is
# killed. Prints each query's median times, cluster / embedded, the chunks scanned and nodes
# contacted, p50 and p99 of the small queries, the slowdown with a node down, and whether every
# cluster answer equals the embedded one (exit status 1 if one does not).
#   bench/query_bench.sh                          5M events (seed 42), 3 runs per query
#   ROWS=200000 RUNS=1 QUIET_WAIT=0 bench/query_bench.sh      a smoke test: ~1 min
#   QUERIES=bench/join_queries.sql IDS='^j' TABLES="events employees products users" \
#     bench/query_bench.sh                        the join queries (broadcast or gathered)
# Knobs: ROWS (5000000), SEED (42), RUNS (3), SMALL_N (200: timed requests per small query),
# QUERIES (bench/queries.sql), IDS (^q: the query ids of QUERIES timed), TABLES ("events
# employees": the tables loaded; the small queries read events and employees), REPLICATION (3:
# R of the cluster; under 3 the node asked holds part of the chunks and fetches the rest of what
# a join reads), ASK (1: the node the queries are sent to; 2 or 3 asks one that did not upload
# the data, which holds only its share of the chunks when REPLICATION is under 3), JOIN_STRATEGY
# (auto: the nodes' analytics.joinStrategy),
# QUIET_WAIT (600: seconds to wait for an idle machine before each timed step), PORT_BASE (18500:
# node i serves HTTP on PORT_BASE+i and peers on PORT_BASE+100+i), P2PLAKE (build/p2plake).
# Steps (work folder bench/out/query, emptied first; report in bench/out/query/report.md):
#  1. events.csv and employees.csv imported with `p2plake import` into lake/; each query timed
#     with `p2plake sql --timing` (execution only): one process per query runs it RUNS + 1
#     times and the first run is dropped, so its decoded-column cache is warm.
#  2. Three fresh nodes (node-1..3/); both CSVs uploaded through node 1 with `p2plake upload`;
#     every node must list them, count their rows and show R holders or more per chunk (exit 1 if not).
#  3. Each query sent to node ASK as POST /api/query {"sql": ..., "cache": false} from python on
#     one keep-alive connection: a warm-up, then RUNS requests, each timed from sending it to
#     having read the whole answer. Kept: the answers' stats ("-" where a node does not report
#     a field) and each node's CPU seconds.
#  4. SELECT COUNT(*) FROM employees and SELECT * FROM events WHERE event_id = ROWS/2 + 1: a
#     warm-up, then SMALL_N timed requests each; p50 and p99 (nearest rank).
#  5. Node 3 (node 2 when ASK is 3) killed with SIGKILL; step 3 again against node ASK.
# Every answer of every request must equal the embedded answer in bench/report.py's canonical
# form. Before each timed step the script waits for an idle machine, and repeats a step during
# which other processes used the CPUs (bench/lib.sh). Needs a built build/p2plake and python3.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,37p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
source "$root/bench/lib.sh"
ROWS=${ROWS:-5000000} RUNS=${RUNS:-3} SEED=${SEED:-42} SMALL_N=${SMALL_N:-200}
PORT_BASE=${PORT_BASE:-18500}
p2plake=${P2PLAKE:-$root/build/p2plake}
client=(python3 "$root/bench/query_cluster.py")
[ -x "$p2plake" ] || { echo "no $p2plake: build it first (see bench/README.md)" >&2; exit 1; }
[ "$RUNS" -ge 1 ] && [ "$SMALL_N" -ge 1 ] || { echo "RUNS and SMALL_N must be at least 1" >&2; exit 1; }
read -r -a tables <<< "${TABLES:-events employees}"
ask=${ASK:-1}
[[ "$ask" =~ ^[123]$ ]] || { echo "ASK must be 1, 2 or 3" >&2; exit 1; }
killed=3  # the node killed in step 5 (not the one asked)
[ "$ask" = 3 ] && killed=2

bench_data "$ROWS" "$SEED"
work=$root/bench/out/query
rm -rf "$work" && mkdir -p "$work"
phases=$work/phases.tsv
query_list "${QUERIES:-$root/bench/queries.sql}" | grep "${IDS:-^q}" > "$work/queries.tsv"
printf 's01\tSELECT COUNT(*) FROM employees;\ns02\tSELECT * FROM events WHERE event_id = %s;\n' \
  $((ROWS / 2 + 1)) > "$work/small.tsv"
printf 'rows\t%s\nseed\t%s\nruns\t%s\nsmall_n\t%s\nkilled\t%s\nreplication\t%s\nasked\t%s\n' \
  "$ROWS" "$SEED" "$RUNS" "$SMALL_N" "$killed" "${REPLICATION:-3}" "$ask" > "$work/params.tsv"

# --- 1. the embedded engine ----------------------------------------------------------------------
for table in "${tables[@]}"; do
  "$p2plake" import --data-dir "$work/lake" --name "$table" "$data/$table.csv" >/dev/null
done
embedded() {
  rm -rf "$work/embedded" && mkdir -p "$work/embedded"
  echo "p2plake sql, warm" > "$work/embedded/engine.txt"
  cat "$work/queries.tsv" "$work/small.tsv" | p2plake_warm "$work/lake" "$work/embedded" 0 "$RUNS" 1
}
phase embedded embedded

# --- 2. the cluster ------------------------------------------------------------------------------
pids=()  # the nodes (bench/lib.sh), stopped on any exit
trap stop_nodes EXIT
start_nodes "$work"
upload_tables "${tables[@]}"

# cluster_queries NAME QUERIES RUNS: the queries of file QUERIES asked of node ASK into $work/NAME,
# and "node I<TAB>CPU s" of every node still running into $work/NAME/cpu.tsv.
cluster_queries() {
  local dir=$work/$1 cpu0=() i
  rm -rf "$dir" && mkdir -p "$dir"
  for i in "${!pids[@]}"; do cpu0+=("$(node_cpu "${pids[$i]}")"); done
  "${client[@]}" run "${urls[$((ask - 1))]}" "$2" "$3" "$dir"
  for i in "${!pids[@]}"; do
    printf 'node %s\t%s\n' "${node_ids[$i]}" \
      "$(awk -v a="${cpu0[$i]}" -v b="$(node_cpu "${pids[$i]}")" 'BEGIN { print b - a }')" >> "$dir/cpu.tsv"
  done
}
node_ids=(1 2 3)
phase_pids=${pids[*]}  # the nodes' CPU is the steps' own
phase cluster3 cluster_queries cluster3 "$work/queries.tsv" "$RUNS"
phase small cluster_queries small "$work/small.tsv" "$SMALL_N"

# --- 5. one node killed --------------------------------------------------------------------------
kill -KILL "${pids[$((killed - 1))]}"
wait "${pids[$((killed - 1))]}" 2>/dev/null || true
unset "pids[$((killed - 1))]" "node_ids[$((killed - 1))]"
pids=("${pids[@]}") node_ids=("${node_ids[@]}")
phase_pids=${pids[*]}
phase cluster2 cluster_queries cluster2 "$work/queries.tsv" "$RUNS"
stop_nodes

"${client[@]}" report "$work"
