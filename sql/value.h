// Value: one typed SQL value, possibly NULL. Used only at the edges — constants in plans,
// results handed to clients and tests — never per row inside operators.
// BIGINT, DATE (days) and TIMESTAMP (microseconds) share `integer`; BOOLEAN uses `boolean`.
// Thread-safety: a value type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/logical_type.h"
#include "common/vector.h"

namespace lake::sql {

struct Value {
  LogicalType type = LogicalType::kVarchar;
  bool is_null = true;
  int64_t integer = 0;
  double real = 0;
  bool boolean = false;
  std::string text;

  static Value Null(LogicalType type) { return Value{type, true, 0, 0, false, {}}; }
  static Value BigInt(int64_t v) { return Value{LogicalType::kBigInt, false, v, 0, false, {}}; }
  static Value Double(double v) { return Value{LogicalType::kDouble, false, 0, v, false, {}}; }
  static Value Boolean(bool v) { return Value{LogicalType::kBoolean, false, 0, 0, v, {}}; }
  static Value Varchar(std::string v) {
    return Value{LogicalType::kVarchar, false, 0, 0, false, std::move(v)};
  }
  static Value Date(int32_t days) { return Value{LogicalType::kDate, false, days, 0, false, {}}; }
  static Value Timestamp(int64_t micros) {
    return Value{LogicalType::kTimestamp, false, micros, 0, false, {}};
  }

  // The text form a client sees: NULL as "NULL", booleans true/false, ISO dates and timestamps,
  // doubles in their shortest round-trip form.
  std::string ToString() const;
  friend bool operator==(const Value&, const Value&) = default;
};

// Row `row` of `v` as a Value (for answers handed out, and constants).
Value ValueAt(const Vector& v, size_t row);
// Appends `v` to `out`. REQUIRES: out's type is v's.
void AppendValue(const Value& v, Vector* out);

// -1, 0 or 1 as double a sorts before, with or after b. As in PostgreSQL, NaN sorts after every
// other value and equal to itself, so that sorting and set lookups see a strict weak order.
inline int CompareDoubles(double a, double b) {
  if (a < b) return -1;
  if (b < a) return 1;
  const bool a_nan = a != a, b_nan = b != b;
  return static_cast<int>(a_nan) - static_cast<int>(b_nan);
}

// -1, 0 or 1 as a sorts before, with or after b: two non-NULL values of one type (doubles as
// CompareDoubles, text by bytes).
int CompareValues(const Value& a, const Value& b);

// A tuple of values, e.g. a row of an answer.
using Row = std::vector<Value>;

// Rows of one shape in lexicographic order, NULLs equal to each other and after every value:
// how rows are counted (set operations) and looked up (correlated subqueries).
struct RowLess {
  bool operator()(const Row& a, const Row& b) const;
};

}  // namespace lake::sql
