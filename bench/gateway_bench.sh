#!/usr/bin/env bash
# Gateway load benchmark: CLIENTS concurrent keep-alive clients (wrk, one connection per wrk
# thread) ask node 1 of a loopback network for DURATION seconds, a mix of small queries (POST
# /api/query, JSON, query cache bypassed: a point filter, two small GROUP BYs, a COUNT with WHERE)
# and, one request in UPLOAD_EVERY, a small CSV upload (POST /api/upload?name=load_K, text/csv, K
# cycling over NAMES datasets, which get new versions). Two runs back to back on the same nodes.
# Prints per run: answers/s; latency p50/p90/p99/max of every request and per kind, as sent (and
# wrk's own p99, which adds the requests a steadily paced client would have sent during stalls);
# the server's executionTime per kind; non-2xx answers per kind (503 busy counted apart) with their
# error texts; socket errors; node 1's RSS before the first run and after each run; the CPU seconds
# other processes used meanwhile. Then every node must count UPLOAD_ROWS rows in every load_K (the
# uploads reached it). Exit 1 if a node died, a check failed or wrk failed.
#   bench/gateway_bench.sh                   3 nodes (R = 3), 32 clients, two runs of 60 s: ~3 min
#   DURATION=10 bench/gateway_bench.sh       a quick check: ~1 min
#   NODES=1 bench/gateway_bench.sh           node 1 alone (R = 1)
# Knobs: NODES (3), CLIENTS (32), DURATION (60: seconds per run), UPLOAD_EVERY (20), UPLOAD_ROWS
# (200: rows of each uploaded CSV, the first of events.csv), NAMES (4), ROWS (10000 events; 5000
# employees), SEED (42), QUIET_WAIT (120: seconds to wait for an idle machine before each run; it
# measures anyway after that), PORT_BASE (18700: node i serves HTTP on PORT_BASE+i and peers on
# PORT_BASE+100+i), P2PLAKE (default: build/p2plake, built first if out of date).
# Work folder bench/out/gateway (emptied first): the nodes' data dirs and logs (node-I/, stdout
# and logs there), each run's wrk output (run-N.txt), the report (report.md). Installs wrk with
# apt-get when missing (needs root and the Debian mirror).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
  exit 0
fi
source "$root/bench/lib.sh"
NODES=${NODES:-3} CLIENTS=${CLIENTS:-32} DURATION=${DURATION:-60}
UPLOAD_EVERY=${UPLOAD_EVERY:-20} UPLOAD_ROWS=${UPLOAD_ROWS:-200} NAMES=${NAMES:-4}
ROWS=${ROWS:-10000} SEED=${SEED:-42} PORT_BASE=${PORT_BASE:-18700}
export QUIET_WAIT=${QUIET_WAIT:-120}
[ "$NODES" -ge 1 ] && [ "$CLIENTS" -ge 1 ] && [ "$UPLOAD_EVERY" -ge 2 ] && [ "$NAMES" -ge 1 ] &&
  [ "$ROWS" -ge "$UPLOAD_ROWS" ] ||
  { echo "needs NODES, CLIENTS, NAMES >= 1, UPLOAD_EVERY >= 2, ROWS >= UPLOAD_ROWS" >&2; exit 1; }

if [ -n "${P2PLAKE:-}" ]; then
  p2plake=$P2PLAKE
else
  if [ ! -f "$root/build/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DLAKE_TESTS=OFF >/dev/null
  fi
  cmake --build "$root/build" -j2 --target p2plake >/dev/null
  p2plake=$root/build/p2plake
fi
if ! command -v wrk >/dev/null; then
  echo "installing wrk..." >&2
  apt-get update >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk >/dev/null
fi

bench_data "$ROWS" "$SEED"
work=$root/bench/out/gateway
rm -rf "$work" && mkdir -p "$work"
head -n $((UPLOAD_ROWS + 1)) "$data/events.csv" > "$work/upload.csv"
names=$(for k in $(seq 0 $((NAMES - 1))); do printf 'load_%s\n' "$k"; done | paste -sd, -)

pids=()  # the nodes (bench/lib.sh), stopped on any exit
trap stop_nodes EXIT
start_nodes "$work" "$NODES"
upload_tables events employees

rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "-"; }
# dead_nodes: the numbers of the nodes that are no longer running, with the end of their stdout.
dead_nodes() {
  local i
  for i in "${!pids[@]}"; do
    kill -0 "${pids[$i]}" 2>/dev/null && continue
    echo "node $((i + 1)) (pid ${pids[$i]}) died; the end of its output:" >&2
    tail -n 20 "$work/node-$((i + 1))/stdout" >&2 || true
    echo $((i + 1))
  done
}

# load_run N: one wrk run against node 1 into $work/run-N.txt, then "N<TAB>RSS MiB<TAB>others'
# CPU s" appended to $work/runs.tsv. One connection per wrk thread: bench/gateway_load.lua needs
# it to tell which request an answer belongs to. The CPU other processes used: the machine's busy
# time less wrk's (a finished child: `times`) and the nodes'.
load_run() {
  local busy0 own0 others
  wait_quiet || true
  times > "$work/times0"
  busy0=$(cpu_busy) own0=$(running_cpu "${pids[@]}")
  wrk -t "$CLIENTS" -c "$CLIENTS" -d "${DURATION}s" --timeout 30s --latency \
    -s "$root/bench/gateway_load.lua" "${urls[0]}" -- \
    "$UPLOAD_EVERY" "$work/upload.csv" $((ROWS / 2 + 1)) "$names" > "$work/run-$1.txt"
  times > "$work/times1"
  others=$(awk -v b0="$busy0" -v b1="$(cpu_busy)" -v o0="$(children_cpu "$work/times0")" \
    -v o1="$(children_cpu "$work/times1")" -v r0="$own0" -v r1="$(running_cpu "${pids[@]}")" \
    'BEGIN { printf "%.1f", (b1 - b0) / 100 - (o1 - o0) - (r1 - r0) }')
  printf '%s\t%s\t%s\n' "$1" "$(rss_mib "${pids[0]}")" "$others" >> "$work/runs.tsv"
}

rss_before=$(rss_mib "${pids[0]}")
failed=0
for run in 1 2; do
  load_run "$run"
  dead=$(dead_nodes)
  [ -z "$dead" ] || { failed=1; break; }
done

# Every node counts UPLOAD_ROWS rows in every load_K: each upload reached it whole.
checks=$work/checks.txt
: > "$checks"
if [ "$failed" = 0 ]; then
  for url in "${urls[@]}"; do
    for name in ${names//,/ }; do
      n=$("$p2plake" query --node "$url" --format csv --timeout 30 \
        "SELECT COUNT(*) AS n FROM $name" 2>&1 | tail -n 1) || true
      [ "$n" = "$UPLOAD_ROWS" ] ||
        { echo "check failed: $url counts '$n' rows in $name, not $UPLOAD_ROWS" | tee -a "$checks" >&2; failed=1; }
    done
  done
fi
stop_nodes
[ ! -s "$work/hung.txt" ] || failed=1

# --- the report ----------------------------------------------------------------------------------
# value RUN KEY: what gateway_load.lua's done() printed for KEY in run RUN ("-" if nothing).
value() { awk -F'\t' -v k="$2" '$1 == "load" && $2 == k { v = $3 } END { print v == "" ? "-" : v }' "$work/run-$1.txt"; }
{
  echo "# Gateway load: $NODES node(s), $CLIENTS clients, ${DURATION} s per run"
  echo
  echo "Queries (JSON, cache off) and one upload in $UPLOAD_EVERY ($UPLOAD_ROWS-row CSV over $NAMES names) to node 1;"
  echo "$ROWS events, 5000 employees. Node 1 RSS before the first run: $rss_before MiB. Latencies in ms,"
  echo "as sent (wrk p99: wrk's own, which adds the requests a steadily paced client would have sent"
  echo "during stalls); exec: the server's executionTime of the 2xx answers."
  echo
  echo "| run | answers | answers/s | p50 | p90 | p99 | max | wrk p99 | query p50/p99/max | upload p50/p99/max | query exec p50/p99 | upload exec p50/p99 | queries 2xx/all | uploads 2xx/all | non-2xx | of which 503 | socket errors | node 1 RSS after, MiB | others' CPU s |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  while IFS=$'\t' read -r run rss others; do
    v() { value "$run" "$1"; }
    echo "| $run | $(v requests) | $(v rps) | $(v latency_all_p50) | $(v latency_all_p90) | $(v latency_all_p99) | $(v latency_all_max) | $(v wrk_p99) | $(v latency_query_p50)/$(v latency_query_p99)/$(v latency_query_max) | $(v latency_upload_p50)/$(v latency_upload_p99)/$(v latency_upload_max) | $(v exec_ms_query_p50)/$(v exec_ms_query_p99) | $(v exec_ms_upload_p50)/$(v exec_ms_upload_p99) | $(v query_2xx)/$(v query_answers) | $(v upload_2xx)/$(v upload_answers) | $(v non2xx) | $(v busy503) | $(v socket_errors) | $rss | $others |"
  done < "$work/runs.tsv"
  for run in $(cut -f1 "$work/runs.tsv"); do
    if grep -q $'^load\terror\t' "$work/run-$run.txt"; then
      echo
      echo "Run $run, non-2xx answers (count x kind status error):"
      awk -F'\t' '$1 == "load" && $2 == "error" { print "- " $3 }' "$work/run-$run.txt" | sort -t' ' -k2 -rn
    fi
    if [ "$(value "$run" socket_errors)" != 0 ]; then
      echo
      echo "Run $run, socket errors: $(value "$run" socket_detail) (timeout: no answer in 30 s)."
    fi
  done
  echo
  if [ -s "$checks" ]; then cat "$checks"; else echo "Every node counts $UPLOAD_ROWS rows in every load_K after the runs."; fi
  [ -z "${dead:-}" ] || echo "Died during run $run: node(s) $dead (see node-I/stdout)."
} > "$work/report.md"
cat "$work/report.md"
exit "$failed"
