#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, starts a local 3-node network on
# 127.0.0.1 (HTTP ports 3000-3002, peer ports 4000-4002), uploads sample-data/*.csv into it and
# prints each node's URL.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target p2plake
scripts/start-network.sh 3
