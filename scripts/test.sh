#!/usr/bin/env bash
# The README's test command (and what .ci/run calls): installs what is missing (Debian packages,
# then the browser test's npm packages into build/browser), checks the module layering, builds
# with -j2 and runs every test. Extra arguments go to ctest (e.g. -R csv, or -L browser).
# A full run (no arguments) then builds the pure cores' tests (ctest label "core") and the fuzz
# replays (label "fuzz") with ASan and UBSan in build-asan/ and runs them there, where a leak,
# overflow or undefined behaviour fails (scripts/test-sanitized.sh runs every test that way).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/check-layers.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLAKE_TESTS=ON -DLAKE_WERROR=ON >/dev/null
cmake --build build -j2
scripts/install-browser-deps.sh build
ctest --test-dir build --output-on-failure -j2 --timeout 900 "$@"

[ $# -eq 0 ] || exit 0
scripts/test-sanitized.sh --core
