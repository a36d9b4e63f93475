// ZoneMap: per chunk and column, the NULL count and the smallest and largest non-NULL value, so a
// query can skip chunks whose range cannot match. Values use the column's physical meaning (DATE
// days, TIMESTAMP microseconds as int64). A VARCHAR column whose min or max is longer than
// kMaxZoneStringBytes keeps no range (manifests stay small; such chunks are simply not pruned).
// Thread-safety: value types and pure functions.
#pragma once

#include <msgpack.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "common/logical_type.h"
#include "common/result.h"
#include "common/vector.h"

namespace lake::store {

inline constexpr size_t kMaxZoneStringBytes = 64;

using ZoneValue = std::variant<int64_t, double, bool, std::string>;

struct ZoneMap {
  uint64_t null_count = 0;
  std::optional<ZoneValue> min;  // both set or neither (no range: all NULL, or long strings)
  std::optional<ZoneValue> max;
  friend bool operator==(const ZoneMap&, const ZoneMap&) = default;
};

ZoneMap ComputeZoneMap(const Vector& column);

// Msgpack form: {"n": null_count[, "lo": min, "hi": max]}.
void PackZoneMap(msgpack::packer<msgpack::sbuffer>& pk, const ZoneMap& zone);
// REQUIRES: `type` is the column's type (it says how to read lo/hi). Corruption on a bad shape.
Result<ZoneMap> ReadZoneMap(const msgpack::object& o, LogicalType type);

}  // namespace lake::store
