#!/usr/bin/env bash
# The README's test command (and what .ci/run calls): installs what is missing (Debian packages,
# then the browser test's npm packages into build/browser), checks the module layering, builds
# with -j2 and runs every test. Extra arguments go to ctest (e.g. -R csv, or -L browser).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/check-layers.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLAKE_TESTS=ON -DLAKE_WERROR=ON >/dev/null
cmake --build build -j2
scripts/install-browser-deps.sh build
ctest --test-dir build --output-on-failure -j2 --timeout 900 "$@"
