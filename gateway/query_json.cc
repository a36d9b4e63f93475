#include "gateway/query_json.h"

#include <cmath>

namespace lake::gateway {

nlohmann::json ValueToJson(const sql::Value& value) {
  if (value.is_null) return nullptr;
  switch (value.type) {
    case LogicalType::kBigInt:
      return value.integer;
    case LogicalType::kDouble:
      if (!std::isfinite(value.real)) return value.ToString();
      return value.real;
    case LogicalType::kBoolean:
      return value.boolean;
    default:
      return value.ToString();
  }
}

nlohmann::json RowsToJson(const sql::QueryResult& result) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : result.rows) {
    nlohmann::json object = nlohmann::json::object();
    for (size_t c = 0; c < row.size(); ++c) object[result.names[c]] = ValueToJson(row[c]);
    rows.push_back(std::move(object));
  }
  return rows;
}

nlohmann::json ColumnsToJson(const sql::QueryResult& result) {
  nlohmann::json columns = nlohmann::json::array();
  for (size_t c = 0; c < result.names.size(); ++c) {
    columns.push_back(
        {{"name", result.names[c]}, {"type", std::string(TypeName(result.types[c]))}});
  }
  return columns;
}

}  // namespace lake::gateway
