#!/usr/bin/env python3
"""The HTTP side of bench/upload_bench.sh: waits for its loopback cluster, checks an upload on
every node, and prints the summary table (bench/query_bench.sh uses the wait and the check too).
Standard library only.

usage: upload_cluster.py peers URL...                  until each node lists all the others
       upload_cluster.py check NAME ROWS REPLY URL...   the upload's checks; appends per-node
                                                        "url<TAB>chunks" lines to stdout
       upload_cluster.py report WORK_DIR CSV_BYTES ROWS the table of WORK_DIR/*.tsv

`check` needs, on every node: NAME in GET /api/datasets (gossip may take a moment: polled for
up to 15 s), SELECT COUNT(*) FROM NAME through POST /api/query equal to ROWS, and GET
/api/datasets/NAME with the reply's chunk count and as many holders for every chunk as the
replication target of REPLY (the JSON answer of `p2plake upload --json`, which must say its
rows are ROWS). Prints one line per failed check to stderr and exits 1 if any failed.
"""
import json
import os
import statistics
import sys
import time
import urllib.request


def api(url, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:  # an error answer still has a JSON body
        return json.load(error)


def wait_peers(urls, deadline_s=30):
    deadline = time.monotonic() + deadline_s
    for url in urls:
        while True:
            try:
                if len(api(url, "/api/peers").get("peers", [])) >= len(urls) - 1:
                    break
            except OSError:
                pass  # not listening yet
            if time.monotonic() > deadline:
                sys.exit(f"{url} did not list the other {len(urls) - 1} nodes within {deadline_s} s")
            time.sleep(0.2)


def check(name, rows, reply_path, urls):
    failures = []
    with open(reply_path) as f:
        reply = json.load(f)
    if reply.get("rows") != rows:
        failures.append(f"the upload's reply says {reply.get('rows')} rows, the file has {rows}")
    target = reply.get("replicas", {}).get("target", 0)
    for url in urls:
        deadline = time.monotonic() + 15
        while name not in [d["name"] for d in api(url, "/api/datasets").get("datasets", [])]:
            if time.monotonic() > deadline:
                failures.append(f"{url}: GET /api/datasets does not list {name} after 15 s")
                break
            time.sleep(0.2)
        answer = api(url, "/api/query", {"sql": f"SELECT COUNT(*) AS n FROM {name}"})
        count = (answer.get("data") or [{}])[0].get("n")
        if count != rows:
            failures.append(f"{url}: COUNT(*) is {count}, the file has {rows} rows "
                            f"({answer.get('error', 'no error')})")
        detail = api(url, f"/api/datasets/{name}")
        chunks = detail.get("chunks", [])
        if len(chunks) != reply.get("chunks"):
            failures.append(f"{url}: {len(chunks)} chunks listed, the reply said {reply.get('chunks')}")
        # At least R: with R below the node count the uploader keeps chunks it is not among the
        # R closest for until its next repair round drops them (dht/placement.h).
        short = [c["id"][:8] for c in chunks if len(c.get("holders", [])) < target]
        if short:
            failures.append(f"{url}: {len(short)} chunk(s) with fewer than {target} holders, "
                            f"e.g. {short[0]}")
        status = api(url, "/api/status")
        print(f"{url}\t{status.get('storageUsage', {}).get('totalChunks', -1)}")
    for failure in failures:
        print("check failed: " + failure, file=sys.stderr)
    sys.exit(1 if failures else 0)


def read_tsv(path):
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def report(work, csv_bytes, rows):
    """runs.tsv: run, kind (upload|import), wall s, peak RSS kB (import only).
    nodes.tsv: run, node, peak RSS kB, CPU s during the upload, chunks, db bytes.
    split.tsv: run, spool s, parse s, parsed->published s, others' CPU s.
    replies.tsv: run, replicas min, replicas target."""
    runs = read_tsv(os.path.join(work, "runs.tsv"))
    nodes = read_tsv(os.path.join(work, "nodes.tsv"))
    split = read_tsv(os.path.join(work, "split.tsv"))
    replies = read_tsv(os.path.join(work, "replies.tsv"))
    mb = csv_bytes / 1e6
    wall = {kind: [float(r[2]) for r in runs if r[1] == kind] for kind in ("upload", "import")}
    up, imp = statistics.median(wall["upload"]), statistics.median(wall["import"])
    import_rss = max(int(r[3]) for r in runs if r[1] == "import") / 1024
    node_names = sorted({n[1] for n in nodes})
    rss = {n: max(int(r[2]) for r in nodes if r[1] == n) / 1024 for n in node_names}
    print(f"upload of events.csv through node 1's gateway into 3 nodes (R = 3, W = 2) beside "
          f"`p2plake import`: {rows} rows, {mb:.1f} MB, median of {len(wall['upload'])} runs")
    print()
    print(f"| | wall s | MB/s | runs (MB/s) |")
    print(f"|---|---:|---:|---|")
    for kind, median in (("upload", up), ("import", imp)):
        each = ", ".join(f"{mb / w:.1f}" for w in wall[kind])
        print(f"| {kind} | {median:.2f} | {mb / median:.1f} | {each} |")
    print()
    print(f"upload / import: {imp / up:.2f} of import's MB/s (upload takes {up / imp:.2f}x as long); "
          f"target >= 50 MB/s into the cluster: {'met' if mb / up >= 50 else 'MISSED'}")
    print()
    print("| node | peak RSS MB (max of runs) | CPU s in the upload (median) | chunks | db/ MB (du) |")
    print("|---|---:|---:|---:|---:|")
    last = max(int(n[0]) for n in nodes)
    for name in node_names:
        mine = [n for n in nodes if n[1] == name]
        cpu = statistics.median(float(n[3]) for n in mine)
        final = [n for n in mine if int(n[0]) == last][0]
        print(f"| {name} | {rss[name]:.0f} | {cpu:.1f} | {final[4]} | {int(final[5]) / 1e6:.1f} |")
    print(f"| import | {import_rss:.0f} | | | |")
    print()
    worst = max(rss.values())
    print(f"peak RSS per node: max {worst:.0f} MB; target <= 256 MB: {'met' if worst <= 256 else 'MISSED'}")
    mins = sorted({f"{r[1]}/{r[2]}" for r in replies})
    print(f"replicas min/target in the replies: {', '.join(mins)}")
    med = [statistics.median(float(s[i]) for s in split) for i in (1, 2, 3)]
    print(f"upload time on node 1 (medians, from its log): body spooled {med[0]:.2f} s, then "
          f"100% of the CSV parsed {med[1]:.2f} s, then published {med[2]:.2f} s later (the "
          f"encoding's tail, the pushes to the other nodes, the manifest and the pointer)")
    others = ", ".join(s[4] for s in split)
    print(f"CPU-s used by other processes during each upload: {others} (the machine may be shared: "
          f"more than a few tenths of a second disturbed that run)")
    hung = os.path.join(work, "hung.txt")
    if os.path.exists(hung):
        with open(hung) as f:
            print(f"nodes killed because they had not exited 30 s after SIGTERM: {len(f.readlines())}")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    command, args = sys.argv[1], sys.argv[2:]
    if command == "peers":
        wait_peers(args)
    elif command == "check":
        check(args[0], int(args[1]), args[2], args[3:])
    elif command == "report":
        report(args[0], int(args[1]), int(args[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
