#!/usr/bin/env python3
"""Crash trials for a loopback cluster of `p2plake node` processes.

Each trial kills a node with SIGKILL (so the others repair its chunks),
starts uploads of seeded CSVs through `p2plake upload` and a stream of COUNT(*) queries, kills
one or two more nodes at a seeded moment, restarts every killed node on its data directory and
then checks:
  (a) every upload the client saw acknowledged is listed by every node with all its rows, and
      `SELECT * ... ORDER BY id` through `p2plake query` prints exactly what the embedded engine
      (`p2plake sql --table NAME=FILE.csv`) prints for the same file: from every node for the
      trial's data sets, from one node (in turn) for earlier trials' ones, and from every node for
      all of them after the last trial;
  (b) no half data set: once the nodes agree, a data set is listed by every node with all its
      rows or by none, and no query that answered during the crashes counted fewer rows;
  (c) repair gives every chunk of every listed data set R holders (GET /api/datasets/NAME)
      within --repair-timeout seconds.
Prints one line per trial and a summary; exits 1 on any violation. Standard library only.
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from upload_cluster import api, wait_peers  # noqa: E402  (bench/ is not a package)

WORDS = ["alpha", "beta", "gamma", "delta", "Smith, J", 'say "hi"', "zürich", "", "omega"]


def parse_args():
    p = argparse.ArgumentParser(
        prog="scripts/crash-trials.sh",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--trials", type=int, default=20, help="trials to run (default 20)")
    p.add_argument("--nodes", type=int, default=5, help="nodes in the cluster (default 5; R = min(3, N))")
    p.add_argument("--seed", type=int, default=1, help="seed of the data, the victims and the moments (default 1)")
    p.add_argument("--work", default=os.path.join(ROOT, "build", "crash-trials"),
                   help="directory for the nodes' data dirs, CSVs and logs (emptied first)")
    p.add_argument("--port-base", type=int, default=17300,
                   help="node i serves HTTP on BASE+i and peers on BASE+100+i (default 17300)")
    p.add_argument("--binary", default=os.path.join(ROOT, "build", "p2plake"), help="the p2plake binary")
    p.add_argument("--repair-timeout", type=float, default=90, help="seconds repair may take (default 90)")
    p.add_argument("--max-rows", type=int, default=60000, help="rows of the largest CSV (default 60000)")
    return p.parse_args()


class Cluster:
    """The node processes, their ports and data dirs; a killed node restarts on its directory."""

    def __init__(self, args, replication):
        self.args = args
        self.n = args.nodes
        self.replication = replication
        self.procs = [None] * self.n
        self.config = os.path.join(args.work, "config.json")
        with open(self.config, "w") as f:
            # Small chunks, so small files make many; repair every 2 s, so a trial is short.
            json.dump({"storage": {"chunkSize": 65536, "repairInterval": 2000}}, f)

    def url(self, i):
        return f"http://127.0.0.1:{self.args.port_base + 1 + i}"

    def p2p(self, i):
        return self.args.port_base + 101 + i

    def start(self, i, seeds):
        data = os.path.join(self.args.work, f"node-{i + 1}")
        os.makedirs(data, exist_ok=True)
        cmd = [self.args.binary, "node", "--config", self.config, "--data-dir", data,
               "--http-port", str(self.args.port_base + 1 + i), "--p2p-port", str(self.p2p(i)),
               "--replication", str(self.replication)]
        for s in seeds:
            cmd += ["--seed", f"127.0.0.1:{self.p2p(s)}"]
        with open(os.path.join(data, "stdout"), "ab") as out:
            self.procs[i] = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL, start_new_session=True)

    def start_all(self):
        # One after the other, each through those before it (as bench/lib.sh's start_nodes).
        for i in range(self.n):
            self.start(i, range(i))
            wait_peers([self.url(j) for j in range(i + 1)], 60)

    def restart(self, i):
        self.start(i, [j for j in range(self.n) if j != i])

    def alive(self, i):
        return self.procs[i] is not None and self.procs[i].poll() is None

    def kill(self, i):
        self.procs[i].send_signal(signal.SIGKILL)
        self.procs[i].wait()

    def stop(self):
        for p in self.procs:
            if p and p.poll() is None:
                p.terminate()
        for p in self.procs:
            if p:
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


def write_csv(path, rng, rows):
    with open(path, "w", newline="") as f:
        f.write("id,name,qty,price,ok,day\n")
        for i in range(rows):
            name = rng.choice(WORDS)
            if "," in name or '"' in name:
                name = '"' + name.replace('"', '""') + '"'
            qty = "" if rng.random() < 0.1 else str(rng.randint(-1000, 10 ** 6))
            price = f"{rng.randint(0, 10 ** 7) / 100:.2f}"
            f.write(f"{i},{name},{qty},{price},{rng.choice(['true', 'false'])},"
                    f"20{rng.randint(10, 29)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n")


def select_all(name):
    return f"SELECT * FROM {name} ORDER BY id"


class Run:
    def __init__(self, args):
        self.args = args
        self.replication = min(3, args.nodes)
        self.cluster = Cluster(args, self.replication)
        self.datasets = {}   # name -> {"csv", "rows", "acked", "trial"}
        self.reference = {}  # name -> bytes printed by `p2plake sql`
        self.violations = []
        self.counts = {"kills": 0, "uploads": 0, "acked": 0, "killed": 0, "failed": 0,
                       "unacked_visible": 0,
                       "queries_ok": 0, "queries_failed": 0}
        self.repair_times = []
        self.lock = threading.Lock()

    def violation(self, trial, text):
        with self.lock:
            self.violations.append(f"trial {trial}: {text}")
        print(f"  VIOLATION: {text}", flush=True)

    def p2plake(self, *cmd, timeout=300):
        return subprocess.run([self.args.binary, *cmd], capture_output=True, timeout=timeout)

    def expected(self, name):
        if name not in self.reference:
            d = self.datasets[name]
            r = self.p2plake("sql", "--table", f"{name}={d['csv']}", "--format", "csv", select_all(name))
            if r.returncode != 0:
                sys.exit(f"p2plake sql failed on {d['csv']}: {r.stderr.decode()}")
            self.reference[name] = r.stdout
        return self.reference[name]

    def upload(self, trial, name, node, delay, results):
        time.sleep(delay)
        began = time.monotonic()
        r = self.p2plake("upload", "--node", self.cluster.url(node), "--name", name, "--json",
                         "--timeout", "300", self.datasets[name]["csv"])
        results[name] = {"ok": r.returncode == 0, "node": node, "began": began,
                         "took": time.monotonic() - began,
                         "log": r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")}

    def query_load(self, rng, stop, trial):
        """COUNT(*) over the data sets uploaded so far or under way, through random nodes: an
        answer may fail (a node is down, an upload not yet committed), but one that comes must
        count every row."""
        names = sorted(self.datasets)
        while not stop.is_set():
            if names:
                name = rng.choice(names)
                node = rng.randrange(self.cluster.n)
                try:
                    answer = api(self.cluster.url(node), "/api/query", {"sql": f"SELECT COUNT(*) AS n FROM {name}"})
                except (OSError, ValueError):
                    answer = {}
                if answer.get("success") and answer.get("data"):
                    self.counts["queries_ok"] += 1
                    n = answer["data"][0].get("n")
                    if n != self.datasets[name]["rows"]:
                        self.violation(trial, f"node {node + 1} answered COUNT(*) of {name} = {n}, "
                                              f"expected {self.datasets[name]['rows']}")
                else:
                    self.counts["queries_failed"] += 1
            stop.wait(0.1)

    def listings(self):
        """name -> (rowCount, datasetId), per node (None for a node that does not answer)."""
        out = []
        for i in range(self.cluster.n):
            try:
                answer = api(self.cluster.url(i), "/api/datasets")
                out.append({d["name"]: (d["rowCount"], d["datasetId"]) for d in answer.get("datasets", [])})
            except (OSError, ValueError):
                out.append(None)
        return out

    def check_listings(self, trial):
        """Waits (30 s at most) until every node lists the same data sets, all acked ones
        included; then checks (a) and (b) on the listings. Returns the names listed."""
        deadline = time.monotonic() + 30
        while True:
            lists = self.listings()
            acked = {n for n, d in self.datasets.items() if d["acked"]}
            names = set().union(*[set(l) for l in lists if l is not None])
            agreed = all(l is not None and set(l) == names for l in lists)
            if (agreed and acked <= names) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        for i, listing in enumerate(lists):
            if listing is None:
                self.violation(trial, f"node {i + 1} does not answer GET /api/datasets")
                continue
            for name in sorted(acked - set(listing)):
                self.violation(trial, f"node {i + 1} does not list {name}, whose upload was acknowledged")
            for name in sorted(names - set(listing) - acked):
                self.violation(trial, f"node {i + 1} does not list {name}, which other nodes list")
            for name, (rows, dataset_id) in sorted(listing.items()):
                ids = {l[name][1] for l in lists if l is not None and name in l}
                if len(ids) > 1:
                    self.violation(trial, f"the nodes list {name} as different data sets: {sorted(ids)}")
                if name not in self.datasets:
                    self.violation(trial, f"node {i + 1} lists {name}, which nobody uploaded")
                elif rows != self.datasets[name]["rows"]:
                    self.violation(trial, f"node {i + 1} lists {name} with {rows} rows, its file has "
                                          f"{self.datasets[name]['rows']}")
        return sorted(n for n in names if n in self.datasets)

    def check_repair(self, trial, names, started):
        """(c): every chunk of every data set in `names` has R holders within --repair-timeout
        seconds of `started` (the restart); returns the seconds it took."""
        pending = list(names)
        node = trial % self.cluster.n
        while pending:
            short = []
            for name in pending:
                try:
                    detail = api(self.cluster.url(node), f"/api/datasets/{name}")
                except (OSError, ValueError):
                    detail = {}
                chunks = detail.get("chunks")
                if chunks is None or any(len(set(c["holders"])) < self.replication for c in chunks):
                    short.append((name, chunks))
            pending = [name for name, _ in short]
            if not pending:
                break
            if time.monotonic() - started > self.args.repair_timeout:
                for name, chunks in short:
                    few = [c for c in chunks or [] if len(set(c["holders"])) < self.replication]
                    detail = f"{len(few)} of {len(chunks)} chunks" if chunks else "no chunk list"
                    low = min((len(set(c["holders"])) for c in few), default="?")
                    self.violation(trial, f"{name}: {detail} below {self.replication} holders after "
                                          f"{self.args.repair_timeout:.0f} s (fewest {low})")
                break
            time.sleep(1)
        return time.monotonic() - started

    def check_query(self, trial, name, node):
        r = self.p2plake("query", "--node", self.cluster.url(node), "--format", "csv", select_all(name))
        if r.returncode != 0:
            self.violation(trial, f"node {node + 1} cannot query {name}: {r.stderr.decode().strip()[:300]}")
        elif r.stdout != self.expected(name):
            out = os.path.join(self.args.work, f"mismatch-{name}-node{node + 1}.csv")
            with open(out, "wb") as f:
                f.write(r.stdout)
            self.violation(trial, f"node {node + 1}: {name} differs from `p2plake sql` on its file (see {out})")

    def trial(self, t):
        rng = random.Random(f"{self.args.seed}/{t}")
        c = self.cluster
        started = time.monotonic()
        # A node dies first: the others start repairing its chunks while the uploads run.
        first = rng.randrange(c.n)
        c.kill(first)
        self.counts["kills"] += 1
        time.sleep(rng.uniform(0.5, 3.0))
        live = [i for i in range(c.n) if i != first]
        # Several files of different sizes, now and then one an earlier trial uploaded already
        # (under a new name: the same chunks).
        plans = []
        for j in range(rng.randint(2, 4)):
            name = f"t{t:02d}_u{j}"
            # Now and then a file uploaded before, or being uploaded through another node, under a
            # new name: the same chunks, which the nodes share.
            earlier = [d for d in self.datasets.values() if d["trial"] <= t]
            if earlier and rng.random() < 0.3:
                source = rng.choice(earlier)
                csv, rows = source["csv"], source["rows"]
            else:
                rows = rng.choice([1, 40, 700, 3000, self.args.max_rows // 2, self.args.max_rows])
                csv = os.path.join(self.args.work, "csv", f"{name}.csv")
                write_csv(csv, rng, rows)
            self.datasets[name] = {"csv": csv, "rows": rows, "acked": False, "trial": t}
            plans.append((name, rng.choice(live), rng.uniform(0, 1.0)))
        kill_at = rng.uniform(0.05, 1.5)  # uploads take ~0.1-2 s each
        victims = rng.sample(live, rng.choice([1, 1, 2]))
        restart_after = rng.uniform(0.2, 2.0)
        # Now and then a restarted victim dies again while it recovers, and restarts once more.
        again = [(v, rng.uniform(0.0, 1.0)) for v in victims if rng.random() < 0.3]

        results, threads = {}, []
        stop = threading.Event()
        load = threading.Thread(target=self.query_load, args=(random.Random(f"{self.args.seed}/{t}/q"), stop, t))
        load.start()
        for name, node, delay in plans:
            th = threading.Thread(target=self.upload, args=(t, name, node, delay, results))
            th.start()
            threads.append(th)
        time.sleep(kill_at)
        killed_at = time.monotonic()
        in_flight = [name for name, _, _ in plans if name not in results]
        for v in victims:
            c.kill(v)
        self.counts["kills"] += len(victims)
        time.sleep(restart_after)
        for i in [first] + victims:
            c.restart(i)
        for v, after in again:
            time.sleep(after)
            c.kill(v)
            self.counts["kills"] += 1
            c.restart(v)
        restarted = time.monotonic()
        for th in threads:
            th.join()
        stop.set()
        load.join()
        for name, r in results.items():
            self.counts["uploads"] += 1
            if r["ok"]:
                self.datasets[name]["acked"] = True
                self.counts["acked"] += 1
            elif r["node"] in victims and r["began"] < killed_at:
                self.counts["killed"] += 1
            else:
                self.counts["failed"] += 1
        try:
            wait_peers([c.url(i) for i in range(c.n)], 60)
        except SystemExit as e:
            self.violation(t, f"the restarted cluster did not reconnect: {e}")
        listed = self.check_listings(t)
        for name, _, _ in plans:
            if not self.datasets[name]["acked"] and name in listed:
                self.counts["unacked_visible"] += 1
        repair_s = self.check_repair(t, listed, restarted)
        self.repair_times.append(repair_s)
        for name in listed:
            if self.datasets[name]["trial"] == t:
                for node in range(c.n):
                    self.check_query(t, name, node)
            else:
                self.check_query(t, name, t % c.n)
        acked = [f"{n}@{results[n]['took']:.1f}s" for n, _, _ in plans if self.datasets[n]["acked"]]
        failed = [f"{n}@node{results[n]['node'] + 1}" for n, _, _ in plans if not self.datasets[n]["acked"]]
        print(f"trial {t:2d}: killed node {first + 1}, then {','.join(str(v + 1) for v in victims)} at "
              f"{kill_at:.2f} s{' (again: ' + ','.join(str(v + 1) for v, _ in again) + ')' if again else ''}"
              f" ({len(in_flight)} upload(s) in flight); acked {acked}, failed "
              f"{len(failed)} {failed if failed else ''}; {len(listed)} data sets at R holders in "
              f"{repair_s:.1f} s; trial {time.monotonic() - started:.0f} s; violations so far "
              f"{len(self.violations)}", flush=True)
        for name in failed:
            name = name.split("@")[0]
            with open(os.path.join(self.args.work, f"upload-{name}.log"), "w") as f:
                f.write(results[name]["log"])

    def run(self):
        began = time.monotonic()
        try:
            self.cluster.start_all()
            for t in range(1, self.args.trials + 1):
                self.trial(t)
            # Every data set, from every node, once more after all the crashes.
            final = self.check_listings("final")
            for name in final:
                for node in range(self.cluster.n):
                    self.check_query("final", name, node)
        finally:
            self.cluster.stop()
        k = self.counts
        print(f"summary: {self.args.trials} trials on {self.cluster.n} nodes (R = {self.replication}), "
              f"seed {self.args.seed}: {k['kills']} kills; {k['uploads']} uploads, {k['acked']} "
              f"acknowledged, {k['killed']} killed mid-way, {k['failed']} refused or failed (of the "
              f"unacknowledged, {k['unacked_visible']} visible: committed before the crash); queries during the crashes {k['queries_ok']} "
              f"answered, {k['queries_failed']} failed; repair to R holders max "
              f"{max(self.repair_times, default=0):.1f} s; violations {len(self.violations)}; "
              f"{time.monotonic() - began:.0f} s", flush=True)
        for v in self.violations:
            print("  " + v)
        return 1 if self.violations else 0


def main():
    args = parse_args()
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"crash-trials: {args.binary} is missing; build the p2plake target first")
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(os.path.join(args.work, "csv"))
    sys.exit(Run(args).run())


if __name__ == "__main__":
    main()
