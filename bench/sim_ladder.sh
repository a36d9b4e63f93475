#!/usr/bin/env bash
# The simulator's scaling ladder: `p2plake sim` at 10,000, 50,000 and 100,000 nodes (NODES),
# one scenario (SCENARIO, default lookup: as many lookups as the scenario's default, at most
# LOOKUPS), and how CPU time and peak memory grow with N: per node at each size, and the
# exponent between successive sizes (time ~ N^e; 1 is linear). CPU time (user + system) rather
# than wall time: on a shared machine it is the steadier of the two; both are printed.
#   bench/sim_ladder.sh                                 10k, 50k, 100k lookup: tens of minutes
#   NODES="1000 2000 4000" bench/sim_ladder.sh          a smoke test: under a minute
#   SCENARIO=churn NODES="10000 100000" bench/sim_ladder.sh
#   GLIBC_TUNABLES=glibc.malloc.hugetlb=1 bench/sim_ladder.sh   huge pages: a fifth less time
# Needs a built build/p2plake (or P2PLAKE=path) and python3. Each size is one run of one
# process: its own times and peak RSS as `--json` reports them, and its trace hash (the same
# seed must give the same hash).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
p2plake=${P2PLAKE:-$root/build/p2plake}
NODES=${NODES:-"10000 50000 100000"} SCENARIO=${SCENARIO:-lookup} SEED=${SEED:-1}
LOOKUPS=${LOOKUPS:-10000}
case "${1:-}" in -h|--help) sed -n '2,13p' "$0" | sed 's/^# \?//'; exit 0 ;; esac
[ -x "$p2plake" ] || { echo "no $p2plake: build it first (see bench/README.md)" >&2; exit 1; }
out=$root/bench/out/sim-ladder
mkdir -p "$out"

for n in $NODES; do
  lookups=$(( n < LOOKUPS ? n : LOOKUPS ))
  echo "sim-ladder: $SCENARIO at $n nodes, $lookups lookups ..." >&2
  "$p2plake" sim --scenario "$SCENARIO" --nodes "$n" --lookups "$lookups" --seed "$SEED" --json \
    > "$out/$SCENARIO-$n.json"
done

python3 - "$out" "$SCENARIO" $NODES <<'PY'
import json, math, sys
out, scenario, sizes = sys.argv[1], sys.argv[2], [int(n) for n in sys.argv[3:]]
rows = [json.load(open(f"{out}/{scenario}-{n}.json")) for n in sizes]
print(f"{'nodes':>8} {'CPU s':>8} {'wall s':>8} {'peak MB':>8} {'ms/node':>8} {'KB/node':>8} "
      f"{'messages':>11} {'exact':>6} {'hops p50':>8} {'e(time)':>7} {'e(mem)':>7}")
prev = None
for n, r in zip(sizes, rows):
    cpu, wall, rss = r["cpu_ms"] / 1000, r["wall_ms"] / 1000, r["peak_rss_mb"]
    e_time = e_mem = ""
    if prev:
        pn, pcpu, prss = prev
        e_time = f"{math.log(cpu / pcpu) / math.log(n / pn):.2f}"
        e_mem = f"{math.log(rss / prss) / math.log(n / pn):.2f}"
    exact = f"{r['success_rate']:.4f}" if "success_rate" in r and r.get("lookups") else "-"
    hops = f"{r['hops_p50']:.0f}" if r.get("lookups") else "-"
    print(f"{n:>8} {cpu:>8.1f} {wall:>8.1f} {rss:>8.0f} {cpu * 1e3 / n:>8.2f} "
          f"{rss * 1024 / n:>8.1f} {r['messages']:>11} {exact:>6} {hops:>8} {e_time:>7} {e_mem:>7}")
    prev = (n, cpu, rss)
print("trace hashes: " + ", ".join(f"{n}: {r['trace_hash'][:16]}" for n, r in zip(sizes, rows)))
PY
