// The SQL front end: text -> Statements (ast.h). The PostgreSQL 15 grammar itself, through
// libpg_query, reads the text; a transformer turns its parse tree into our AST and rejects what
// the dialect (docs/ARCHITECTURE.md) does not have — JOIN, subqueries, window functions, set operations —
// with a "not supported" error rather than a wrong answer later. DESCRIBE, which PostgreSQL lacks,
// is recognised before the grammar sees the statement (as DuckDB does).
// Errors are InvalidArgument statuses whose message ends "(at position P)"; P is 1-based, in
// bytes of the whole input, and Status::position() returns it.
// Thread-safety: Parse is reentrant (libpg_query keeps its state per thread).
#pragma once

#include <string_view>
#include <vector>

#include "common/result.h"
#include "sql/ast.h"

namespace lake::sql {

// Parses one or more ';'-separated statements.
Result<std::vector<Statement>> Parse(std::string_view sql);

}  // namespace lake::sql
