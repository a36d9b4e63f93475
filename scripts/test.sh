#!/usr/bin/env bash
# The README's test command (and what .ci/run calls): installs what is missing, checks the module
# layering, builds with -j2 and runs every test. Extra arguments go to ctest (e.g. -R csv).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/check-layers.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLAKE_TESTS=ON -DLAKE_WERROR=ON >/dev/null
cmake --build build -j2
ctest --test-dir build --output-on-failure -j2 --timeout 900 "$@"
