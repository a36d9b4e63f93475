#include "common/logical_type.h"

#include <strings.h>

namespace lake {

std::string_view TypeName(LogicalType type) {
  switch (type) {
    case LogicalType::kBigInt:
      return "BIGINT";
    case LogicalType::kDouble:
      return "DOUBLE";
    case LogicalType::kBoolean:
      return "BOOLEAN";
    case LogicalType::kVarchar:
      return "VARCHAR";
    case LogicalType::kDate:
      return "DATE";
    case LogicalType::kTimestamp:
      return "TIMESTAMP";
  }
  return "UNKNOWN";
}

std::optional<LogicalType> TypeFromName(std::string_view name) {
  for (uint8_t code = 1; code <= 6; ++code) {
    const auto type = static_cast<LogicalType>(code);
    const std::string_view candidate = TypeName(type);
    if (candidate.size() == name.size() &&
        strncasecmp(candidate.data(), name.data(), name.size()) == 0) {
      return type;
    }
  }
  return std::nullopt;
}

std::optional<LogicalType> TypeFromCode(uint64_t code) {
  if (code < 1 || code > 6) return std::nullopt;
  return static_cast<LogicalType>(code);
}

size_t FixedWidth(LogicalType type) {
  switch (type) {
    case LogicalType::kBigInt:
    case LogicalType::kDouble:
    case LogicalType::kTimestamp:
      return 8;
    case LogicalType::kDate:
      return 4;
    case LogicalType::kBoolean:
      return 1;
    case LogicalType::kVarchar:
      return 0;
  }
  return 0;
}

}  // namespace lake
