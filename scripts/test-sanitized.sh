#!/usr/bin/env bash
# Builds the tests and p2plake with ASan and UBSan in build-asan/ and runs them there, where a
# leak, overflow or undefined behaviour fails the test that hit it.
#   scripts/test-sanitized.sh          every test, the browser test and crash trials included
#   scripts/test-sanitized.sh --core   the pure cores' tests (label "core") and the fuzz replays
#                                      (label "fuzz"): what scripts/test.sh runs after its own
# Extra arguments go to ctest. Tests that bound time widen them under a sanitizer
# (tests/support/sanitizers.h); the nodes the network tests start keep a 16 MiB quarantine.
set -euo pipefail
cd "$(dirname "$0")/.."

target=all
labels=()
if [ "${1:-}" = "--core" ]; then
  shift
  target=core_tests
  labels=(-L '^(core|fuzz)$')
else
  scripts/install-browser-deps.sh build-asan
fi
# -O1 with line tables: quicker to build than -O2, and reports name the source lines.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DLAKE_TESTS=ON -DLAKE_SANITIZE=address,undefined >/dev/null
cmake --build build-asan -j2 --target "$target"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j2 --timeout 900 "${labels[@]}" "$@"
