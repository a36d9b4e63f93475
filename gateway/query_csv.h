// Query answers as CSV, shared by `p2plake sql --format csv`, `p2plake query --format csv` and
// the gateway's /api/query?stream=1&format=csv: a header row of column names, then one line per
// row, "\n"-terminated; RFC 4180 quoting (a field holding a comma, quote, CR or LF is quoted, its
// quotes doubled), NULL as an empty field, every other value as its SQL text (Value::ToString:
// booleans true/false, ISO dates and timestamps).
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "sql/engine.h"

namespace lake::gateway {

std::string CsvField(const sql::Value& value);
// The header line: the column names.
std::string CsvHeader(const sql::QueryResult& result);
// Row `r`'s line. REQUIRES: r < result.rows.size()
std::string CsvRow(const sql::QueryResult& result, size_t r);

}  // namespace lake::gateway
