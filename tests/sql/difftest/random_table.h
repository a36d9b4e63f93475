// The differential tester's data: a table of every column type drawn from a seed, written as CSV
// for both our importer and the SQLite oracle. Values reach for the edges (INT64 min and max,
// -0.0, 1.8e308, the smallest subnormal, long strings, multi-byte UTF-8, leap days, year 1 and
// 9999, microsecond timestamps), and every column has NULLs. Each column carries what the query
// generator needs to stay inside the dialects' common ground: its kind and a bound on |value|.
// Thread-safety: value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/rng.h"

namespace lake::difftest {

// The six SQL types, as the generator and the oracle's answer letters see them.
enum class Kind { kInt, kReal, kBool, kText, kDate, kTimestamp };

struct ColumnSpec {
  std::string name;
  Kind kind;
  // Largest |value| of a numeric column (a bound the generator keeps arithmetic under: BIGINT
  // overflow is an error for us and silently REAL for SQLite; double sums over huge values
  // depend on the order of addition).
  double bound = 0;
  bool dyadic = false;  // DOUBLE: multiples of 1/4 only (see QueryGenerator's Expr::dyadic)
};

struct RandomTable {
  std::string name;
  std::vector<ColumnSpec> columns;
  // rows[r][c]: the CSV field, nullopt for NULL (an empty field).
  std::vector<std::vector<std::optional<std::string>>> rows;

  // RFC 4180 text with a header row; strings are always quoted.
  std::string ToCsv() const;
};

// A table named `name` with 1 to `max_rows` rows. Row 0 holds a non-NULL value of each column's
// own type, so that type inference (which SQLite's loader repeats) always finds the intended one.
RandomTable MakeRandomTable(Rng& rng, const std::string& name, size_t max_rows);

}  // namespace lake::difftest
