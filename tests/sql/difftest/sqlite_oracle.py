#!/usr/bin/env python3
"""SQLite's answers for the differential tester (tests/sql/difftest/difftest_test.cc).

Usage: python3 sqlite_oracle.py BATCH.json > ANSWERS.jsonl   (stdlib only)

BATCH.json: {"tables": [{"name": ..., "csv": absolute path}, ...],
             "queries": [{"sql": SQLite-dialect text, "kinds": "IRBT..."}, ...]}
Tables are loaded exactly as tests/sql/generate_expected.py loads the sqllogictest corpus (the
same type inference as store/type_inference.cc, BOOLEAN as 1/0, timestamps in canonical text).

ANSWERS.jsonl: one line per query, in order: {"rows": [[cell, ...], ...]} or {"error": text}.
A cell is null (NULL) or text in the form our engine prints for the column's kind letter:
  I  the integer; a REAL where an integer was due is written "real:<repr>" (so it mismatches)
  R  repr(float(value)): the tester compares numerically ("inf" for infinities)
  B  "true" / "false"
  T  the text (dates and timestamps are stored as their canonical text)

SQLite runs with PRAGMA case_sensitive_like = ON (LIKE is case-sensitive for us and PostgreSQL)
and two functions the generator calls where SQLite's own behaviour differs from ours:
  lake_rint(x)        CAST(double AS BIGINT): rounds half to even (PostgreSQL's rint); SQLite's
                      CAST truncates. Out of range is an error, as for us.
  lake_round(x, n)    ROUND: half away from zero on the decimal digits, as PostgreSQL's numeric
                      and our engine round; SQLite's ROUND differs on some ties.
"""
import decimal
import json
import math
import os
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import generate_expected  # noqa: E402  (the corpus loader and ROUND rule, shared)


def lake_rint(x):
    if x is None:
        return None
    if isinstance(x, int):
        return x
    if not math.isfinite(x) or not -2.0**63 <= round(x) < 2.0**63:
        raise ValueError("bigint out of range")
    return int(round(x))  # Python rounds floats half to even


def lake_round(x, n):
    # Enough digits for any double: PostgreSQL's numeric rounds 1.8e308 to 2 places exactly.
    with decimal.localcontext() as context:
        context.prec = 800
        context.Emax = 1000
        context.Emin = -1000
        return generate_expected.decimal_round(x, n)


def cell(value, kind):
    if value is None:
        return None
    if kind == "I":
        return str(value) if isinstance(value, int) else "real:" + repr(value)
    if kind == "R":
        return repr(float(value))
    if kind == "B":
        return {0: "false", 1: "true"}.get(value, "bad:" + repr(value))
    return value if isinstance(value, str) else "nontext:" + repr(value)


def main(argv):
    with open(argv[1], encoding="utf-8") as f:
        batch = json.load(f)
    db = sqlite3.connect(":memory:")
    db.execute("PRAGMA case_sensitive_like = ON")
    db.create_function("lake_rint", 1, lake_rint, deterministic=True)
    db.create_function("lake_round", 2, lake_round, deterministic=True)
    for table in batch["tables"]:
        generate_expected.load_csv([db], table["name"], table["csv"])
    out = sys.stdout
    for query in batch["queries"]:
        kinds = query["kinds"]
        try:
            rows = db.execute(query["sql"]).fetchall()
            answer = {"rows": [[cell(v, k) for v, k in zip(row, kinds)] for row in rows]}
        except (sqlite3.Error, ValueError, OverflowError) as e:
            answer = {"error": str(e)}
        out.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
