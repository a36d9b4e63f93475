// Test support for the hash tables' tests: random key columns of every type (NULLs, -0.0 and 0.0
// among them), key cells as a brute-force reference compares them, and a scoped partition
// threshold (sql/radix_partitions.h). Header-only; for test binaries that link lake_sql.
#pragma once

#include <optional>
#include <string>

#include "common/rng.h"
#include "common/vector.h"
#include "sql/radix_partitions.h"

namespace lake::sql::testing {

// A key cell as the reference sees it: NULL, or the value (DOUBLE keys with -0.0 folded to 0.0).
using Cell = std::optional<std::string>;

inline Cell CellOf(const Vector& v, size_t row) {
  if (!v.IsValid(row)) return std::nullopt;
  switch (v.type()) {
    case LogicalType::kDouble: {
      const double d = v.Get<double>(row);
      return std::to_string(d == 0 ? 0.0 : d);
    }
    case LogicalType::kVarchar:
      return std::string(v.GetString(row));
    case LogicalType::kDate:
      return std::to_string(v.Get<int32_t>(row));
    case LogicalType::kBoolean:
      return std::to_string(v.Get<uint8_t>(row));
    default:
      return std::to_string(v.Get<int64_t>(row));
  }
}

inline Vector RandomColumn(LogicalType type, size_t rows, uint64_t distinct, Rng& rng) {
  Vector v(type);
  for (size_t i = 0; i < rows; ++i) {
    if (rng.Uniform(10) == 0) {
      v.AppendNull();
      continue;
    }
    const uint64_t x = rng.Uniform(distinct);
    switch (type) {
      case LogicalType::kDouble:
        v.Append<double>(x == 0 ? (rng.Uniform(2) ? -0.0 : 0.0) : static_cast<double>(x) / 3);
        break;
      case LogicalType::kVarchar:
        v.AppendString(std::string(x % 7, 'x') + std::to_string(x));
        break;
      case LogicalType::kDate:
        v.Append<int32_t>(static_cast<int32_t>(x) - 50);
        break;
      case LogicalType::kBoolean:
        v.Append<uint8_t>(static_cast<uint8_t>(x % 2));
        break;
      default:
        v.Append<int64_t>(static_cast<int64_t>(x * 1'000'003) - 7);
        break;
    }
  }
  return v;
}

// Tables made while it lives split into partitions once they hold `entries` entries.
class ScopedPartitionThreshold {
 public:
  explicit ScopedPartitionThreshold(size_t entries) { SetPartitionThresholdForTesting(entries); }
  ~ScopedPartitionThreshold() { SetPartitionThresholdForTesting(0); }
  ScopedPartitionThreshold(const ScopedPartitionThreshold&) = delete;
  ScopedPartitionThreshold& operator=(const ScopedPartitionThreshold&) = delete;
};

}  // namespace lake::sql::testing
