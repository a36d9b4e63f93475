// The differential tester's queries: random SELECTs over a RandomTable in our dialect, each
// rendered a second time as the same question in SQLite's dialect. Expressions are typed as they
// are built, so every query binds; where the two dialects differ the generator either renders
// the SQLite side to mean what ours means or stays out of the difference. Each difference is
// written down where it is handled (generator_common.h, query_generator.cc,
// expression_generator.cc), not papered over in the comparison.
// Thread-safety: not thread-safe (one generator per thread); deterministic for a seed.
#pragma once

#include <string>
#include <vector>

#include "common/rng.h"
#include "tests/sql/difftest/random_table.h"

namespace lake::difftest {

struct GeneratedQuery {
  std::string ours;    // our dialect
  std::string sqlite;  // the same question for SQLite
  std::string kinds;   // one letter per output column: I, R, B or T (text, date, timestamp)
  // ORDER BY makes the answer's order total (every output column is a key): compare in order.
  // Otherwise the answer is a multiset.
  bool ordered = false;
};

class QueryGenerator {
 public:
  // REQUIRES: `table` outlives the generator.
  QueryGenerator(Rng& rng, const RandomTable& table) : rng_(rng), table_(table) {}

  // A random query: plain or aggregated, with any of WHERE, GROUP BY, HAVING, DISTINCT,
  // ORDER BY, LIMIT and OFFSET.
  GeneratedQuery Next();

  // Pieces for the metamorphic oracles, in our dialect only.
  // A random condition over one row (may be NULL for some rows).
  std::string Predicate();
  // A random select list over one row, without aggregates.
  std::string Projection();
  // A random aggregate whose value over a whole table can be recombined from its values over
  // parts: COUNT(*), COUNT(x), SUM(bounded integer x), MIN(x) or MAX(x). `combine` is set to
  // how: "count" (add), "sum" (add, NULL-aware), "min" or "max".
  std::string Decomposable(std::string* combine);

 private:
  // A typed expression in both dialects.
  struct Expr {
    std::string ours, sqlite;
    Kind kind = Kind::kInt;
    // Numeric: a bound on |value| (infinity when unknown). Arithmetic is built only under a
    // bound: BIGINT overflow is an error for us but a silent REAL for SQLite, and huge doubles
    // reach inf - inf = NaN, which SQLite turns into NULL.
    double bound = 0;
    // A bare NULL or string literal: PostgreSQL's "unknown", typed by its context.
    bool unknown = false;
    // DOUBLE: every value is a multiple of a small power of two (or NULL), so that a sum of it
    // is exact in any order. SUM and AVG take only such arguments: sums of other doubles
    // differ in their last bits between engines and chunkings, and a ROUND or a comparison
    // over them can turn that into any difference.
    bool dyadic = false;
  };
  enum class Scope { kRow, kGroup };

  Expr Gen(Kind kind, int depth, Scope scope);
  Expr GenInt(int depth, Scope scope);
  Expr GenReal(int depth, Scope scope);
  Expr GenBool(int depth, Scope scope);
  Expr GenText(int depth, Scope scope);
  Expr GenDate(int depth, Scope scope);
  Expr GenTimestamp(int depth, Scope scope);
  Expr GenNumber(int depth, Scope scope);
  Expr GenComparable(Kind kind, int depth, Scope scope);
  Expr Choice(Kind kind, int depth, Scope scope);
  Expr Leaf(Kind kind, Scope scope);
  Expr Column(Kind kind);
  Expr NamedColumn(const std::string& name);
  Expr SmallInt();  // a constant in [-10, 10]
  Expr Literal(Kind kind);
  Expr Aggregate(Kind kind, int depth);
  Expr Typed(Expr e);
  // Integers, and DOUBLEs whose Expr::dyadic holds.
  static bool IsDyadic(const Expr& e) { return e.kind == Kind::kInt || e.dyadic; }
  Expr SortOrGroupKey(Kind kind, Scope scope);

  Rng& rng_;
  const RandomTable& table_;
  std::vector<Expr> keys_;  // the GROUP BY keys of the query being built
};

}  // namespace lake::difftest
