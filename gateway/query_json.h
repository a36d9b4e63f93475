// Query answers as JSON, shared by `p2plake sql --format json`, the gateway's /api/query (whole
// or streamed) and `p2plake query`, which reads them back: rows as objects keyed by column name
// or as arrays in column order; BIGINT, DOUBLE and BOOLEAN as JSON numbers and booleans, NULL as
// null, everything else (and non-finite doubles) as its SQL text.
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "sql/engine.h"

namespace lake::gateway {

// How a row is written: an object keyed by column name (the original app's form; of two columns
// of one name it holds the last), or an array in column order (every column, whatever its name).
enum class RowMode { kObject, kArray };

nlohmann::json ValueToJson(const sql::Value& value);
// Row `r`: {column: value, ...} or [value, ...]. REQUIRES: r < result.rows.size()
nlohmann::json RowToJson(const sql::QueryResult& result, size_t r, RowMode mode = RowMode::kObject);
// [row, ...]
nlohmann::json RowsToJson(const sql::QueryResult& result, RowMode mode = RowMode::kObject);
// [{name, type}, ...]
nlohmann::json ColumnsToJson(const sql::QueryResult& result);

// The inverse of ValueToJson for a value of column type `type` (untrusted input):
// InvalidArgument if `json` is no such value.
Result<sql::Value> ValueFromJson(const nlohmann::json& json, LogicalType type);
// The inverse of ColumnsToJson and RowsToJson(RowMode::kArray), for clients of /api/query
// (untrusted input): InvalidArgument for any other shape (an unknown type, a row without one value
// per column, a value of the wrong type).
Result<sql::QueryResult> ResultFromJson(const nlohmann::json& columns, const nlohmann::json& rows);

}  // namespace lake::gateway
