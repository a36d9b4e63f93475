#!/usr/bin/env bash
# Stops the nodes scripts/start-network.sh started (SIGTERM: each closes its store cleanly).
#   usage: scripts/stop-network.sh    env: NET_DIR=network
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
net_dir=${NET_DIR:-network}
for pid_file in "$net_dir"/node-*/pid; do
  [ -f "$pid_file" ] || continue
  pid=$(cat "$pid_file")
  if kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    echo "stopped $(dirname "$pid_file") (pid $pid)"
  fi
  rm -f "$pid_file"
done
