#!/usr/bin/env bash
# Starts a local network of p2plake nodes on 127.0.0.1 (default 3) in the background, waits until
# every node lists all the others, uploads every sample-data/*.csv through node 1 (a second run
# stores the next version), and prints each node's URL. Node i (1-based) serves HTTP on
# HTTP_BASE+i-1 and peers on P2P_BASE+i-1, keeps its key, database and log in NET_DIR/node-i,
# and joins through node 1. Stop them with scripts/stop-network.sh.
#   usage: scripts/start-network.sh [NODES]    env: HTTP_BASE=3000 P2P_BASE=4000 NET_DIR=network
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
nodes=${1:-3}
http_base=${HTTP_BASE:-3000}
p2p_base=${P2P_BASE:-4000}
net_dir=${NET_DIR:-network}
binary=build/p2plake
[ -x "$binary" ] || { echo "start-network: $binary is missing; build first (scripts/run.sh)" >&2; exit 1; }

mkdir -p "$net_dir"
for i in $(seq 1 "$nodes"); do
  dir="$net_dir/node-$i"
  if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
    echo "start-network: node $i is already running (pid $(cat "$dir/pid"))"
    continue
  fi
  mkdir -p "$dir"
  seed=()
  [ "$i" -gt 1 ] && seed=(--seed "127.0.0.1:$p2p_base")
  setsid "$binary" node --data-dir "$dir" --http-port $((http_base + i - 1)) \
    --p2p-port $((p2p_base + i - 1)) "${seed[@]}" >"$dir/stdout" 2>&1 </dev/null &
  echo $! >"$dir/pid"
done

# Ready when every node answers and lists every other node.
deadline=$((SECONDS + 30))
for i in $(seq 1 "$nodes"); do
  url="http://127.0.0.1:$((http_base + i - 1))"
  until peers=$("$binary" status --node "$url" --json --timeout 2 2>/dev/null |
                sed -n 's/^  "peersCount": \([0-9]*\).*/\1/p') && [ "${peers:-0}" -ge $((nodes - 1)) ]; do
    if [ $SECONDS -ge $deadline ]; then
      echo "start-network: node $i ($url) did not see the others within 30 s; log:" >&2
      tail -n 20 "$net_dir/node-$i/node.log" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
done

# The sample data, stored in the network through node 1: each file becomes the dataset named
# after it (employees, products).
first="http://127.0.0.1:$http_base"
for csv in sample-data/*.csv; do
  log="$net_dir/upload-$(basename "$csv" .csv).log"
  if ! "$binary" upload --node "$first" "$csv" >"$log" 2>&1; then
    echo "start-network: uploading $csv to $first failed:" >&2
    cat "$log" >&2
    exit 1
  fi
  echo "start-network: $(head -n 1 "$log")"
done

echo "p2plake network of $nodes nodes is up:"
for i in $(seq 1 "$nodes"); do
  echo "  node $i  http://127.0.0.1:$((http_base + i - 1))/   (data and log in $net_dir/node-$i)"
done
echo "open a node's URL in a browser for its dashboard (upload, SQL, data sets, the ring, live events)"
echo "query it:"
echo "  curl -s -X POST $first/api/query -H 'Content-Type: application/json' \\"
echo "    -d '{\"sql\": \"SELECT department, COUNT(*) AS n, AVG(salary) AS avg_salary FROM employees GROUP BY department ORDER BY n DESC\"}'"
echo "upload more: build/p2plake upload --node $first FILE.csv"
echo "check it: scripts/check-network.sh $nodes    stop it: scripts/stop-network.sh"
