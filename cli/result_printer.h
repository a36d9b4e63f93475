// Prints query results the way `p2plake sql` and `p2plake query` promise: an aligned table for
// people, CSV (gateway/query_csv.h: header row, RFC 4180 quoting, NULL as an empty field, booleans
// true/false, ISO timestamps) and JSON (gateway/query_json.h: an array of row objects per
// statement) for programs.
#pragma once

#include <ostream>
#include <string>

#include "sql/engine.h"

namespace lake::cli {

enum class ResultFormat { kTable, kCsv, kJson };

// A `--format` value ("table", "csv" or "json", as the option checks it).
ResultFormat ResultFormatNamed(const std::string& name);

void PrintResult(const sql::QueryResult& result, ResultFormat format, std::ostream& out);

}  // namespace lake::cli
