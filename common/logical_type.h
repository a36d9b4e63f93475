// Logical column types and a column schema. The numeric values are stored in chunks and
// manifests: never renumber. Physical layout per type is documented on common/vector.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lake {

enum class LogicalType : uint8_t {
  kBigInt = 1,     // int64_t
  kDouble = 2,     // double
  kBoolean = 3,    // uint8_t, 0 or 1
  kVarchar = 4,    // UTF-8 bytes, offsets + chars
  kDate = 5,       // int32_t days since 1970-01-01
  kTimestamp = 6,  // int64_t microseconds since 1970-01-01 00:00:00 (no time zone)
};

// "BIGINT", "DOUBLE", "BOOLEAN", "VARCHAR", "DATE", "TIMESTAMP".
std::string_view TypeName(LogicalType type);
// Inverse of TypeName (case-insensitive); nullopt for anything else.
std::optional<LogicalType> TypeFromName(std::string_view name);
// Inverse of static_cast<uint8_t>; nullopt for an unknown code (untrusted input).
std::optional<LogicalType> TypeFromCode(uint64_t code);
// Bytes per value of a fixed-width type; 0 for VARCHAR.
size_t FixedWidth(LogicalType type);

struct Column {
  std::string name;
  LogicalType type;
  friend bool operator==(const Column&, const Column&) = default;
};
using Schema = std::vector<Column>;

}  // namespace lake
