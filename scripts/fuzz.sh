#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan + UBSan, in build-fuzz/) and runs them.
#   scripts/fuzz.sh [target|all] [seconds]     default: all targets, 600 s each, one after another
# New corpus entries are minimised (-merge=1) into tests/fuzz/corpus/<target>/; an input that
# crashes, hangs (-timeout) or runs out of memory is saved into tests/fuzz/regressions/<target>/,
# where the ordinary test run (ctest, label "fuzz") replays it once the bug is fixed.
# Needs clang and its runtime (Debian: clang, libclang-rt-dev); CI does not: it only replays.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-fuzz
which=${1:-all}
seconds=${2:-600}

# Each target with the longest input worth trying: a message or record is small, a CSV or a
# chunk needs room for several rows or columns.
declare -A max_len=(
  [csv_import]=4096
  [sql_engine]=1024
  [sql_wire]=4096
  [secure_session]=2048
  [dht_messages]=2048
  [store_codecs]=8192
  [dataset_pointer]=1024
  [http_json]=2048
)
targets=(csv_import sql_engine sql_wire secure_session dht_messages store_codecs dataset_pointer
         http_json)
if [ "$which" != all ]; then
  [ -n "${max_len[$which]:-}" ] || { echo "fuzz.sh: unknown target $which (${targets[*]})" >&2; exit 2; }
  targets=("$which")
fi

cxx=${CXX:-$(command -v clang++ || command -v clang++-14 || true)}
[ -n "$cxx" ] || { echo "fuzz.sh: needs clang++ (apt-get install clang)" >&2; exit 2; }
# The compiler only on the first configure: naming another one later makes CMake drop its cache,
# and with it the options given beside it.
options=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DLAKE_FUZZ=ON -DLAKE_TESTS=OFF)
[ -f "$build/CMakeCache.txt" ] || options+=(-DCMAKE_CXX_COMPILER="$cxx")
command -v ccache >/dev/null && options+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$build" "${options[@]}" >/dev/null
cmake --build "$build" -j"${JOBS:-2}" --target "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
failed=()
for t in "${targets[@]}"; do
  binary=$build/tests/fuzz/fuzz_$t
  corpus=$root/tests/fuzz/corpus/$t
  regressions=$root/tests/fuzz/regressions/$t
  work=$build/fuzz-work/$t  # what this run finds, before it is minimised into the corpus
  mkdir -p "$corpus" "$regressions" "$work"
  echo "fuzz.sh: $t for ${seconds}s"
  log=$build/fuzz-work/$t.log
  status=0
  "$binary" "$work" "$corpus" -max_total_time="$seconds" -max_len="${max_len[$t]}" \
    -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$regressions/" -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  grep -E '^#[0-9]+ +DONE|^stat::|ERROR|SUMMARY|artifact' "$log" || true
  # Keep the committed corpus small: the fewest inputs that cover what old and new ones cover.
  merged=$build/fuzz-work/$t.merged
  rm -rf "$merged" && mkdir -p "$merged"
  "$binary" -merge=1 -max_len="${max_len[$t]}" -rss_limit_mb=2048 -timeout=10 \
    "$merged" "$corpus" "$work" >/dev/null 2>&1 && rm -rf "$corpus" && mv "$merged" "$corpus"
  if [ "$status" -ne 0 ]; then
    echo "fuzz.sh: $t FAILED (exit $status): the input is in $regressions/, the log $log" >&2
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz.sh: failed: ${failed[*]}" >&2
  exit 1
fi
