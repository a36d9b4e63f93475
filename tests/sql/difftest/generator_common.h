// Internal to the query generator (query_generator.cc, expression_generator.cc): the bounds
// that keep generated SQL inside both dialects' common ground, and small rendering helpers.
// Thread-safety: constants and pure functions (those taking an Rng draw from it).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "common/rng.h"
#include "tests/sql/difftest/random_table.h"

namespace lake::difftest::internal {

inline constexpr double kInf = std::numeric_limits<double>::infinity();
// Integer arithmetic is built only while |result| stays below 2^62.
inline constexpr double kIntLimit = 4611686018427387904.0;
// An integer above 2^53 may equal a double it differs from: we compare BIGINT with DOUBLE as
// PostgreSQL does (the integer converted), SQLite compares them exactly. Mixed comparisons
// keep the integer side below 2^53.
inline constexpr double kExactInDouble = 9007199254740992.0;
// A BIGINT whose bound reaches 2^63 may be INT64_MIN: negating it or dividing it by -1
// overflows (an error for us, a REAL for SQLite).
inline constexpr double kWide = 9223372036854775808.0;
// Doubles in arithmetic or cast to BIGINT stay below this: the casts cannot overflow, and no
// sum reaches inf - inf = NaN (which SQLite turns into NULL).
inline constexpr double kRealLimit = 1e15;
// Doubles summed or averaged stay below this, so that their sums are exact (Expr::dyadic).
inline constexpr double kSumLimit = 1e6;

template <class T>
const T& Pick(Rng& rng, const std::vector<T>& options) {
  return options[rng.Uniform(options.size())];
}

inline std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

inline char Letter(Kind kind) {
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

inline bool IsNumeric(Kind kind) { return kind == Kind::kInt || kind == Kind::kReal; }

// Our spellings of each type in CAST.
inline std::string TypeName(Rng& rng, Kind kind) {
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
inline std::string IntegerSpelling(Rng& rng, int64_t v) {
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

}  // namespace lake::difftest::internal
