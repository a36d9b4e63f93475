#!/usr/bin/env python3
"""Fills in the expected answers of the sqllogictest corpus (tests/sql/**/*.test) from SQLite.

Usage (from anywhere; stdlib only, written against SQLite 3.40):
    python3 tests/sql/generate_expected.py            # every .test file under tests/sql
    python3 tests/sql/generate_expected.py FILE...    # just these files

Each file is rewritten in place; running the script twice changes nothing.

Template syntax (a superset of what tests/sql/sqllogictest_test.cc reads):

    load <table> <csv path relative to the repo root>
        Imported into a fresh in-memory SQLite database per file. Column types are inferred
        exactly as store/type_inference.cc does (BIGINT < DOUBLE, DATE < TIMESTAMP, BOOLEAN,
        otherwise VARCHAR; empty fields are NULL and do not vote) and declared with those names.
        BOOLEAN values are stored as 1/0, DATE as 'YYYY-MM-DD', TIMESTAMP as
        'YYYY-MM-DD HH:MM:SS[.ffffff]' (space, not 'T'), so ISO string comparisons behave as
        PostgreSQL's comparisons of a date/timestamp column with a string literal.

    query <letters> [nosort|rowsort]
    -- sqlite: <SQLite-dialect equivalent>      (optional; several lines are joined)
    <SQL for our engine, one or more lines>
    ----
    <expected rows: replaced by this script>

        One letter per column: I integer, R real, T text (also dates/timestamps), B boolean.
        The SQLite query is the "-- sqlite:" text if present, else the SQL itself. Use
        "-- sqlite:" only where the dialects differ (ILIKE, CAST to DATE/BOOLEAN, PostgreSQL's
        default NULL ordering, ...). LIKE is case-sensitive here (PRAGMA case_sensitive_like),
        as in PostgreSQL. The rows are written with our conventions: values separated by a TAB,
        NULL as NULL, B columns true/false, timestamps with a space, R values in Python's repr
        with an integral value printed without ".0", an empty string as (empty). For rowsort
        records the rows are written sorted.

    A query record directly preceded by a line starting "# hand-checked" is left alone (SHOW
    TABLES and DESCRIBE, which SQLite cannot answer). "statement" records are left alone too:
    their expected error substrings are written by hand.

Guards (the script stops with an error naming file:line): a value holding a TAB or newline, a
SQLite value whose type does not fit its letter, a wrong number of letters, an answer that
changes when every table's rows are loaded in reverse order (ties in ORDER BY, LIMIT without a
total order: add keys, or use rowsort), and a ROUND whose
result would differ if ties were rounded half away from zero in decimal (PostgreSQL's numeric
rounding, which our engine follows) instead of SQLite's way: change such a query.
"""
import csv
import datetime
import math
import os
import re
import sqlite3
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "sql")

INT_RE = re.compile(r"^[+-]?[0-9]+$")
DOUBLE_RE = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
DATE_RE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
TS_RE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T]([0-9]{2}):([0-9]{2}):([0-9]{2})"
                   r"(?:\.([0-9]{1,6}))?)?$")
ISO_T_RE = re.compile(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d(\.\d+)?)$")

K_INT, K_FLOAT, K_BOOL, K_DATE, K_TS, K_ANY = 1, 2, 4, 8, 16, 31


class TemplateError(Exception):
    pass


def parse_bigint(s):
    if not INT_RE.match(s):
        return None
    v = int(s)
    return v if -2**63 <= v < 2**63 else None


def parse_double(s):
    if not DOUBLE_RE.match(s):
        return None
    v = float(s)
    return v if math.isfinite(v) else None


def valid_date(y, m, d):
    if not 1 <= y <= 9999:
        return False
    try:
        datetime.date(y, m, d)
        return True
    except ValueError:
        return False


def parse_date(s):
    m = DATE_RE.match(s)
    if not m or not valid_date(int(m[1]), int(m[2]), int(m[3])):
        return None
    return s


def parse_timestamp(s):
    """Canonical text 'YYYY-MM-DD HH:MM:SS[.ffffff trimmed]' (FormatTimestamp), or None."""
    m = TS_RE.match(s)
    if not m or not valid_date(int(m[1]), int(m[2]), int(m[3])):
        return None
    hh, mi, ss = (int(m[4]), int(m[5]), int(m[6])) if m[4] else (0, 0, 0)
    if hh > 23 or mi > 59 or ss > 59:
        return None
    out = "%s-%s-%s %02d:%02d:%02d" % (m[1], m[2], m[3], hh, mi, ss)
    micros = int((m[7] or "").ljust(6, "0") or "0")
    if micros:
        out += ("." + "%06d" % micros).rstrip("0")
    return out


class TypeInferrer:
    """store/type_inference.cc, line for line."""

    def __init__(self):
        self.candidates = K_ANY
        self.seen = False

    def observe(self, field):
        if field == "" or self.candidates == 0:
            return
        self.seen = True
        fits = 0
        if self.candidates & (K_INT | K_FLOAT):
            if (self.candidates & K_INT) and parse_bigint(field) is not None:
                fits |= K_INT | K_FLOAT
            elif parse_double(field) is not None:
                fits |= K_FLOAT
        if self.candidates & K_BOOL:
            if field.lower() in ("true", "false"):
                fits |= K_BOOL
        if self.candidates & (K_DATE | K_TS):
            if parse_date(field) is not None:
                fits |= K_DATE | K_TS
            elif (self.candidates & K_TS) and parse_timestamp(field) is not None:
                fits |= K_TS
        self.candidates &= fits

    def result(self):
        if not self.seen:
            return "VARCHAR"
        for bit, name in ((K_INT, "BIGINT"), (K_FLOAT, "DOUBLE"), (K_BOOL, "BOOLEAN"),
                          (K_DATE, "DATE"), (K_TS, "TIMESTAMP")):
            if self.candidates & bit:
                return name
        return "VARCHAR"


def convert(field, type_name):
    if field == "":
        return None
    if type_name == "BIGINT":
        return int(field)
    if type_name == "DOUBLE":
        return float(field)
    if type_name == "BOOLEAN":
        return 1 if field.lower() == "true" else 0
    if type_name == "TIMESTAMP":
        return parse_timestamp(field)
    return field  # VARCHAR, DATE


def load_csv(dbs, table, rel_path):
    with open(os.path.join(ROOT, rel_path), newline="", encoding="utf-8-sig") as f:
        rows = [r for r in csv.reader(f) if r]  # the importer skips blank lines too
    header, body = rows[0], rows[1:]
    inferrers = [TypeInferrer() for _ in header]
    for r in body:
        for inferrer, field in zip(inferrers, r):
            inferrer.observe(field)
    types = [i.result() for i in inferrers]
    columns = ", ".join('"%s" %s' % (name, t) for name, t in zip(header, types))
    values = [[convert(f, t) for f, t in zip(r, types)] for r in body]
    for db, order in zip(dbs, (values, values[::-1])):
        db.execute('CREATE TABLE "%s" (%s)' % (table, columns))
        db.executemany('INSERT INTO "%s" VALUES (%s)' % (table, ", ".join("?" * len(header))),
                       order)


def format_real(v):
    v = float(v)
    if v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    return repr(v)


def format_value(v, letter, where):
    if v is None:
        return "NULL"
    if letter == "B":
        if isinstance(v, int) and v in (0, 1):
            return "true" if v else "false"
        raise TemplateError("%s: B column got %r" % (where, v))
    if letter == "I":
        if isinstance(v, int):
            return str(v)
        raise TemplateError("%s: I column got %r" % (where, v))
    if letter == "R":
        if isinstance(v, (int, float)):
            return format_real(v)
        raise TemplateError("%s: R column got %r" % (where, v))
    if letter == "T":
        if not isinstance(v, str):
            raise TemplateError("%s: T column got %r" % (where, v))
        if "\t" in v or "\n" in v or "\r" in v:
            raise TemplateError("%s: value %r holds a TAB or newline" % (where, v))
        if v == "":
            return "(empty)"
        m = ISO_T_RE.match(v)
        return m[1] + " " + m[2] if m else v
    raise TemplateError("%s: unknown type letter %r" % (where, letter))


def decimal_round(x, n=0):
    """ROUND as PostgreSQL's numeric does it: half away from zero on the decimal text."""
    if x is None or n is None:
        return None
    from decimal import Decimal, ROUND_HALF_UP
    d = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-int(n)), rounding=ROUND_HALF_UP)
    return float(d)


def sort_key(row):
    # Floats rounded so that last-bit differences in sums do not reorder rows.
    return [(v is None, "%.9g" % v if isinstance(v, float) else repr(v)) for v in row]


def same_rows(a, b):
    """Row lists equal, floats within a relative 1e-9 (sums depend on the order of addition)."""
    if len(a) != len(b):
        return False
    for ra, rb in zip(a, b):
        for x, y in zip(ra, rb):
            if isinstance(x, float) or isinstance(y, float):
                if x is None or y is None or not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9):
                    return False
            elif x != y:
                return False
    return True


def run_query(dbs, sql, letters, rowsort, where):
    db = dbs[0]
    try:
        cursor = db.execute(sql)
        rows, desc = cursor.fetchall(), cursor.description
        reversed_rows = dbs[1].execute(sql).fetchall()
    except sqlite3.Error as e:
        raise TemplateError("%s: SQLite error: %s\n%s" % (where, e, sql))
    if rowsort:
        rows_a, rows_b = sorted(rows, key=sort_key), sorted(reversed_rows, key=sort_key)
    else:
        rows_a, rows_b = rows, reversed_rows
    if not same_rows(rows_a, rows_b):
        raise TemplateError("%s: the answer depends on the order rows were loaded in (ties in "
                            "ORDER BY, or LIMIT without a total order); add keys or use "
                            "rowsort\n%s" % (where, sql))
    if len(desc) != len(letters):
        raise TemplateError("%s: %d letters for %d columns" % (where, len(letters), len(desc)))
    if re.search(r"\bround\s*\(", sql, re.I):
        guarded = re.sub(r"\bround\s*\(", "lake_round(", sql, flags=re.I)
        if not same_rows(db.execute(guarded).fetchall(), rows):
            raise TemplateError("%s: ROUND hits a tie that SQLite rounds differently from "
                                "PostgreSQL; change the query\n%s" % (where, sql))
    return ["\t".join(format_value(v, l, where) for v, l in zip(r, letters)) for r in rows]


def process(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    rel = os.path.relpath(path, ROOT)
    # The second database holds every table's rows in reverse order, to catch answers that
    # depend on ties (see run_query).
    dbs = [sqlite3.connect(":memory:"), sqlite3.connect(":memory:")]
    for db in dbs:
        db.execute("PRAGMA case_sensitive_like = ON")
        db.create_function("lake_round", -1, decimal_round, deterministic=True)
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line == "" or line.startswith("#"):
            out.append(line)
            i += 1
            continue
        words = line.split()
        where = "%s:%d" % (rel, i + 1)
        if words[0] == "load":
            if len(words) != 3:
                raise TemplateError(where + ": load takes a table and a path")
            load_csv(dbs, words[1], words[2])
            out.append(line)
            i += 1
            continue
        if words[0] != "query":
            while i < len(lines) and lines[i] != "":  # statement records: keep as written
                out.append(lines[i])
                i += 1
            continue
        hand_checked = i > 0 and lines[i - 1].startswith("# hand-checked")
        if len(words) not in (2, 3) or (len(words) == 3 and words[2] not in ("nosort", "rowsort")):
            raise TemplateError(where + ": expected 'query <letters> [nosort|rowsort]'")
        letters, rowsort = words[1], len(words) == 3 and words[2] == "rowsort"
        header_at = i
        i += 1
        sqlite_alt, sql = [], []
        while i < len(lines) and lines[i] != "" and lines[i] != "----":
            if lines[i].startswith("-- sqlite:"):
                sqlite_alt.append(lines[i][len("-- sqlite:"):].strip())
            else:
                sql.append(lines[i])
            i += 1
        old_rows = []
        if i < len(lines) and lines[i] == "----":
            i += 1
            while i < len(lines) and lines[i] != "":
                old_rows.append(lines[i])
                i += 1
        if not sql:
            raise TemplateError(where + ": query without SQL")
        out.extend(lines[header_at:header_at + 1 + len(sqlite_alt) + len(sql)])
        out.append("----")
        if hand_checked:
            out.extend(old_rows)
            continue
        query = " ".join(sqlite_alt) if sqlite_alt else "\n".join(sql)
        rows = run_query(dbs, query, letters, rowsort, where)
        if rowsort:
            rows.sort()
        out.extend(rows)
    text = "\n".join(out) + "\n"
    if open(path, encoding="utf-8").read() != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return True
    return False


def main(argv):
    if sqlite3.sqlite_version_info[:2] != (3, 40):
        print("note: written against SQLite 3.40, running %s" % sqlite3.sqlite_version,
              file=sys.stderr)
    paths = argv[1:]
    if not paths:
        for dirpath, _, files in os.walk(CORPUS):
            paths += [os.path.join(dirpath, f) for f in files if f.endswith(".test")]
    changed = 0
    for p in sorted(paths):
        try:
            changed += process(p)
        except TemplateError as e:
            print("error: %s" % e, file=sys.stderr)
            return 1
    print("%d file(s), %d rewritten" % (len(paths), changed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
