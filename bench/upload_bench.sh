#!/usr/bin/env bash
# Upload benchmark: the generated events.csv sent with `p2plake upload` through node 1's gateway
# into a 3-node loopback cluster with R = 3 (W = 2), beside `p2plake import` of the same file in
# the same run. Prints the median MB/s of both and their ratio, each node's peak RSS, chunks and
# bytes on disk, the replicas the uploads reached, and where node 1 spent the upload's time.
#   bench/upload_bench.sh                          5M events (seed 42, ~327 MB), 3 runs: ~1 min
#   ROWS=200000 RUNS=1 QUIET_WAIT=0 bench/upload_bench.sh      a smoke test: ~15 s
# Knobs: ROWS (5000000), SEED (42), RUNS (3), QUIET_WAIT (600: seconds to wait for an idle
# machine before each timed step), PORT_BASE (18300: node i serves HTTP on PORT_BASE+i and peers
# on PORT_BASE+100+i), P2PLAKE (build/p2plake).
# Each run starts three fresh nodes (data dirs bench/out/upload/run-N/node-I, node 2 joining
# through node 1 and node 3 through node 2) and waits until each lists the other two. The upload
# is timed from the start of `p2plake upload` to its exit after the 201; a node's peak RSS is
# its VmHWM when the upload is done. Then every node must list the dataset, count the file's
# rows with SELECT COUNT(*) and show 3 holders for every chunk (exit 1 if not). The import is
# timed and measured with /usr/bin/time into a fresh data dir. MB = 10^6 bytes of CSV.
# Needs a built build/p2plake, python3 and /usr/bin/time. Writes only under bench/out/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
source "$root/bench/lib.sh"
ROWS=${ROWS:-5000000} RUNS=${RUNS:-3} SEED=${SEED:-42} PORT_BASE=${PORT_BASE:-18300}
p2plake=${P2PLAKE:-$root/build/p2plake}
cluster=(python3 "$root/bench/upload_cluster.py")
[ -x "$p2plake" ] || { echo "no $p2plake: build it first (see bench/README.md)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

bench_data "$ROWS" "$SEED"
work=$root/bench/out/upload
rm -rf "$work" && mkdir -p "$work"
csv=$data/events.csv
bytes=$(stat -c %s "$csv")
rows=$(($(wc -l < "$csv") - 1))  # the generator writes no line breaks inside fields
# The nodes this script started (bench/lib.sh): stopped at the end of each run and on any exit.
pids=()
trap stop_nodes EXIT

# The time of the first line of log $1 matching $2, in seconds since the epoch.
log_time() { date -d "$(grep -m1 -- "$2" "$1" | cut -c1-23 | tr T ' ')" +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

failed=0
for run in $(seq "$RUNS"); do
  dir=$work/run-$run
  start_nodes "$dir"
  wait_quiet || true
  cpu0=() && for pid in "${pids[@]}"; do cpu0+=("$(node_cpu "$pid")"); done
  busy0=$(cpu_busy)
  t0=$(date +%s.%N)
  if ! /usr/bin/time -f "%U %S" -o "$dir/client.time" "$p2plake" upload --node "${urls[0]}" \
       --name events --json "$csv" >"$dir/reply.json" 2>"$dir/upload.err"; then
    cat "$dir/upload.err" "$dir/reply.json" >&2
    tail -n 20 "$dir/node-1/node.log" >&2
    exit 1
  fi
  t1=$(date +%s.%N)
  busy1=$(cpu_busy)
  wall=$(elapsed "$t0" "$t1")
  hwm=() cpu=() nodes_cpu=0
  for i in 0 1 2; do
    hwm+=("$(awk '/^VmHWM:/ { print $2 }' "/proc/${pids[$i]}/status")")
    cpu+=("$(elapsed "${cpu0[$i]}" "$(node_cpu "${pids[$i]}")")")
    nodes_cpu=$(awk -v a="$nodes_cpu" -v b="${cpu[$i]}" 'BEGIN { print a + b }')
  done
  others=$(awk -v b0="$busy0" -v b1="$busy1" -v n="$nodes_cpu" '{ u = $1 + $2 }
    END { printf "%.1f", (b1 - b0) / 100 - n - u }' "$dir/client.time")
  printf '%s\tupload\t%s\t0\n' "$run" "$wall" >> "$work/runs.tsv"
  python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["replicas"]; print(sys.argv[2], r["min"], r["target"], sep="\t")' \
    "$dir/reply.json" "$run" >> "$work/replies.tsv"

  # Correctness on every node, then the chunks each node reports and its db/ on disk.
  "${cluster[@]}" check events "$rows" "$dir/reply.json" "${urls[@]}" >"$dir/chunks.tsv" || failed=1
  for i in 0 1 2; do
    printf '%s\tnode %s\t%s\t%s\t%s\t%s\n' "$run" $((i + 1)) "${hwm[$i]}" "${cpu[$i]}" \
      "$(sed -n "$((i + 1))s/.*\t//p" "$dir/chunks.tsv")" "$(du -sb "$dir/node-$((i + 1))/db" | cut -f1)" \
      >> "$work/nodes.tsv"
  done
  stop_nodes
  log=$dir/node-1/node.log
  spooled=$(log_time "$log" "upload events: started")
  parsed=$(log_time "$log" "upload events: 100% of")
  published=$(log_time "$log" "upload events: version .* published")
  printf '%s\t%s\t%s\t%s\t%s\n' "$run" "$(elapsed "$t0" "$spooled")" "$(elapsed "$spooled" "$parsed")" \
    "$(elapsed "$parsed" "$published")" "$others" >> "$work/split.tsv"

  wait_quiet || true
  /usr/bin/time -f "%e %M" -o "$dir/import.time" \
    "$p2plake" import --data-dir "$dir/import" --name events "$csv" >/dev/null
  printf '%s\timport\t%s\t%s\n' "$run" $(cat "$dir/import.time") >> "$work/runs.tsv"
done

"${cluster[@]}" report "$work" "$bytes" "$rows" | tee "$work/report.md"
[ "$failed" = 0 ] || { echo "some checks failed (see above)" >&2; exit 1; }
