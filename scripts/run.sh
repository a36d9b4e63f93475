#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, and loads sample-data/ into a local
# store (./lake-data, or $LAKE_DATA_DIR). Once the node exists this starts a local 3-node network.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target p2plake
data_dir=${LAKE_DATA_DIR:-lake-data}
for csv in sample-data/*.csv; do
  build/p2plake import --data-dir "$data_dir" "$csv"
  echo
done
echo "sample data imported into $data_dir"
