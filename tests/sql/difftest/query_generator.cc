#include "tests/sql/difftest/query_generator.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "tests/sql/difftest/generator_common.h"

namespace lake::difftest {

using namespace internal;  // NOLINT: the generator's own helpers

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
  static const std::vector<int64_t> kInts = {0,
                                             1,
                                             -1,
                                             2,
                                             7,
                                             -19,
                                             62,
                                             1000,
                                             -1000,
                                             2147483647,
                                             -2147483648,
                                             2147483648,
                                             std::numeric_limits<int64_t>::max(),
                                             std::numeric_limits<int64_t>::min()};
  struct RealLiteral {
    const char* text;
    double magnitude;
    bool dyadic;
  };
  static const std::vector<RealLiteral> kReals = {
      {"0.0", 0, true},          {"-0.0", 0, true},          {"0.5", 0.5, true},
      {"-(2.25)", 2.25, true},   {"1e3", 1000, true},        {"6.25e-2", 0.0625, true},
      {"- 1.5", 1.5, true},      {"100.125", 100.125, true}, {"-(-0.75)", 0.75, true},
      {"2.5e-3", 0.0025, false}, {"-(0.1)", 0.1, false}};
  static const std::vector<std::string> kTexts = {"",    "a",     "A",    "ab",         "b%c",
                                                  "x_y", "é",     "日本", "anchor",     "it's",
                                                  "zzz", " lead", "12",   "back\\slash"};
  static const std::vector<std::string> kDates = {"2024-02-29", "1970-01-01", "0001-01-01",
                                                  "9999-12-31", "2000-02-29", "2010-06-15"};
  static const std::vector<std::string> kTimestamps = {
      "2024-02-29 23:59:59", "2000-02-29 12:30:00.5",      "1970-01-01 00:00:00",
      "0001-01-01 00:00:00", "9999-12-31 23:59:59.999999", "2010-06-15 08:00:00"};
  Expr e;
  e.kind = kind;
  switch (kind) {
    case Kind::kInt: {
      int64_t v =
          rng_.Bernoulli(0.5) ? Pick(rng_, kInts) : static_cast<int64_t>(rng_.Uniform(201)) - 100;
      e.ours = IntegerSpelling(rng_, v);
      e.sqlite = e.ours;
      e.bound = std::fabs(static_cast<double>(v));
      if (v == std::numeric_limits<int64_t>::min()) e.bound = kWide;
      return e;
    }
    case Kind::kReal: {
      const RealLiteral& literal = Pick(rng_, kReals);
      e.ours = e.sqlite = "(" + std::string(literal.text) + ")";
      e.bound = literal.magnitude;
      e.dyadic = literal.dyadic;
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
  return NamedColumn(Pick(rng_, fits)->name);
}

QueryGenerator::Expr QueryGenerator::NamedColumn(const std::string& name) {
  for (const ColumnSpec& c : table_.columns) {
    if (c.name != name) continue;
    Expr e;
    e.kind = c.kind;
    e.ours = e.sqlite = c.name;
    e.bound = c.bound;
    e.dyadic = c.dyadic;
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
    null.dyadic = true;
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
    // Sums exact in any order (Expr::dyadic): dyadic values small enough that a sum of
    // thousands of them stays within a double's 53 bits.
    Expr arg = Typed(GenNumber(arg_depth, Scope::kRow));
    if (!IsDyadic(arg) || arg.bound > kSumLimit) arg = NamedColumn("d");
    const bool avg = arg.kind == Kind::kInt || rng_.Bernoulli(0.5);
    call(avg ? "AVG" : "SUM", arg, distinct);
    e.bound = avg ? arg.bound : arg.bound * rows;
    e.dyadic = !avg;
    return e;
  }
  const Expr arg = Typed(Gen(kind, arg_depth, Scope::kRow));
  call(rng_.Bernoulli(0.5) ? "MIN" : "MAX", arg, false);
  e.bound = arg.bound;
  e.dyadic = arg.dyadic;
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
    out += (i ? ", " : "") +
           Typed(Gen(Pick(rng_, kAll), static_cast<int>(rng_.Uniform(3)), Scope::kRow)).ours;
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

QueryGenerator::Expr QueryGenerator::SortOrGroupKey(Kind kind, Scope scope) {
  // A GROUP BY or ORDER BY key is never a bare constant: an integer constant means a select-list
  // position (in both dialects), and -(5) is a constant for us but an expression for SQLite.
  Expr key = Typed(Gen(kind, 1 + static_cast<int>(rng_.Uniform(2)), scope));
  const bool constant = key.ours.find_first_not_of("-+() 0123456789") == std::string::npos ||
                        key.ours.front() == '\'';
  if (!constant) return key;
  return scope == Scope::kRow ? Column(kind) : Aggregate(kind, 1);
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
      keys_.push_back(SortOrGroupKey(kind, Scope::kRow));
      if (rng_.Bernoulli(0.7)) items.push_back(keys_.back());
    }
  }
  if (aggregated) item_scope = Scope::kGroup;
  // SELECT * now and then (with more items after it).
  const bool star = !aggregated && rng_.Bernoulli(0.05);
  if (star) {
    for (const ColumnSpec& c : table_.columns) items.push_back(NamedColumn(c.name));
  }
  const size_t n = (star ? 0 : 1) + rng_.Uniform(3);
  for (size_t i = 0; i < n; ++i) {
    const Kind kind = Pick(rng_, kAll);
    Expr e = aggregated && rng_.Bernoulli(0.5)
                 ? Aggregate(kind, 2)
                 : Gen(kind, static_cast<int>(rng_.Uniform(4)), item_scope);
    // A bare NULL or string as an output column is text for us (and PostgreSQL).
    if (e.kind != Kind::kText && e.kind != Kind::kDate && e.kind != Kind::kTimestamp) e = Typed(e);
    items.push_back(e);
  }
  const bool distinct = rng_.Bernoulli(0.15);
  q.ours = distinct ? "SELECT DISTINCT " : "SELECT ";
  q.sqlite = q.ours;
  for (size_t i = 0; i < items.size(); ++i) {
    q.kinds += Letter(items[i].kind);
    if (star && i > 0 && i < table_.columns.size()) continue;
    const bool whole_row = star && i == 0;
    q.ours += (i ? ", " : "") + (whole_row ? "*" : items[i].ours);
    q.sqlite += (i ? ", " : "") + (whole_row ? "*" : items[i].sqlite);
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
  // SQLite side says where they go.
  if (rng_.Bernoulli(0.4)) {
    q.ordered = true;
    std::string ours = " ORDER BY ", sqlite = " ORDER BY ";
    auto key = [&](const std::string& our_key, const std::string& sqlite_key) {
      const bool desc = rng_.Bernoulli(0.4);
      const uint64_t nulls = rng_.Uniform(3);  // default, NULLS FIRST, NULLS LAST
      const bool first = ours.size() == std::string(" ORDER BY ").size();
      ours += (first ? "" : ", ") + our_key + (desc ? " DESC" : "") +
              (nulls == 1   ? " NULLS FIRST"
               : nulls == 2 ? " NULLS LAST"
                            : "");
      sqlite += (first ? "" : ", ") + sqlite_key + (desc ? " DESC" : "") +
                (nulls == 1 ? " NULLS FIRST" : " NULLS LAST");
    };
    // First, now and then, a key that is not an output column (DISTINCT allows none): the
    // output columns after it still make the order total. Not in an aggregated query without
    // GROUP BY: an aggregate in ORDER BY alone aggregates the query for us (and PostgreSQL),
    // while SQLite calls it a misuse.
    if (!distinct && (grouped || !aggregated) && rng_.Bernoulli(0.3)) {
      const Expr hidden =
          SortOrGroupKey(Pick(rng_, kAll), aggregated ? Scope::kGroup : Scope::kRow);
      key(hidden.ours, hidden.sqlite);
    }
    for (size_t i = 0; i < items.size(); ++i) key(std::to_string(i + 1), std::to_string(i + 1));
    q.ours += ours;
    q.sqlite += sqlite;
    if (rng_.Bernoulli(0.5)) {
      const std::string limit = " LIMIT " + std::to_string(rng_.Uniform(8));
      const std::string offset =
          rng_.Bernoulli(0.3) ? " OFFSET " + std::to_string(rng_.Uniform(5)) : "";
      q.ours += limit + offset;
      q.sqlite += limit + offset;
    }
  }
  return q;
}

}  // namespace lake::difftest
