// Query answers as JSON, shared by `p2plake sql --format json` and the gateway's /api/query:
// rows as objects keyed by column name; BIGINT, DOUBLE and BOOLEAN as JSON numbers and booleans,
// NULL as null, everything else (and non-finite doubles) as its SQL text.
#pragma once

#include <nlohmann/json.hpp>

#include "sql/engine.h"

namespace lake::gateway {

nlohmann::json ValueToJson(const sql::Value& value);
// [{column: value, ...}, ...]
nlohmann::json RowsToJson(const sql::QueryResult& result);
// [{name, type}, ...]
nlohmann::json ColumnsToJson(const sql::QueryResult& result);

}  // namespace lake::gateway
