#include "sql/value.h"

#include "common/value_parse.h"

namespace lake::sql {

std::string Value::ToString() const {
  if (is_null) return "NULL";
  switch (type) {
    case LogicalType::kBigInt:
      return std::to_string(integer);
    case LogicalType::kDouble:
      return FormatDouble(real);
    case LogicalType::kBoolean:
      return boolean ? "true" : "false";
    case LogicalType::kVarchar:
      return text;
    case LogicalType::kDate:
      return FormatDate(static_cast<int32_t>(integer));
    case LogicalType::kTimestamp:
      return FormatTimestamp(integer);
  }
  return "";
}

}  // namespace lake::sql
