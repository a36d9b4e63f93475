#!/usr/bin/env python3
"""Medians of dht_bench runs, p2plake next to OpenDHT, as Markdown tables.

usage: dht_summarize.py LOG_DIR

LOG_DIR holds one log per run, named <impl>-n<N>-r<repeat>.txt (what bench/dht_bench.sh writes):
each log ends with the bench's `RESULT {json}` line. Get and post-churn get throughput come from
the human-readable `get` / `get-churn` lines, which both benchmarks print the same way (OpenDHT's
RESULT has no get ops/s field).
"""
import json
import os
import re
import statistics
import sys

LOG = re.compile(r"^(?P<impl>[a-z0-9]+)-n(?P<n>\d+)-r(?P<rep>\d+)\.txt$")
OPS = re.compile(r"^(get|get-churn)\s+ok .*\|\s*([0-9.]+) ops/s over")


def load(log_dir):
    runs = {}  # (n, impl) -> [result dict]
    failed = []
    for name in sorted(os.listdir(log_dir)):
        m = LOG.match(name)
        if not m:
            continue
        result = None
        ops = {}
        with open(os.path.join(log_dir, name), errors="replace") as f:
            for line in f:
                if line.startswith("RESULT {"):
                    result = json.loads(line[len("RESULT "):])
                o = OPS.match(line)
                if o:
                    ops[o.group(1)] = float(o.group(2))
        if result is None:
            failed.append(name)
            continue
        result.setdefault("get_ops_s", ops.get("get", -1))
        result.setdefault("churn_get_ops_s", ops.get("get-churn", -1))
        runs.setdefault((int(m.group("n")), m.group("impl")), []).append(result)
    return runs, failed


COLS = [("boot ms", "bootstrap_ms", "%.0f"),
        ("put p50", "put_p50_ms", "%.1f"), ("put p99", "put_p99_ms", "%.1f"),
        ("put ops/s", "put_ops_s", "%.0f"), ("put ok %", "put_ok_pct", "%.2f"),
        ("copies/key", "copies_per_key", "%.2f"),
        ("get p50", "get_p50_ms", "%.1f"), ("get p99", "get_p99_ms", "%.1f"),
        ("get ops/s", "get_ops_s", "%.0f"), ("get ok %", "get_ok_pct", "%.2f"),
        ("killed", "churn_killed", "%d"), ("post-churn get ok %", "churn_get_ok_pct", "%.2f"),
        ("churn p50", "churn_get_p50_ms", "%.1f"), ("churn p99", "churn_get_p99_ms", "%.1f"),
        ("RSS MiB", "rss_mib", "%.0f"), ("CPU s", "cpu_s", "%.1f"),
        ("other cores", "other_cores", "%.2f")]


def median(rs, key):
    vals = [r[key] for r in rs if key in r and r[key] is not None]
    return statistics.median(vals) if vals else float("nan")


def main():
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        sys.exit(0 if len(sys.argv) == 2 else 2)
    runs, failed = load(sys.argv[1])
    print("Medians of the repeats (latencies in ms).\n")
    print("| N | impl | runs | " + " | ".join(c[0] for c in COLS) + " |")
    print("|---:|---|---:|" + "---:|" * len(COLS))
    for (n, impl) in sorted(runs, key=lambda k: (k[0], k[1] != "opendht", k[1])):
        rs = runs[(n, impl)]
        cells = [fmt % median(rs, key) for _, key, fmt in COLS]
        print(f"| {n} | {impl} | {len(rs)} | " + " | ".join(cells) + " |")

    print("\nRatio p2plake / OpenDHT of the medians (latency: < 1 is better; ops/s: > 1 is better).\n")
    print("| N | get p50 | get p99 | put p50 | get ops/s | put ops/s | churn p50 |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n in sorted({n for n, _ in runs}):
        lake, odht = runs.get((n, "p2plake")), runs.get((n, "opendht"))
        if not lake or not odht:
            continue
        cells = []
        for key in ("get_p50_ms", "get_p99_ms", "put_p50_ms", "get_ops_s", "put_ops_s",
                    "churn_get_p50_ms"):
            a, b = median(lake, key), median(odht, key)
            cells.append("%.2f" % (a / b) if b > 0 else "n/a")
        print(f"| {n} | " + " | ".join(cells) + " |")
    if failed:
        print("\nRuns without a RESULT line (crashed or timed out): " + ", ".join(failed))


if __name__ == "__main__":
    main()
