#include "gateway/query_json.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "common/value_parse.h"

namespace lake::gateway {

using nlohmann::json;

json ValueToJson(const sql::Value& value) {
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

json RowToJson(const sql::QueryResult& result, size_t r, RowMode mode) {
  const std::vector<sql::Value>& row = result.rows[r];
  json out = mode == RowMode::kArray ? json::array() : json::object();
  for (size_t c = 0; c < row.size(); ++c) {
    if (mode == RowMode::kArray) {
      out.push_back(ValueToJson(row[c]));
    } else {
      out[result.names[c]] = ValueToJson(row[c]);
    }
  }
  return out;
}

json RowsToJson(const sql::QueryResult& result, RowMode mode) {
  json rows = json::array();
  for (size_t r = 0; r < result.rows.size(); ++r) rows.push_back(RowToJson(result, r, mode));
  return rows;
}

json ColumnsToJson(const sql::QueryResult& result) {
  json columns = json::array();
  for (size_t c = 0; c < result.names.size(); ++c) {
    columns.push_back(
        {{"name", result.names[c]}, {"type", std::string(TypeName(result.types[c]))}});
  }
  return columns;
}

namespace {

// A non-finite double, as ValueToJson writes it ("inf", "-inf", "nan").
std::optional<double> NonFinite(const std::string& text) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace

Result<sql::Value> ValueFromJson(const json& value, LogicalType type) {
  if (value.is_null()) return sql::Value::Null(type);
  const std::string text = value.is_string() ? value.get<std::string>() : std::string();
  switch (type) {
    case LogicalType::kBigInt:
      if (value.is_number_integer() &&
          !(value.is_number_unsigned() &&
            value.get<uint64_t>() > uint64_t{std::numeric_limits<int64_t>::max()})) {
        return sql::Value::BigInt(value.get<int64_t>());
      }
      break;
    case LogicalType::kDouble:
      if (value.is_number()) return sql::Value::Double(value.get<double>());
      if (const std::optional<double> special = NonFinite(text)) {
        return sql::Value::Double(*special);
      }
      break;
    case LogicalType::kBoolean:
      if (value.is_boolean()) return sql::Value::Boolean(value.get<bool>());
      break;
    case LogicalType::kVarchar:
      if (value.is_string()) return sql::Value::Varchar(text);
      break;
    case LogicalType::kDate:
      if (int32_t days = 0; value.is_string() && ParseDate(text, &days)) {
        return sql::Value::Date(days);
      }
      break;
    case LogicalType::kTimestamp:
      if (int64_t micros = 0; value.is_string() && ParseTimestamp(text, &micros)) {
        return sql::Value::Timestamp(micros);
      }
      break;
  }
  return Status::InvalidArgument("not a " + std::string(TypeName(type)) + ": " + value.dump());
}

Result<sql::QueryResult> ResultFromJson(const json& columns, const json& rows) {
  if (!columns.is_array() || !rows.is_array()) {
    return Status::InvalidArgument("columns and rows must be JSON arrays");
  }
  sql::QueryResult result;
  for (const json& column : columns) {
    if (!column.is_object() || !column.contains("name") || !column["name"].is_string() ||
        !column.contains("type") || !column["type"].is_string()) {
      return Status::InvalidArgument("a column is not {name, type}: " + column.dump());
    }
    const std::string name = column["name"].get<std::string>();
    const std::optional<LogicalType> type = TypeFromName(column["type"].get<std::string>());
    if (!type) return Status::InvalidArgument("column " + name + " has an unknown type");
    result.names.push_back(name);
    result.types.push_back(*type);
  }
  for (const json& row : rows) {
    if (!row.is_array() || row.size() != result.names.size()) {
      return Status::InvalidArgument("a row is not an array of one value per column: " +
                                     row.dump());
    }
    std::vector<sql::Value>& values = result.rows.emplace_back();
    for (size_t c = 0; c < row.size(); ++c) {
      LAKE_ASSIGN_OR_RETURN(sql::Value value, ValueFromJson(row[c], result.types[c]));
      values.push_back(std::move(value));
    }
  }
  return result;
}

}  // namespace lake::gateway
