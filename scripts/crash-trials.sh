#!/usr/bin/env bash
# Crash trials: a loopback cluster of build/p2plake nodes (5, R = 3) is hit by kill -9 during
# uploads, queries and repairs, restarted on the same data dirs, and checked: every acknowledged
# upload complete and byte-for-byte queryable from every node (against `p2plake sql` on its CSV),
# no half data set listed or counted anywhere, every chunk back at R holders within a bound.
# Prints one line per trial and a summary; exits 1 on any violation (scripts/crash_trials.py).
#   usage: scripts/crash-trials.sh [--trials N] [--nodes N] [--seed S] [--work DIR]
#          [--port-base P] [--binary PATH] [--repair-timeout S] [--max-rows N]    (--help: all)
set -euo pipefail
command -v python3 >/dev/null || { echo "crash-trials: needs python3" >&2; exit 1; }
exec python3 "$(dirname "$0")/crash_trials.py" "$@"
