#!/usr/bin/env python3
"""The HTTP side of bench/query_bench.sh: times queries sent to a node's POST /api/query, keeps
their answers and stats, and prints the report. Standard library only.

usage: query_cluster.py run URL QUERIES RUNS DIR   each "qid<TAB>sql" line of the file QUERIES:
                                                    one warm-up request, then RUNS timed ones
       query_cluster.py report WORK                the tables of query_bench.sh's folder WORK

Every request goes out on one keep-alive connection (http.client reopens it when the node closes
it; DIR/connections.tsv counts the connections each query's timed requests opened) with the body
{"sql": ..., "cache": false}, so that no answer comes from the node's query cache. A request's
time is the wall time from sending it to having read the whole answer, before JSON parsing.

DIR gets what bench/report.py reads: times.tsv ("qid<TAB>run<TAB>ms") and raw/<qid>.csv (the last
answer as CSV: header from "columns", null as an empty cell, numbers and booleans as JSON writes
them); and stats.tsv (per query: the median "executionTime" and the last answer's "stats", "-"
for a field the node does not report) and errors.txt (failed requests, and answers that differ
between the runs of one query in bench/report.py's canonical form).
"""
import csv
import http.client
import json
import math
import os
import socket
import statistics
import sys
import time
import urllib.parse

from report import canonical_cell, canonical_line, read_engine, tsv

STATS = ("chunksTotal", "chunksScanned", "chunksPruned", "nodesContacted", "retries",
         "bytesTransferred", "cached")


class Connection(http.client.HTTPConnection):
    """http.client's connection with TCP_NODELAY, as curl and browsers use: it writes a request's
    headers and body in two sends, and Nagle's algorithm would hold the body back until the
    node acknowledged the headers, which a delayed ACK makes take up to 40 ms."""

    def connect(self):
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class Node:
    """One keep-alive HTTP connection to a node's gateway."""

    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        self.connection = Connection(parts.hostname, parts.port, timeout=600)
        self.opened = 0  # connections opened so far

    def query(self, sql):
        """(ms, HTTP status, parsed answer)."""
        body = json.dumps({"sql": sql, "cache": False})
        headers = {"Content-Type": "application/json"}
        for attempt in (1, 2):
            if self.connection.sock is None:
                self.opened += 1
            start = time.perf_counter()
            try:
                self.connection.request("POST", "/api/query", body, headers)
                response = self.connection.getresponse()
                payload = response.read()
                ms = (time.perf_counter() - start) * 1000
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The node closed an idle keep-alive connection: once more on a new one.
                self.connection.close()
                if attempt == 2:
                    raise
        try:
            answer = json.loads(payload)
        except ValueError:
            answer = {"error": payload[:200].decode(errors="replace")}
        return ms, response.status, answer


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def answer_rows(answer):
    """The answer's header and rows as text cells, columns in the order of "columns"."""
    names = [c["name"] for c in answer.get("columns", [])]
    return [names] + [[cell_text(row.get(n)) for n in names] for row in answer.get("data", [])]


def canonical(rows):
    """bench/report.py's canonical form of a CSV's header and rows (an empty text: no rows)."""
    if len(rows) < 2:
        return ""
    return canonical_line([c.strip().lower() for c in rows[0]]) + "".join(
        canonical_line([canonical_cell(c) for c in row]) for row in rows[1:])


def run_queries(url, queries_path, runs, out):
    node = Node(url)
    os.makedirs(os.path.join(out, "raw"), exist_ok=True)
    times = open(os.path.join(out, "times.tsv"), "w")
    stats = open(os.path.join(out, "stats.tsv"), "w")
    connections = open(os.path.join(out, "connections.tsv"), "w")
    errors = open(os.path.join(out, "errors.txt"), "w")
    stats.write("# qid\texecutionTime\t" + "\t".join(STATS) + "\tcached answers\n")
    for qid, sql in tsv(queries_path):
        answers, timed, server_ms = [], [], []
        opened = None
        for run in range(runs + 1):  # run 0 is the warm-up
            if run == 1:
                opened = node.opened
            ms, status, answer = node.query(sql)
            if status != 200 or not answer.get("success"):
                errors.write(f"{qid}: HTTP {status}: {answer.get('error', answer)}\n")
                break
            answers.append(answer)
            if run > 0:
                timed.append(ms)
                server_ms.append(answer.get("executionTime"))
        else:
            forms = [canonical(answer_rows(a)) for a in answers]
            for run, form in enumerate(forms):
                if form != forms[-1]:
                    errors.write(f"{qid}: the answer of run {run} (0: warm-up) differs from the last\n")
            with open(os.path.join(out, "raw", qid + ".csv"), "w", newline="") as f:
                csv.writer(f, lineterminator="\n").writerows(answer_rows(answers[-1]))
            times.writelines(f"{qid}\t{run}\t{ms:.3f}\n" for run, ms in enumerate(timed, 1))
            last = answers[-1].get("stats") or {}
            known = [m for m in server_ms if isinstance(m, (int, float))]
            cached = sum(bool((a.get("stats") or {}).get("cached")) for a in answers[1:])
            stats.write("\t".join([qid, f"{statistics.median(known):.3f}" if known else "-"]
                                  + [str(last.get(k, "-")) for k in STATS] + [str(cached)]) + "\n")
            connections.write(f"{qid}\t{node.opened - opened}\n")
    for f in (times, stats, connections, errors):
        f.close()


# --- report --------------------------------------------------------------------------------------

def percentile(values, p):
    """Nearest-rank percentile: the smallest value with at least p% of the values at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def fmt(ms):
    return "-" if ms is None else f"{ms:,.1f}"


def ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "-"


class Side:
    """One folder of run_queries (or p2plake_warm) output."""

    def __init__(self, folder):
        self.label, self.median, self.answer = read_engine(folder)
        self.times = {}
        for qid, _run, ms in tsv(os.path.join(folder, "times.tsv")):
            self.times.setdefault(qid, []).append(float(ms))
        self.stats, self.connections, self.errors = {}, {}, []
        path = os.path.join(folder, "stats.tsv")
        if os.path.exists(path):
            self.stats = {r[0]: dict(zip(("executionTime",) + STATS + ("cachedAnswers",), r[1:]))
                          for r in tsv(path)}
            self.connections = {q: int(n) for q, n in tsv(os.path.join(folder, "connections.tsv"))}
            with open(os.path.join(folder, "errors.txt")) as f:
                self.errors = [line.rstrip("\n") for line in f if line.strip()]

    def stat(self, qid, key):
        return self.stats.get(qid, {}).get(key, "-")

    def number(self, qid, key):
        try:
            return float(self.stat(qid, key))
        except ValueError:
            return None


def first_difference(a, b):
    a_lines, b_lines = a.decode().splitlines(), b.decode().splitlines()
    for i in range(max(len(a_lines), len(b_lines))):
        x = a_lines[i] if i < len(a_lines) else "(no line)"
        y = b_lines[i] if i < len(b_lines) else "(no line)"
        if x != y:
            return f"line {i + 1}: embedded `{x}`, cluster `{y}`"
    return "identical"


def per_node(cluster, qid):
    scanned, nodes = cluster.stat(qid, "chunksScanned"), cluster.stat(qid, "nodesContacted")
    try:
        return f"{int(scanned) / int(nodes):.1f}"
    except (ValueError, ZeroDivisionError):
        return "-"


def cpu_line(work, name):
    rows = tsv(os.path.join(work, name, "cpu.tsv"))
    total = sum(float(r[1]) for r in rows) or 1
    return ", ".join(f"{r[0]} {float(r[1]):.1f} s ({float(r[1]) / total:.0%})" for r in rows)


def report(work):
    embedded = Side(os.path.join(work, "embedded"))
    full, degraded = Side(os.path.join(work, "cluster3")), Side(os.path.join(work, "cluster2"))
    small = Side(os.path.join(work, "small"))
    suite = [q for q, _ in tsv(os.path.join(work, "queries.tsv"))]
    small_queries = tsv(os.path.join(work, "small.tsv"))
    params = dict(tsv(os.path.join(work, "params.tsv")))
    problems = [f"{name}: {e}" for name, side in (("3 nodes", full), ("2 nodes", degraded),
                                                  ("small", small)) for e in side.errors]

    def compare(qid, name, side):
        ref, got = embedded.answer.get(qid), side.answer.get(qid)
        if ref is None or got is None:
            problems.append(f"{qid}, {name}: no answer" + (" from the embedded engine" if ref is None else ""))
            return False
        if ref != got:
            problems.append(f"{qid}, {name}: differs from the embedded answer, "
                            + first_difference(ref, got))
            return False
        return True

    lines = [f"Distributed queries: {params['rows']} events, seed {params['seed']}; embedded = "
             f"`p2plake sql` (warm, execution only), cluster = wall time of POST /api/query to "
             f"node {params.get('asked', '1')} of 3 loopback nodes (R = "
             f"{params.get('replication', '3')}), then of 2 after "
             f"node {params['killed']} was "
             f"killed; median of {params['runs']} runs, ms.", "",
             "| query | embedded | 3 nodes | 3 nodes / embedded | executionTime | "
             "chunks scanned | nodes contacted | scanned per node | 2 nodes | 2 nodes / 3 nodes "
             "| retries (2 nodes) | answers |",
             "|---|" + "---:|" * 10 + "---|"]
    totals = {"embedded": 0.0, "full": 0.0, "degraded": 0.0}
    for qid in suite:
        e, f, d = (side.median.get(qid) for side in (embedded, full, degraded))
        totals["embedded"] += e or 0
        totals["full"] += f or 0
        totals["degraded"] += d or 0
        same = [compare(qid, name, side) for name, side in (("3 nodes", full), ("2 nodes", degraded))]
        lines.append(f"| {qid} | {fmt(e)} | {fmt(f)} | {ratio(f, e)} | "
                     f"{fmt(full.number(qid, 'executionTime'))} | {full.stat(qid, 'chunksScanned')} | "
                     f"{full.stat(qid, 'nodesContacted')} | {per_node(full, qid)} | {fmt(d)} | "
                     f"{ratio(d, f)} | {degraded.stat(qid, 'retries')} | "
                     f"{'same' if all(same) else 'DIFFER'} |")
    t = totals
    lines.append(f"| **total** | **{fmt(t['embedded'])}** | **{fmt(t['full'])}** | "
                 f"**{ratio(t['full'], t['embedded'])}** | | | | | **{fmt(t['degraded'])}** | "
                 f"**{ratio(t['degraded'], t['full'])}** | | |")
    met = t["embedded"] and t["full"] <= 1.25 * t["embedded"]
    lines += ["", f"Suite on 3 nodes / embedded: {ratio(t['full'], t['embedded'])} (target <= 1.25: "
              f"{'met' if met else 'MISSED'}); with node {params['killed']} down: "
              f"{ratio(t['degraded'], t['full'])}x the 3-node time.",
              f"CPU seconds of each node during the 3-node suite (warm-ups included): "
              f"{cpu_line(work, 'cluster3')}; during the 2-node suite: {cpu_line(work, 'cluster2')}."]
    cached = sum(int(s.get("cachedAnswers", 0)) for side in (full, degraded, small)
                 for s in side.stats.values())
    if cached:
        lines.append(f"{cached} timed answers say they came from the query cache.")

    lines += ["", f"Small queries on node {params.get('asked', '1')} (3 nodes up), "
              f"{params['small_n']} timed requests each "
              "after a warm-up, ms; connections: how many the client opened for them (the node "
              "closes a keep-alive connection after a number of requests).", "",
              "| query | p50 | p99 | max | connections | embedded (median) | answer |",
              "|---|---:|---:|---:|---:|---:|---|"]
    worst_p50 = worst_p99 = 0.0
    for qid, sql in small_queries:
        times = small.times.get(qid)
        same = compare(qid, "small", small)
        if times:
            p50, p99 = percentile(times, 50), percentile(times, 99)
            worst_p50, worst_p99 = max(worst_p50, p50), max(worst_p99, p99)
            cells = f"{p50:.2f} | {p99:.2f} | {max(times):.2f}"
        else:
            cells = "- | - | -"
        lines.append(f"| `{sql}` | {cells} | {small.connections.get(qid, '-')} | "
                     f"{fmt(embedded.median.get(qid))} | {'same' if same else 'DIFFER'} |")
    lines += ["", f"Targets: p50 <= 5 ms: {'met' if worst_p50 <= 5 else 'MISSED'} (worst "
              f"{worst_p50:.2f}); p99 <= 20 ms: {'met' if worst_p99 <= 20 else 'MISSED'} (worst "
              f"{worst_p99:.2f})."]

    phases = tsv(os.path.join(work, "phases.tsv"))
    noisy = [f"{n} ({float(o):.1f} CPU-s of {float(w):.0f} s)" for n, w, o in phases
             if float(o) > 0.05 * float(w)]
    lines += ["", "Steps during which other processes used the CPUs: " + "; ".join(noisy)
              if noisy else "No other process used a noticeable share of the CPUs in any step."]
    if problems:
        lines += ["", "**Problems:**", ""] + [f"- {p}" for p in problems]
    text = "\n".join(lines) + "\n"
    with open(os.path.join(work, "report.md"), "w") as f:
        f.write(text)
    print(text, end="")
    for problem in problems:
        print("query_bench: " + problem, file=sys.stderr)
    sys.exit(1 if problems else 0)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    command, args = sys.argv[1], sys.argv[2:]
    if command == "run" and len(args) == 4:
        run_queries(args[0], args[1], int(args[2]), args[3])
    elif command == "report" and len(args) == 1:
        report(args[0])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
