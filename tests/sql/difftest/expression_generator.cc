// QueryGenerator's expressions: a typed random expression of each kind, in both dialects.
#include <algorithm>
#include <cmath>
#include <limits>

#include "tests/sql/difftest/generator_common.h"
#include "tests/sql/difftest/query_generator.h"

namespace lake::difftest {

using namespace internal;  // NOLINT: the generator's own helpers

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
      e.dyadic = IsDyadic(a) && IsDyadic(b);
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
      e.dyadic = a.dyadic;
      return e;
    }
    case 3: {
      // ROUND halves away from zero on the decimal digits (PostgreSQL's numeric rounding);
      // SQLite's side calls lake_round, which rounds the same way.
      const Expr a = Typed(GenReal(depth - 1, scope));
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
      e.dyadic = true;
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
      const std::string op =
          Pick(rng_, std::vector<std::string>{"=", "<>", "<", "<=", ">", ">=", "!="});
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
      return both(
          "(" + x.ours + " " + negation + "BETWEEN " + lo.ours + " AND " + hi.ours + ")",
          "(" + x.sqlite + " " + negation + "BETWEEN " + lo.sqlite + " AND " + hi.sqlite + ")");
    }
    case 6: {
      const Kind kind = Pick(rng_, kComparable);
      const Expr x = Gen(kind, depth - 1, scope);
      std::string ours = "(" + x.ours + " " + negation + "IN (",
                  sqlite = "(" + x.sqlite + " " + negation + "IN (";
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
      static const std::vector<std::string> kPieces = {"a", "b",  "A", "%", "_", "\\%", "\\_",
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
        return both(
            "(" + x.ours + " " + negation + "ILIKE " + p.ours + ")",
            "(lower(" + x.sqlite + ") " + negation + "LIKE lower(" + p.sqlite + ") ESCAPE '\\')");
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
      const Expr b =
          rng_.Bernoulli(0.7) ? GenText(depth - 1, scope) : Typed(GenInt(depth - 1, scope));
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
        e.ours =
            "SUBSTRING(" + a.ours + " FROM " + start + (with_length ? " FOR " + length : "") + ")";
      } else {
        e.ours = std::string(rng_.Bernoulli(0.5) ? "SUBSTRING(" : "SUBSTR(") + a.ours + ", " +
                 start + (with_length ? ", " + length : "") + ")";
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
      const Expr a =
          Typed(rng_.Bernoulli(0.5) ? GenDate(depth - 1, scope) : GenTimestamp(depth - 1, scope));
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
  // integers: we convert them to DOUBLE, while SQLite would keep each row's own type (an
  // integer result then divides as an integer, and compares exactly), so SQLite's side
  // converts them too.
  auto value = [&]() {
    if (kind != Kind::kReal || rng_.Bernoulli(0.7)) return Gen(kind, depth - 1, scope);
    Expr v = GenInt(depth - 1, scope);
    if (!v.unknown) v.sqlite = "CAST(" + v.sqlite + " AS REAL)";
    return v;
  };
  const uint64_t form = rng_.Uniform(4);
  const bool has_else = form < 2 && rng_.Bernoulli(0.6);
  // NULLIF takes two; a CASE needs a WHEN besides its ELSE.
  const size_t n = form == 3 ? 2 : (has_else ? 2 : 1) + rng_.Uniform(2);
  std::vector<Expr> values;
  for (size_t i = 0; i < n; ++i) values.push_back(value());
  // The choice's type comes from its typed values (all unknown: text): one is typed, and a
  // DOUBLE choice has a DOUBLE value.
  if (std::all_of(values.begin(), values.end(), [](const Expr& v) { return v.unknown; })) {
    values[0] = Typed(values[0]);
  }
  if (kind == Kind::kReal && std::none_of(values.begin(), values.end(), [](const Expr& v) {
        return v.kind == Kind::kReal && !v.unknown;
      })) {
    values[0] = Typed(GenReal(depth - 1, scope));
  }
  Expr e;
  e.kind = kind;
  e.dyadic = true;
  for (const Expr& v : values) {
    e.bound = std::max(e.bound, v.bound);
    e.dyadic &= IsDyadic(v);
  }
  if (form == 3) {
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
  if (has_else) {
    ours += " ELSE " + values.back().ours;
    sqlite += " ELSE " + values.back().sqlite;
  }
  e.ours = ours + " END";
  e.sqlite = sqlite + " END";
  return e;
}

}  // namespace lake::difftest
