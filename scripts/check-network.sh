#!/usr/bin/env bash
# Prints each local node's view of the network (p2plake status): its id, peers and data.
#   usage: scripts/check-network.sh [NODES]    env: HTTP_BASE=3000
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
nodes=${1:-3}
http_base=${HTTP_BASE:-3000}
status=0
for i in $(seq 1 "$nodes"); do
  url="http://127.0.0.1:$((http_base + i - 1))"
  echo "== node $i  $url"
  build/p2plake status --node "$url" || status=1
  echo
done
exit $status
