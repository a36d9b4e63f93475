// Prints query results the way `p2plake sql` promises: an aligned table for people,
// CSV (header row, RFC 4180 quoting, NULL as an empty field, booleans true/false, ISO
// timestamps) and JSON (an array of row objects per statement) for programs.
#pragma once

#include <ostream>
#include <string>

#include "sql/engine.h"

namespace lake::cli {

enum class ResultFormat { kTable, kCsv, kJson };

void PrintResult(const sql::QueryResult& result, ResultFormat format, std::ostream& out);

}  // namespace lake::cli
