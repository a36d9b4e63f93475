#include "tests/sql/difftest/query_generator.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lake::difftest {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Integer arithmetic is built only while |result| stays below 2^62.
constexpr double kIntLimit = 4611686018427387904.0;
// An integer above 2^53 may equal a double it differs from: we compare BIGINT with DOUBLE as
// PostgreSQL does (the integer converted), SQLite compares them exactly. Mixed comparisons
// keep the integer side below 2^53.
constexpr double kExactInDouble = 9007199254740992.0;
// A BIGINT whose bound reaches 2^63 may be INT64_MIN: negating it or dividing it by -1
// overflows (an error for us, a REAL for SQLite).
constexpr double kWide = 9223372036854775808.0;
// Doubles summed, averaged, rounded or cast to BIGINT stay below this, so that sums are
// exact enough to compare and the casts cannot overflow.
constexpr double kRealLimit = 1e15;

template <class T>
const T& Pick(Rng& rng, const std::vector<T>& options) {
  return options[rng.Uniform(options.size())];
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

char Letter(Kind kind) {
  switch (kind) {
    case Kind::kInt:
      return 'I';
    case Kind::kReal:
      return 'R';
    case Kind::kBool:
      return 'B';
    default:
      return 'T';
  }
}

bool IsNumeric(Kind kind) { return kind == Kind::kInt || kind == Kind::kReal; }

// Our spellings of each type in CAST.
std::string TypeName(Rng& rng, Kind kind) {
  switch (kind) {
    case Kind::kInt:
      return Pick(rng, std::vector<std::string>{"BIGINT", "INTEGER", "INT8", "INT"});
    case Kind::kReal:
      return Pick(rng, std::vector<std::string>{"DOUBLE PRECISION", "FLOAT8", "DOUBLE"});
    case Kind::kBool:
      return "BOOLEAN";
    case Kind::kText:
      return Pick(rng, std::vector<std::string>{"VARCHAR", "TEXT"});
    case Kind::kDate:
      return "DATE";
    case Kind::kTimestamp:
      return "TIMESTAMP";
  }
  return "";
}

// Several ways of writing one integer: PostgreSQL's grammar folds the minus signs into the
// constant, SQLite evaluates them.
std::string IntegerSpelling(Rng& rng, int64_t v) {
  if (v == std::numeric_limits<int64_t>::min()) return "-9223372036854775808";
  const std::string digits = std::to_string(v < 0 ? -v : v);
  switch (rng.Uniform(5)) {
    case 0:
      return v < 0 ? "-(" + digits + ")" : "(" + digits + ")";
    case 1:
      return v < 0 ? "- " + digits : "- - " + digits;
    case 2:
      return v < 0 ? "- - ( - " + digits + " )" : "-(-" + digits + ")";
    default:
      return std::to_string(v);
  }
}

}  // namespace

QueryGenerator::Expr QueryGenerator::Typed(Expr e) {
  if (!e.unknown) return e;
  Expr out = e;
  out.unknown = false;
  // SQLite's side stays as it is: NULL, or the text a date or timestamp is stored as (its own
  // CAST(x AS DATE) would make a number).
  out.ours = "CAST(" + e.ours + " AS " + TypeName(rng_, e.kind) + ")";
  return out;
}

QueryGenerator::Expr QueryGenerator::Literal(Kind kind) {
  static const std::vector<int64_t> kInts = {0,   1,          -1,          2,  7,
                                            -19, 62,         1000,        -1000,
                                            2147483647,      -2147483648, 2147483648,
                                            std::numeric_limits<int64_t>::max(),
                                            std::numeric_limits<int64_t>::min()};
  static const std::vector<std::pair<std::string, double>> kReals = {
      {"0.0", 0},     {"-0.0", 0},     {"0.5", 0.5},       {"-(2.25)", 2.25}, {"1e3", 1000},
      {"2.5e-3", 0.0025}, {"- 1.5", 1.5}, {"100.125", 100.125}, {"-(-0.75)", 0.75}};
  static const std::vector<std::string> kTexts = {"",   "a",  "A",  "ab",     "b%c", "x_y",
                                                  "é",  "日本", "anchor", "it's", "zzz",
                                                  " lead", "12", "back\\slash"};
  static const std::vector<std::string> kDates = {"2024-02-29", "1970-01-01", "0001-01-01",
                                                  "9999-12-31", "2000-02-29", "2010-06-15"};
  static const std::vector<std::string> kTimestamps = {
      "2024-02-29 23:59:59", "2000-02-29 12:30:00.5", "1970-01-01 00:00:00",
      "0001-01-01 00:00:00", "9999-12-31 23:59:59.999999", "2010-06-15 08:00:00"};
  Expr e;
  e.kind = kind;
  switch (kind) {
    case Kind::kInt: {
      int64_t v = rng_.Bernoulli(0.5) ? Pick(rng_, kInts)
                                      : static_cast<int64_t>(rng_.Uniform(201)) - 100;
      e.ours = IntegerSpelling(rng_, v);
      e.sqlite = e.ours;
      e.bound = std::fabs(static_cast<double>(v));
      if (v == std::numeric_limits<int64_t>::min()) e.bound = kWide;
      return e;
    }
    case Kind::kReal: {
      const auto& [text, magnitude] = Pick(rng_, kReals);
      e.ours = e.sqlite = "(" + text + ")";
      e.bound = magnitude;
      return e;
    }
    case Kind::kBool:
      e.ours = e.sqlite = rng_.Bernoulli(0.5) ? "TRUE" : "FALSE";
      return e;
    case Kind::kText:
      e.ours = e.sqlite = Quote(Pick(rng_, kTexts));
      e.unknown = true;
      return e;
    case Kind::kDate:
    case Kind::kTimestamp: {
      const std::string value = Pick(rng_, kind == Kind::kDate ? kDates : kTimestamps);
      e.ours = e.sqlite = Quote(value);
      e.unknown = true;  // typed by its context, or by Typed()
      if (rng_.Bernoulli(0.5)) {
        // Typed at once, where the 'T' spelling reads the same: untyped, two literals would
        // compare as text.
        std::string ours = value;
        if (kind == Kind::kTimestamp && rng_.Bernoulli(0.5)) ours[10] = 'T';
        e.ours = (kind == Kind::kDate ? "DATE " : "TIMESTAMP ") + Quote(ours);
        e.unknown = false;
      }
      return e;
    }
  }
  return e;
}

QueryGenerator::Expr QueryGenerator::Column(Kind kind) {
  std::vector<const ColumnSpec*> fits;
  for (const ColumnSpec& c : table_.columns) {
    if (c.kind == kind) fits.push_back(&c);
  }
  const ColumnSpec& c = *Pick(rng_, fits);
  Expr e;
  e.kind = kind;
  e.ours = e.sqlite = c.name;
  e.bound = c.bound;
  return e;
}

QueryGenerator::Expr QueryGenerator::NamedColumn(const std::string& name) {
  for (const ColumnSpec& c : table_.columns) {
    if (c.name != name) continue;
    Expr e;
    e.kind = c.kind;
    e.ours = e.sqlite = c.name;
    e.bound = c.bound;
    return e;
  }
  return Literal(Kind::kInt);
}

QueryGenerator::Expr QueryGenerator::SmallInt() {
  Expr e;
  e.kind = Kind::kInt;
  const int64_t v = static_cast<int64_t>(rng_.Uniform(21)) - 10;
  e.ours = e.sqlite = IntegerSpelling(rng_, v);
  e.bound = 10;
  return e;
}

QueryGenerator::Expr QueryGenerator::Leaf(Kind kind, Scope scope) {
  if (rng_.Bernoulli(0.12)) {
    Expr null;
    null.kind = kind;
    null.ours = null.sqlite = "NULL";
    null.unknown = true;
    return rng_.Bernoulli(0.5) ? null : Typed(null);
  }
  if (scope == Scope::kRow) return rng_.Bernoulli(0.6) ? Column(kind) : Literal(kind);
  std::vector<const Expr*> keys;
  for (const Expr& k : keys_) {
    if (k.kind == kind) keys.push_back(&k);
  }
  const uint64_t r = rng_.Uniform(10);
  if (r < 4 && !keys.empty()) return *Pick(rng_, keys);
  if (r < 8) return Aggregate(kind, 2);
  return Literal(kind);
}

QueryGenerator::Expr QueryGenerator::Aggregate(Kind kind, int depth) {
  const int arg_depth = static_cast<int>(rng_.Uniform(depth + 1));
  const double rows = static_cast<double>(table_.rows.size());
  Expr e;
  e.kind = kind;
  auto call = [&](const std::string& name, const Expr& arg, bool distinct) {
    const std::string d = distinct ? "DISTINCT " : "";
    e.ours = name + "(" + d + arg.ours + ")";
    e.sqlite = name + "(" + d + arg.sqlite + ")";
  };
  const bool distinct = rng_.Bernoulli(0.25);
  if (kind == Kind::kInt) {
    const uint64_t r = rng_.Uniform(4);
    if (r == 0) {
      e.ours = e.sqlite = "COUNT(*)";
      e.bound = rows;
    } else if (r == 1) {
      static const std::vector<Kind> kAll = {Kind::kInt,  Kind::kReal, Kind::kBool,
                                            Kind::kText, Kind::kDate, Kind::kTimestamp};
      call("COUNT", Typed(Gen(Pick(rng_, kAll), arg_depth, Scope::kRow)), distinct);
      e.bound = rows;
    } else if (r == 2) {
      Expr arg = Typed(GenInt(arg_depth, Scope::kRow));
      // SUM over BIGINT: SQLite fails as soon as a partial sum overflows, we (and PostgreSQL)
      // only if the total does. Kept where neither can overflow.
      if (arg.bound * rows > kIntLimit) arg = NamedColumn("i");
      call("SUM", arg, distinct);
      e.bound = arg.bound * rows;
    } else {
      const Expr arg = Typed(GenInt(arg_depth, Scope::kRow));
      call(rng_.Bernoulli(0.5) ? "MIN" : "MAX", arg, false);
      e.bound = arg.bound;
    }
    return e;
  }
  if (kind == Kind::kReal && rng_.Bernoulli(0.6)) {
    Expr arg = Typed(GenNumber(arg_depth, Scope::kRow));
    if (arg.bound > kRealLimit) arg = NamedColumn("d");
    const bool avg = arg.kind == Kind::kInt || rng_.Bernoulli(0.5);
    call(avg ? "AVG" : "SUM", arg, distinct);
    e.bound = avg ? arg.bound : arg.bound * rows;
    e.inexact = true;
    return e;
  }
  const Expr arg = Typed(Gen(kind, arg_depth, Scope::kRow));
  call(rng_.Bernoulli(0.5) ? "MIN" : "MAX", arg, false);
  e.bound = arg.bound;
  return e;
}

QueryGenerator::Expr QueryGenerator::Gen(Kind kind, int depth, Scope scope) {
  switch (kind) {
    case Kind::kInt:
      return GenInt(depth, scope);
    case Kind::kReal:
      return GenReal(depth, scope);
    case Kind::kBool:
      return GenBool(depth, scope);
    case Kind::kText:
      return GenText(depth, scope);
    case Kind::kDate:
      return GenDate(depth, scope);
    case Kind::kTimestamp:
      return GenTimestamp(depth, scope);
  }
  return Leaf(kind, scope);
}

QueryGenerator::Expr QueryGenerator::GenNumber(int depth, Scope scope) {
  return rng_.Bernoulli(0.5) ? GenInt(depth, scope) : GenReal(depth, scope);
}

QueryGenerator::Expr QueryGenerator::GenInt(int depth, Scope scope) {
  if (depth <= 0 || rng_.Bernoulli(0.2)) return Leaf(Kind::kInt, scope);
  Expr e;
  e.kind = Kind::kInt;
  switch (rng_.Uniform(11)) {
    case 0:
    case 1:
    case 2: {
      Expr a = GenInt(depth - 1, scope), b = GenInt(depth - 1, scope);
      if (a.unknown && b.unknown) b = Typed(b);
      const char op = "+-*"[rng_.Uniform(3)];
      e.bound = op == '*' ? a.bound * b.bound : a.bound + b.bound;
      if (e.bound > kIntLimit) return Leaf(Kind::kInt, scope);
      e.ours = "(" + a.ours + " " + op + " " + b.ours + ")";
      e.sqlite = "(" + a.sqlite + " " + op + " " + b.sqlite + ")";
      return e;
    }
    case 3:
    case 4: {
      // Division by zero is an error for us (and PostgreSQL) and NULL for SQLite: divisors are
      // guarded with NULLIF(x, 0) on both sides, which also exercises NULLIF.
      const Expr a = GenInt(depth - 1, scope), b = Typed(GenInt(depth - 1, scope));
      if (a.bound >= kWide) return Leaf(Kind::kInt, scope);
      const std::string op = rng_.Bernoulli(0.5) ? " / " : " % ";
      e.bound = op == " / " ? a.bound : std::min(a.bound, b.bound);
      e.ours = "(" + a.ours + op + "NULLIF(" + b.ours + ", 0))";
      e.sqlite = "(" + a.sqlite + op + "NULLIF(" + b.sqlite + ", 0))";
      return e;
    }
    case 5: {
      const Expr a = GenInt(depth - 1, scope);
      if (a.bound >= kWide) return Leaf(Kind::kInt, scope);
      const std::string op = rng_.Bernoulli(0.8) ? "- " : "+ ";
      e.ours = "(" + op + a.ours + ")";
      e.sqlite = "(" + op + a.sqlite + ")";
      e.bound = a.bound;
      return e;
    }
    case 6: {
      const Expr a = Typed(GenInt(depth - 1, scope));
      if (a.bound >= kWide) return Leaf(Kind::kInt, scope);
      e.ours = "ABS(" + a.ours + ")";
      e.sqlite = "abs(" + a.sqlite + ")";
      e.bound = a.bound;
      return e;
    }
    case 7: {
      // DOUBLE to BIGINT rounds half to even (PostgreSQL's rint); SQLite truncates, so its side
      // calls lake_rint (sqlite_oracle.py), which rounds as we do.
      const Expr a = Typed(GenReal(depth - 1, scope));
      if (a.bound > kRealLimit) return Leaf(Kind::kInt, scope);
      e.ours = "CAST(" + a.ours + " AS " + TypeName(rng_, Kind::kInt) + ")";
      e.sqlite = "lake_rint(" + a.sqlite + ")";
      e.bound = a.bound + 1;
      return e;
    }
    case 8: {
      const Expr a = Typed(GenBool(depth - 1, scope));
      e.ours = "CAST(" + a.ours + " AS " + TypeName(rng_, Kind::kInt) + ")";
      e.sqlite = "CAST(" + a.sqlite + " AS INTEGER)";
      e.bound = 1;
      return e;
    }
    case 9: {
      const Expr a = GenText(depth - 1, scope);
      e.ours = "LENGTH(" + a.ours + ")";
      e.sqlite = "length(" + a.sqlite + ")";
      e.bound = 1000;
      return e;
    }
    default:
      return Choice(Kind::kInt, depth, scope);
  }
}

QueryGenerator::Expr QueryGenerator::GenReal(int depth, Scope scope) {
  if (depth <= 0 || rng_.Bernoulli(0.2)) return Leaf(Kind::kReal, scope);
  Expr e;
  e.kind = Kind::kReal;
  switch (rng_.Uniform(8)) {
    case 0:
    case 1: {
      Expr a = Typed(GenReal(depth - 1, scope)), b = GenNumber(depth - 1, scope);
      if (rng_.Bernoulli(0.5)) std::swap(a, b);
      const char op = "+-*/"[rng_.Uniform(4)];
      if (a.bound > kRealLimit || b.bound > kRealLimit) return Leaf(Kind::kReal, scope);
      if (op == '/') {
        // The quotient's size depends on how small the divisor gets: unbounded.
        e.ours = "(" + a.ours + " / NULLIF(" + Typed(b).ours + ", 0))";
        e.sqlite = "(" + a.sqlite + " / NULLIF(" + b.sqlite + ", 0))";
        e.bound = kInf;
        return e;
      }
      e.bound = op == '*' ? a.bound * b.bound : a.bound + b.bound;
      e.ours = "(" + a.ours + " " + op + " " + b.ours + ")";
      e.sqlite = "(" + a.sqlite + " " + op + " " + b.sqlite + ")";
      return e;
    }
    case 2: {
      const Expr a = Typed(GenReal(depth - 1, scope));
      const bool negate = rng_.Bernoulli(0.5);
      e.ours = negate ? "(- " + a.ours + ")" : "ABS(" + a.ours + ")";
      e.sqlite = negate ? "(- " + a.sqlite + ")" : "abs(" + a.sqlite + ")";
      e.bound = a.bound;
      return e;
    }
    case 3: {
      // ROUND halves away from zero on the decimal digits (PostgreSQL's numeric rounding);
      // SQLite's side calls lake_round, which rounds the same way.
      const Expr a = Typed(GenReal(depth - 1, scope));
      if (a.bound > kRealLimit) return Leaf(Kind::kReal, scope);
      const int digits = static_cast<int>(rng_.Uniform(8)) - 2;
      const bool with_digits = rng_.Bernoulli(0.7);
      e.ours = "ROUND(" + a.ours + (with_digits ? ", " + std::to_string(digits) : "") + ")";
      e.sqlite = "lake_round(" + a.sqlite + ", " + std::to_string(with_digits ? digits : 0) + ")";
      e.bound = a.bound + 1;
      return e;
    }
    case 4: {
      const Expr a = Typed(GenInt(depth - 1, scope));
      e.ours = "CAST(" + a.ours + " AS " + TypeName(rng_, Kind::kReal) + ")";
      e.sqlite = "CAST(" + a.sqlite + " AS REAL)";
      e.bound = a.bound;
      return e;
    }
    default:
      return Choice(Kind::kReal, depth, scope);
  }
}

QueryGenerator::Expr QueryGenerator::GenComparable(Kind kind, int depth, Scope scope) {
  Expr e = Gen(kind, depth, scope);
  // See kExactInDouble: an integer compared with a double stays exact in a double.
  if (kind == Kind::kInt && e.bound > kExactInDouble) return SmallInt();
  return e;
}

QueryGenerator::Expr QueryGenerator::GenBool(int depth, Scope scope) {
  if (depth <= 0 || rng_.Bernoulli(0.15)) return Leaf(Kind::kBool, scope);
  static const std::vector<Kind> kComparable = {Kind::kInt,  Kind::kReal, Kind::kBool,
                                               Kind::kText, Kind::kDate, Kind::kTimestamp};
  Expr e;
  e.kind = Kind::kBool;
  auto both = [&](const std::string& ours, const std::string& sqlite) {
    e.ours = ours;
    e.sqlite = sqlite;
    return e;
  };
  const std::string negation = rng_.Bernoulli(0.3) ? "NOT " : "";
  switch (rng_.Uniform(10)) {
    case 0:
    case 1: {
      Kind kind = Pick(rng_, kComparable);
      Expr a = Gen(kind, depth - 1, scope), b;
      if (IsNumeric(kind) && rng_.Bernoulli(0.3)) {
        // BIGINT against DOUBLE, each side exact in a double.
        a = GenComparable(Kind::kInt, depth - 1, scope);
        b = GenComparable(Kind::kReal, depth - 1, scope);
      } else {
        b = Gen(kind, depth - 1, scope);
      }
      const std::string op = Pick(rng_, std::vector<std::string>{"=", "<>", "<", "<=", ">", ">=", "!="});
      return both("(" + a.ours + " " + op + " " + b.ours + ")",
                  "(" + a.sqlite + " " + op + " " + b.sqlite + ")");
    }
    case 2: {
      const Expr a = Gen(Pick(rng_, kComparable), depth - 1, scope);
      const std::string test = rng_.Bernoulli(0.5) ? " IS NULL)" : " IS NOT NULL)";
      return both("(" + a.ours + test, "(" + a.sqlite + test);
    }
    case 3: {
      const Expr a = GenBool(depth - 1, scope);
      return both("(NOT " + a.ours + ")", "(NOT " + a.sqlite + ")");
    }
    case 4: {
      const Expr a = GenBool(depth - 1, scope), b = GenBool(depth - 1, scope);
      const std::string op = rng_.Bernoulli(0.5) ? " AND " : " OR ";
      return both("(" + a.ours + op + b.ours + ")", "(" + a.sqlite + op + b.sqlite + ")");
    }
    case 5: {
      const Kind kind = Pick(rng_, kComparable);
      const Expr x = Gen(kind, depth - 1, scope), lo = Gen(kind, depth - 1, scope),
                 hi = Gen(kind, depth - 1, scope);
      return both("(" + x.ours + " " + negation + "BETWEEN " + lo.ours + " AND " + hi.ours + ")",
                  "(" + x.sqlite + " " + negation + "BETWEEN " + lo.sqlite + " AND " + hi.sqlite +
                      ")");
    }
    case 6: {
      const Kind kind = Pick(rng_, kComparable);
      const Expr x = Gen(kind, depth - 1, scope);
      std::string ours = "(" + x.ours + " " + negation + "IN (", sqlite = "(" + x.sqlite + " " + negation + "IN (";
      const size_t n = 1 + rng_.Uniform(4);
      for (size_t i = 0; i < n; ++i) {
        const Expr item = Gen(kind, depth - 1, scope);
        ours += (i ? ", " : "") + item.ours;
        sqlite += (i ? ", " : "") + item.sqlite;
      }
      return both(ours + "))", sqlite + "))");
    }
    case 7: {
      // LIKE is case-sensitive for us (and PostgreSQL) with '\' as its escape: SQLite runs
      // with PRAGMA case_sensitive_like and is told ESCAPE '\'. ILIKE folds ASCII letters
      // only, as SQLite's lower() does.
      static const std::vector<std::string> kPieces = {"a", "b", "A", "%", "_", "\\%", "\\_",
                                                       "é", "日", "x", "c", " ", "\\\\"};
      const Expr x = GenText(depth - 1, scope);
      std::string pattern;
      const size_t n = 1 + rng_.Uniform(4);
      for (size_t i = 0; i < n; ++i) pattern += Pick(rng_, kPieces);
      Expr p;
      p.ours = p.sqlite = Quote(pattern);
      // A pattern from the data, but not cut from it: a pattern ending in a lone '\' is an
      // error for us (and PostgreSQL) and no match for SQLite.
      if (rng_.Bernoulli(0.15)) p = Leaf(Kind::kText, scope);
      if (rng_.Bernoulli(0.3)) {
        return both("(" + x.ours + " " + negation + "ILIKE " + p.ours + ")",
                    "(lower(" + x.sqlite + ") " + negation + "LIKE lower(" + p.sqlite +
                        ") ESCAPE '\\')");
      }
      return both("(" + x.ours + " " + negation + "LIKE " + p.ours + ")",
                  "(" + x.sqlite + " " + negation + "LIKE " + p.sqlite + " ESCAPE '\\')");
    }
    case 8: {
      const Expr a = Typed(GenInt(depth - 1, scope));
      return both("CAST(" + a.ours + " AS BOOLEAN)", "(" + a.sqlite + " <> 0)");
    }
    default:
      return Choice(Kind::kBool, depth, scope);
  }
}

QueryGenerator::Expr QueryGenerator::GenText(int depth, Scope scope) {
  if (depth <= 0 || rng_.Bernoulli(0.2)) return Leaf(Kind::kText, scope);
  Expr e;
  e.kind = Kind::kText;
  switch (rng_.Uniform(7)) {
    case 0: {
      // Text joins text or integers only: a DOUBLE or BOOLEAN prints differently in SQLite
      // ("1.0", "1") than for us and PostgreSQL ("1", "true").
      const Expr a = GenText(depth - 1, scope);
      const Expr b = rng_.Bernoulli(0.7) ? GenText(depth - 1, scope) : Typed(GenInt(depth - 1, scope));
      e.ours = "(" + a.ours + " || " + b.ours + ")";
      e.sqlite = "(" + a.sqlite + " || " + b.sqlite + ")";
      return e;
    }
    case 1: {
      const Expr a = GenText(depth - 1, scope);
      const std::string f = rng_.Bernoulli(0.5) ? "LOWER" : "UPPER";
      e.ours = f + "(" + a.ours + ")";
      e.sqlite = f + "(" + a.sqlite + ")";
      return e;
    }
    case 2: {
      // Start and length stay >= 0: SQLite counts a negative start from the end and a negative
      // length backwards, PostgreSQL does neither.
      const Expr a = GenText(depth - 1, scope);
      const std::string start = std::to_string(rng_.Uniform(7));
      const std::string length = std::to_string(rng_.Uniform(6));
      const bool with_length = rng_.Bernoulli(0.7);
      if (rng_.Bernoulli(0.3)) {
        e.ours = "SUBSTRING(" + a.ours + " FROM " + start + (with_length ? " FOR " + length : "") + ")";
      } else {
        e.ours = std::string(rng_.Bernoulli(0.5) ? "SUBSTRING(" : "SUBSTR(") + a.ours + ", " + start +
                 (with_length ? ", " + length : "") + ")";
      }
      e.sqlite = "substr(" + a.sqlite + ", " + start + (with_length ? ", " + length : "") + ")";
      return e;
    }
    case 3: {
      const Expr a = Typed(GenInt(depth - 1, scope));
      e.ours = "CAST(" + a.ours + " AS " + TypeName(rng_, Kind::kText) + ")";
      e.sqlite = "CAST(" + a.sqlite + " AS TEXT)";
      return e;
    }
    case 4: {
      // Dates and timestamps print as SQLite stores them (YYYY-MM-DD[ HH:MM:SS[.ffffff]]). The
      // CAST drops the column's NUMERIC affinity, under which SQLite would turn text such as
      // '5' that it is compared with into a number.
      const Expr a = Typed(rng_.Bernoulli(0.5) ? GenDate(depth - 1, scope) : GenTimestamp(depth - 1, scope));
      e.ours = "CAST(" + a.ours + " AS " + TypeName(rng_, Kind::kText) + ")";
      e.sqlite = "CAST(" + a.sqlite + " AS TEXT)";
      return e;
    }
    default:
      return Choice(Kind::kText, depth, scope);
  }
}

QueryGenerator::Expr QueryGenerator::GenDate(int depth, Scope scope) {
  if (depth <= 0 || rng_.Bernoulli(0.4)) return Leaf(Kind::kDate, scope);
  if (rng_.Bernoulli(0.5)) return Choice(Kind::kDate, depth, scope);
  const Expr a = Typed(GenTimestamp(depth - 1, scope));
  Expr e;
  e.kind = Kind::kDate;
  e.ours = "CAST(" + a.ours + " AS DATE)";
  e.sqlite = "substr(" + a.sqlite + ", 1, 10)";
  return e;
}

QueryGenerator::Expr QueryGenerator::GenTimestamp(int depth, Scope scope) {
  if (depth <= 0 || rng_.Bernoulli(0.4)) return Leaf(Kind::kTimestamp, scope);
  if (rng_.Bernoulli(0.5)) return Choice(Kind::kTimestamp, depth, scope);
  const Expr a = Typed(GenDate(depth - 1, scope));
  Expr e;
  e.kind = Kind::kTimestamp;
  e.ours = "CAST(" + a.ours + " AS TIMESTAMP)";
  e.sqlite = "(" + a.sqlite + " || ' 00:00:00')";
  return e;
}

QueryGenerator::Expr QueryGenerator::Choice(Kind kind, int depth, Scope scope) {
  // The values a CASE, COALESCE or NULLIF chooses between. A DOUBLE choice may mix in
  // integers (we convert them, SQLite keeps each row's own type: the same numbers).
  auto value = [&]() {
    if (kind != Kind::kReal || rng_.Bernoulli(0.7)) return Gen(kind, depth - 1, scope);
    // SQLite keeps such an integer exact where we convert it: below 2^53 that is the same.
    Expr v = GenInt(depth - 1, scope);
    return v.bound > kExactInDouble ? SmallInt() : v;
  };
  std::vector<Expr> values;
  const uint64_t form = rng_.Uniform(4);
  const size_t n = form == 3 ? 2 : 1 + rng_.Uniform(3);
  for (size_t i = 0; i < n; ++i) values.push_back(value());
  // The choice's type comes from its typed values (all unknown: text): one is typed, and a
  // DOUBLE choice has a DOUBLE value.
  if (std::all_of(values.begin(), values.end(), [](const Expr& v) { return v.unknown; })) {
    values[0] = Typed(values[0]);
  }
  if (kind == Kind::kReal &&
      std::none_of(values.begin(), values.end(),
                   [](const Expr& v) { return v.kind == Kind::kReal && !v.unknown; })) {
    values[0] = Typed(GenReal(depth - 1, scope));
  }
  Expr e;
  e.kind = kind;
  for (const Expr& v : values) {
    e.bound = std::max(e.bound, v.bound);
    e.inexact |= v.inexact;
  }
  if (form == 3) {
    // NULLIF compares: a BIGINT against a DOUBLE stays exact in a double (kExactInDouble).
    if (values[0].kind != values[1].kind) {
      for (Expr& v : values) {
        if (v.kind == Kind::kInt && v.bound > kExactInDouble) v = SmallInt();
      }
    }
    e.ours = "NULLIF(" + values[0].ours + ", " + values[1].ours + ")";
    e.sqlite = "NULLIF(" + values[0].sqlite + ", " + values[1].sqlite + ")";
    return e;
  }
  if (form == 2) {
    e.ours = "COALESCE(";
    e.sqlite = "coalesce(";
    for (size_t i = 0; i < values.size(); ++i) {
      e.ours += (i ? ", " : "") + values[i].ours;
      e.sqlite += (i ? ", " : "") + values[i].sqlite;
    }
    // SQLite's coalesce takes at least two arguments.
    if (values.size() == 1) e.sqlite += ", NULL";
    e.ours += ")";
    e.sqlite += ")";
    return e;
  }
  const bool has_else = rng_.Bernoulli(0.6) || values.size() == 1;
  const size_t whens = has_else ? values.size() - 1 : values.size();
  std::string ours = "CASE", sqlite = "CASE";
  Expr operand;
  Kind operand_kind = Kind::kInt;
  if (form == 1) {
    static const std::vector<Kind> kKinds = {Kind::kInt, Kind::kText, Kind::kBool, Kind::kDate};
    operand_kind = Pick(rng_, kKinds);
    operand = Gen(operand_kind, depth - 1, scope);
    ours += " " + operand.ours;
    sqlite += " " + operand.sqlite;
  }
  for (size_t i = 0; i < whens; ++i) {
    const Expr when = form == 1 ? Gen(operand_kind, depth - 1, scope) : GenBool(depth - 1, scope);
    ours += " WHEN " + when.ours + " THEN " + values[i].ours;
    sqlite += " WHEN " + when.sqlite + " THEN " + values[i].sqlite;
  }
  if (whens == 0) {  // a CASE needs a WHEN
    const Expr when = form == 1 ? Gen(operand_kind, depth - 1, scope) : GenBool(depth - 1, scope);
    const Expr then = Typed(value());
    ours += " WHEN " + when.ours + " THEN " + then.ours;
    sqlite += " WHEN " + when.sqlite + " THEN " + then.sqlite;
  }
  if (has_else) {
    ours += " ELSE " + values.back().ours;
    sqlite += " ELSE " + values.back().sqlite;
  }
  e.ours = ours + " END";
  e.sqlite = sqlite + " END";
  return e;
}

std::string QueryGenerator::Predicate() {
  keys_.clear();
  return GenBool(1 + static_cast<int>(rng_.Uniform(3)), Scope::kRow).ours;
}

std::string QueryGenerator::Projection() {
  static const std::vector<Kind> kAll = {Kind::kInt,  Kind::kReal, Kind::kBool,
                                        Kind::kText, Kind::kDate, Kind::kTimestamp};
  keys_.clear();
  std::string out;
  const size_t n = 1 + rng_.Uniform(3);
  for (size_t i = 0; i < n; ++i) {
    out += (i ? ", " : "") + Typed(Gen(Pick(rng_, kAll), static_cast<int>(rng_.Uniform(3)), Scope::kRow)).ours;
  }
  return out;
}

std::string QueryGenerator::Decomposable(std::string* combine) {
  static const std::vector<Kind> kAll = {Kind::kInt,  Kind::kReal, Kind::kBool,
                                        Kind::kText, Kind::kDate, Kind::kTimestamp};
  keys_.clear();
  switch (rng_.Uniform(5)) {
    case 0:
      *combine = "count";
      return "COUNT(*)";
    case 1:
      *combine = "count";
      return "COUNT(" + Typed(Gen(Pick(rng_, kAll), 1, Scope::kRow)).ours + ")";
    case 2: {
      *combine = "sum";
      Expr arg = Typed(GenInt(1, Scope::kRow));
      if (arg.bound * static_cast<double>(table_.rows.size()) > kIntLimit) return "SUM(i)";
      return "SUM(" + arg.ours + ")";
    }
    default: {
      *combine = rng_.Bernoulli(0.5) ? "min" : "max";
      return (*combine == "min" ? "MIN(" : "MAX(") +
             Typed(Gen(Pick(rng_, kAll), 1, Scope::kRow)).ours + ")";
    }
  }
}

GeneratedQuery QueryGenerator::Next() {
  static const std::vector<Kind> kAll = {Kind::kInt,  Kind::kReal, Kind::kBool,
                                        Kind::kText, Kind::kDate, Kind::kTimestamp};
  keys_.clear();
  GeneratedQuery q;
  std::vector<Expr> items;
  const uint64_t shape = rng_.Uniform(10);
  const bool aggregated = shape >= 5;
  const bool grouped = shape >= 7;
  Scope item_scope = Scope::kRow;
  if (grouped) {
    const size_t n = 1 + rng_.Uniform(2);
    for (size_t i = 0; i < n; ++i) {
      // A key is a column or an expression: an integer constant would be a select-list
      // position (in both dialects), and -(5) is a constant for us but an expression for SQLite.
      const Kind kind = Pick(rng_, kAll);
      Expr key = Typed(Gen(kind, static_cast<int>(rng_.Uniform(3)), Scope::kRow));
      if (key.ours.find_first_not_of("-+() 0123456789") == std::string::npos) key = Column(kind);
      keys_.push_back(key);
      if (rng_.Bernoulli(0.7)) items.push_back(keys_.back());
    }
  }
  if (aggregated) item_scope = Scope::kGroup;
  const size_t n = 1 + rng_.Uniform(3);
  for (size_t i = 0; i < n; ++i) {
    const Kind kind = Pick(rng_, kAll);
    Expr e = aggregated && rng_.Bernoulli(0.5) ? Aggregate(kind, 2)
                                                : Gen(kind, static_cast<int>(rng_.Uniform(4)), item_scope);
    // A bare NULL or string as an output column is text for us (and PostgreSQL).
    if (e.kind != Kind::kText && e.kind != Kind::kDate && e.kind != Kind::kTimestamp) e = Typed(e);
    items.push_back(e);
  }
  const bool distinct = rng_.Bernoulli(0.15);
  q.ours = distinct ? "SELECT DISTINCT " : "SELECT ";
  q.sqlite = q.ours;
  for (size_t i = 0; i < items.size(); ++i) {
    q.ours += (i ? ", " : "") + items[i].ours;
    q.sqlite += (i ? ", " : "") + items[i].sqlite;
    q.kinds += Letter(items[i].kind);
  }
  q.ours += " FROM " + table_.name;
  q.sqlite += " FROM " + table_.name;
  if (rng_.Bernoulli(0.6)) {
    const Expr where = GenBool(1 + static_cast<int>(rng_.Uniform(3)), Scope::kRow);
    q.ours += " WHERE " + where.ours;
    q.sqlite += " WHERE " + where.sqlite;
  }
  if (grouped) {
    std::string ours = " GROUP BY ", sqlite = " GROUP BY ";
    for (size_t i = 0; i < keys_.size(); ++i) {
      ours += (i ? ", " : "") + keys_[i].ours;
      sqlite += (i ? ", " : "") + keys_[i].sqlite;
    }
    q.ours += ours;
    q.sqlite += sqlite;
  }
  // HAVING without GROUP BY: SQLite requires an aggregate in the query, we (and PostgreSQL)
  // make any such query one group. Only grouped queries get a HAVING.
  if (grouped && rng_.Bernoulli(0.3)) {
    const Expr having = GenBool(1 + static_cast<int>(rng_.Uniform(2)), Scope::kGroup);
    q.ours += " HAVING " + having.ours;
    q.sqlite += " HAVING " + having.sqlite;
  }
  // A total order: every output column is a key. NULLs sort last both ways for us (as in
  // DuckDB; PostgreSQL puts them first when descending, SQLite first when ascending), so the
  // SQLite side says where they go. Sums and averages of doubles may differ in the last bits
  // between the engines, which could swap rows: those answers are compared as multisets.
  const bool inexact = std::any_of(items.begin(), items.end(), [](const Expr& e) { return e.inexact; });
  if (!inexact && rng_.Bernoulli(0.4)) {
    q.ordered = true;
    std::string ours = " ORDER BY ", sqlite = " ORDER BY ";
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string position = std::to_string(i + 1);
      const bool desc = rng_.Bernoulli(0.4);
      const uint64_t nulls = rng_.Uniform(3);  // default, NULLS FIRST, NULLS LAST
      ours += (i ? ", " : "") + position + (desc ? " DESC" : "") +
              (nulls == 1 ? " NULLS FIRST" : nulls == 2 ? " NULLS LAST" : "");
      sqlite += (i ? ", " : "") + position + (desc ? " DESC" : "") +
                (nulls == 1 ? " NULLS FIRST" : " NULLS LAST");
    }
    q.ours += ours;
    q.sqlite += sqlite;
    if (rng_.Bernoulli(0.5)) {
      const std::string limit = " LIMIT " + std::to_string(rng_.Uniform(8));
      const std::string offset = rng_.Bernoulli(0.3) ? " OFFSET " + std::to_string(rng_.Uniform(5)) : "";
      q.ours += limit + offset;
      q.sqlite += limit + offset;
    }
  }
  return q;
}

}  // namespace lake::difftest
