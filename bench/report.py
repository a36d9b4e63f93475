#!/usr/bin/env python3
"""Canonical answers, their comparison with DuckDB's, and the table of times of a SQL benchmark run.

usage: report.py OUT_DIR DATA_DIR [TABLE...]

Every OUT_DIR/<engine>/ with a times.tsv ("qid<TAB>run<TAB>ms") is an engine; engine.txt
labels it, and an optional errors.tsv ("qid<TAB>error") holds the queries it refused. Its answers OUT_DIR/<engine>/raw/<qid>.csv (CSV with a header row, as the engine
wrote it) are rewritten in canonical form to OUT_DIR/<engine>/<qid>.csv, and an engine agrees
with DuckDB on a query when the two canonical files are byte-identical. Prints (and writes to
OUT_DIR/report.md) the median time per query and engine, each engine's ratio to DuckDB, the
ratio to SQLite's when SQLite ran, the load times from OUT_DIR/phases.tsv ("load:<engine>"
lines) of the TABLEs' CSV files (all of DATA_DIR/manifest.tsv's without TABLEs) and
OUT_DIR/disk.tsv ("engine<TAB>bytes" of its store). Engines named *_first (first runs in fresh
processes) are also compared with duckdb_first, and p2plake_first with p2plake's warm runs.
Refused queries are listed with their errors. Exits 1 when an answer differs from DuckDB's, is
missing or was refused.

The canonical form depends on the text of each cell only, so any engine's CSV can be put in it:
  * comma separated, "\\n" line ends, a cell quoted (quotes doubled) only if it holds , " \\r \\n;
  * header = the column names in lower case; a result without rows is an empty file (the
    sqlite3 CLI prints no header then); rows stay in the engine's order (ORDER BY fixes it);
  * NULL and the empty string are both an empty cell;
  * a number ([+-]digits[.digits][e[+-]digits]) that is integral is written as a plain integer
    (12.0 -> 12, 1.2e3 -> 1200, -0 -> 0); any other is rounded to 15 significant digits (drops
    binary noise such as 733.7099999999999), kept so if it has at most 4 decimals (what ROUND
    gives), else rounded to 6 significant digits; plain notation, no trailing zeros;
  * an ISO-8601 timestamp gets a space between date and time (TIMESTAMP types print one);
  * any other text is kept verbatim.
"""
import csv
import io
import os
import re
import statistics
import sys
from decimal import Context, Decimal, ROUND_HALF_EVEN

REFERENCE = "duckdb"
FIRST = ["duckdb", "duckdb_t1", "sqlite", "p2plake", "p2plake_t1",
         "duckdb_first", "sqlite_first", "p2plake_first"]  # then the other engines in name order
FIRST_RUN_SUFFIX = "_first"  # first runs in fresh processes, compared with DuckDB's first runs
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(\.\d+)?)")
DIGITS_15 = Context(prec=15, rounding=ROUND_HALF_EVEN)
DIGITS_6 = Context(prec=6, rounding=ROUND_HALF_EVEN)


def canonical_cell(text):
    stamp = TIMESTAMP.fullmatch(text)
    if stamp:
        return f"{stamp.group(1)} {stamp.group(2)}"
    if not NUMBER.fullmatch(text):
        return text
    value = Decimal(text)
    if value == value.to_integral_value():
        return str(int(value))
    value = DIGITS_15.plus(value).normalize()
    if value.as_tuple().exponent < -4:
        value = DIGITS_6.plus(value).normalize()
    return format(value, "f")


def canonical_line(cells):
    return ",".join('"' + c.replace('"', '""') + '"' if any(ch in c for ch in ',"\r\n') else c
                    for c in cells) + "\n"


def canonicalise(raw_path, path):
    """Writes the canonical form of raw_path to path; returns its number of rows."""
    with open(raw_path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    with open(path, "w", newline="", encoding="utf-8") as f:
        if len(rows) > 1:
            f.write(canonical_line([c.strip().lower() for c in rows[0]]))
            f.writelines(canonical_line([canonical_cell(c) for c in row]) for row in rows[1:])
    return max(0, len(rows) - 1)


def tsv(path):
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip() and line[0] != "#"]


def read_engine(folder):
    """(label, {qid: median ms}, {qid: canonical bytes or None}); qids in the order run."""
    label_path = os.path.join(folder, "engine.txt")
    label = open(label_path).read().strip() if os.path.exists(label_path) else os.path.basename(folder)
    times = {}
    for qid, _run, ms, *_ in tsv(os.path.join(folder, "times.tsv")):
        times.setdefault(qid, []).append(float(ms))
    answers = {}
    raw = os.path.join(folder, "raw")
    for qid in times:
        src = os.path.join(raw, qid + ".csv")
        try:
            canonicalise(src, os.path.join(folder, qid + ".csv"))
            answers[qid] = open(os.path.join(folder, qid + ".csv"), "rb").read()
        except (OSError, ValueError, csv.Error) as e:
            print(f"report: {src}: {e}", file=sys.stderr)
            answers[qid] = None
    return label, {q: statistics.median(v) for q, v in times.items()}, answers


def read_errors(folder):
    """{qid: error} of the queries the engine in folder refused (its errors.tsv, if any)."""
    path = os.path.join(folder, "errors.tsv")
    return {row[0]: "\t".join(row[1:]) for row in tsv(path)} if os.path.exists(path) else {}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, data, loaded = sys.argv[1], sys.argv[2], sys.argv[3:]
    found = sorted(e for e in os.listdir(out) if os.path.isfile(os.path.join(out, e, "times.tsv")))
    engines = [e for e in FIRST if e in found] + [e for e in found if e not in FIRST]
    if REFERENCE not in engines:
        sys.exit(f"report: no {REFERENCE} results in {out}")
    label, median, answer, refused = {}, {}, {}, {}
    for e in engines:
        label[e], median[e], answer[e] = read_engine(os.path.join(out, e))
        refused[e] = read_errors(os.path.join(out, e))
    qids = list(median[REFERENCE])
    for e in engines:
        qids += [q for q in median[e] if q not in qids]

    lines = ["Engines: " + "; ".join(f"{e} = {label[e]}" for e in engines), "",
             "Median time per query, ms; `answers`: the engines whose canonical answer differs "
             "from DuckDB's, and those that refused the query.", "",
             "| query | " + " | ".join(engines) + " | rows | answers |",
             "|---|" + "---:|" * (len(engines) + 1) + "---|"]
    differ = refusals = 0
    total = dict.fromkeys(engines, 0.0)
    for q in qids:
        ref = answer[REFERENCE].get(q)
        # Records, not lines: a quoted cell may hold line breaks.
        rows = "-" if ref is None else max(0, len(list(csv.reader(io.StringIO(ref.decode())))) - 1)
        bad = [e for e in engines if ref is None or answer[e].get(q) != ref]
        refusers = [e for e in bad if q in refused[e]]
        bad = [e for e in bad if e not in refusers]
        differ += bool(bad)
        refusals += bool(refusers)
        cells = []
        for e in engines:
            ms = median[e].get(q)
            total[e] += ms or 0
            cells.append("-" if ms is None else f"{ms:.1f}")
        verdict = ["DIFFER: " + ", ".join(bad)] if bad else []
        verdict += ["refused: " + ", ".join(refusers)] if refusers else []
        lines.append(f"| {q} | " + " | ".join(cells) + f" | {rows} | "
                     + ("; ".join(verdict) or "same") + " |")
    # An engine that answered only some of the queries has no total.
    for e in engines:
        if any(q not in median[e] for q in qids):
            total[e] = None
    lines.append("| **total** | " + " | ".join("-" if total[e] is None else f"**{total[e]:.0f}**"
                                              for e in engines) + " | | |")
    errors = [f"* {e} refused {q}: {error}" for e in engines for q, error in refused[e].items()]
    lines += [""] + errors if errors else []

    def ratio_table(title, pairs):
        """pairs: [(column name, engine, reference engine)]; one row per query and the total."""
        table = ["", title, "", "| query | " + " | ".join(p[0] for p in pairs) + " |",
                 "|---|" + "---:|" * len(pairs)]
        for q in qids + ["total"]:
            cells = []
            for _, e, ref in pairs:
                ms = total[e] if q == "total" else median[e].get(q)
                ref_ms = total[ref] if q == "total" else median[ref].get(q)
                cells.append(f"{ms / ref_ms:.2f}" if ms is not None and ref_ms else "-")
            table.append(f"| {q} | " + " | ".join(cells) + " |")
        return table

    first_runs = [e for e in engines if e.endswith(FIRST_RUN_SUFFIX)]
    warm = [e for e in engines if e != REFERENCE and e not in first_runs]
    lines += ratio_table("Time relative to DuckDB's (engine / duckdb; < 1 is faster):",
                         [(e, e, REFERENCE) for e in warm])
    if "sqlite" in engines:
        lines += ratio_table("Time relative to SQLite's (engine / sqlite; < 1 is faster):",
                             [(e, e, "sqlite") for e in [REFERENCE] + warm if e != "sqlite"])
    first_ref = REFERENCE + FIRST_RUN_SUFFIX
    if first_ref in engines:
        pairs = [(e, e, first_ref) for e in first_runs if e != first_ref]
        if "p2plake_first" in engines and "p2plake" in engines:
            pairs.append(("p2plake first / warm", "p2plake_first", "p2plake"))
        lines += ratio_table("First runs relative to DuckDB's first runs (< 1 is faster), and "
                             "p2plake's first run relative to its warm run:", pairs)

    manifest = [r for r in tsv(os.path.join(data, "manifest.tsv"))
                if not loaded or r[0][:-len(".csv")] in loaded]
    rows = sum(int(r[1]) for r in manifest)
    mb = sum(int(r[2]) for r in manifest) / 1e6
    phases = tsv(os.path.join(out, "phases.tsv"))
    lines += ["", f"Load of {len(manifest)} CSV files, {mb:.1f} MB, {rows:,} rows (wall time of "
              "the loader process; MB = 10^6 bytes):", "",
              "| engine | load s | MB/s | rows/s | bytes on disk |", "|---|---:|---:|---:|---:|"]
    disk_path = os.path.join(out, "disk.tsv")
    disk = {name: int(size) for name, size in tsv(disk_path)} if os.path.exists(disk_path) else {}
    for name, wall, _ in phases:
        if name.startswith("load:"):
            s = float(wall)
            size = disk.get(name[5:])
            lines.append(f"| {name[5:]} | {s:.2f} | {mb / s:.1f} | {rows / s:,.0f} | "
                         + ("-" if size is None else f"{size / 1e6:,.1f} MB") + " |")
    noisy = [f"{n} ({float(o):.1f} CPU-s of {float(w):.0f} s)" for n, w, o in phases
             if float(o) > 0.05 * float(w)]
    lines += ["", f"{len(qids)} queries; answers differ from DuckDB's in {differ}; "
              f"refused by an engine: {refusals}.",
              "Phases during which other processes used the CPUs: " + "; ".join(noisy)
              if noisy else "No other process used a noticeable share of the CPUs in any phase."]
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(text)
    print(text, end="")
    sys.exit(1 if differ or refusals else 0)


if __name__ == "__main__":
    main()
