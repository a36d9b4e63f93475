#!/usr/bin/env bash
# DHT benchmark: p2plake's overlay (bench/dht_bench.cc) against the OpenDHT baseline
# (bench/opendht/opendht_bench.cc), same procedure and parameters, runs interleaved, medians and
# ratios in one table. Needs cmake, g++, pkg-config, python3, and libopendht-dev (installed with
# apt-get when missing, which needs root and the Debian mirror). The default matrix
# (N = 16, 32, 64, 3 repeats each) takes about 5 minutes; see --help for the knobs.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/dht_bench.sh [-h|--help] [-- ARGS...]

Builds bench/dht_bench.cc (target dht_bench) and the OpenDHT baseline bench/opendht/opendht_bench.cc
(with g++ into bench/out/opendht; installs libopendht-dev with apt-get if missing), then for each
N and repeat runs OpenDHT and p2plake one after the other (alternating which goes first) with
the same arguments (--nodes N --seed REPEAT ARGS...), logs under bench/out/dht/<timestamp>/, and
prints a Markdown table of medians per N and implementation (also saved as table.md there).

ARGS after `--` go to both benchmarks (options both have: --ops --concurrency --churn
--churn-wait --timeout --settle --value-size --full-get).

Environment:
  NODES="16 32 64"   node counts
  REPEAT=3           runs per N and implementation (seeds 1..REPEAT)
  BUILD_DIR=build    p2plake's CMake build directory (relative to the repo, or absolute);
                     configured as Release with LAKE_TESTS=OFF if it does not exist yet
  LAKE_ARGS=         extra arguments for p2plake's dht_bench only (e.g. --threads 2, --replicas 20)
  OPENDHT_ARGS=      extra arguments for OpenDHT's opendht_bench only (e.g. --remote-get)
  RUN_TIMEOUT=200    seconds before `timeout` kills one run (each bench also stops by itself)
EOF
}

common_args=()
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --) shift; common_args=("$@"); break ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
NODES=${NODES:-"16 32 64"}
REPEAT=${REPEAT:-3}
BUILD_DIR=${BUILD_DIR:-build}
case $BUILD_DIR in /*) build=$BUILD_DIR ;; *) build=$root/$BUILD_DIR ;; esac
RUN_TIMEOUT=${RUN_TIMEOUT:-200}
read -r -a lake_args <<< "${LAKE_ARGS:-}"
read -r -a odht_args <<< "${OPENDHT_ARGS:-}"

# --- p2plake's bench -----------------------------------------------------------------------------
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLAKE_TESTS=OFF >/dev/null
fi
cmake --build "$build" -j2 --target dht_bench >/dev/null
lake_bin=$build/dht_bench

# --- OpenDHT's bench: a plain g++ build, because OpenDHT is no dependency of the project -------
if ! pkg-config --exists opendht 2>/dev/null; then
  echo "installing libopendht-dev (OpenDHT 2.4.12 on Debian 12)..." >&2
  apt-get update >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libopendht-dev >/dev/null
fi
odht_bin=$root/bench/out/opendht/opendht_bench
odht_src=$root/bench/opendht/opendht_bench.cc
if [ ! "$odht_bin" -nt "$odht_src" ] || [ ! "$odht_bin" -nt "$root/bench/dht_bench_common.h" ]; then
  mkdir -p "$(dirname "$odht_bin")"
  g++ -std=c++20 -O2 "$odht_src" $(pkg-config --cflags --libs opendht) -pthread -o "$odht_bin"
fi

# --- runs: for each N and repeat, both implementations, one after the other ----------------------
out=$root/bench/out/dht/$(date +%Y-%m-%d-%H%M%S)
mkdir -p "$out"
{
  echo "date: $(date -Is)"
  echo "host: $(uname -srm), $(nproc) cores"
  echo "git: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo none)$(git -C "$root" diff --quiet 2>/dev/null || echo ' (modified)')"
  echo "NODES=$NODES REPEAT=$REPEAT common: ${common_args[*]:-} p2plake: ${lake_args[*]:-} opendht: ${odht_args[*]:-}"
} > "$out/params.txt"
cat "$out/params.txt" >&2

run() {  # run IMPL N REPEAT BINARY ARGS...
  local impl=$1 n=$2 rep=$3 bin=$4
  shift 4
  local log=$out/$impl-n$n-r$rep.txt
  echo "$(date +%T) $impl N=$n repeat $rep" >&2
  timeout "$RUN_TIMEOUT" "$bin" --nodes "$n" --seed "$rep" "$@" > "$log" 2>&1 ||
    echo "  $impl N=$n repeat $rep: exit $? (see $log)" >&2
  sed -n 's/^RESULT //p' "$log" >&2
}
for n in $NODES; do
  for rep in $(seq 1 "$REPEAT"); do
    # Alternate which one goes first, so neither always runs right after the other.
    if [ $((rep % 2)) -eq 1 ]; then order="opendht p2plake"; else order="p2plake opendht"; fi
    for impl in $order; do
      if [ "$impl" = opendht ]; then
        run opendht "$n" "$rep" "$odht_bin" ${common_args[@]+"${common_args[@]}"} ${odht_args[@]+"${odht_args[@]}"}
      else
        run p2plake "$n" "$rep" "$lake_bin" ${common_args[@]+"${common_args[@]}"} ${lake_args[@]+"${lake_args[@]}"}
      fi
    done
  done
done

python3 "$root/bench/dht_summarize.py" "$out" | tee "$out/table.md"
echo "logs: $out" >&2
