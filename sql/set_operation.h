// Set operations over whole query results, with PostgreSQL's semantics: UNION [ALL], INTERSECT
// [ALL] and EXCEPT [ALL] pair the two sides' columns by position (names from the left side) and
// compare rows with NULLs equal. Without ALL the result has no duplicate rows; with ALL a row
// appears m + n times (UNION), min(m, n) times (INTERSECT) or max(m - n, 0) times (EXCEPT).
// The columns' types must match, except that BIGINT meets DOUBLE as DOUBLE and DATE meets
// TIMESTAMP as TIMESTAMP. Then ORDER BY (output columns, by name or position), LIMIT, OFFSET.
// Each side is a whole answer, so the operation runs where its sides' answers meet: the node
// asked, which gathers what its branches read (local/gathered_statement.h).
// Thread-safety: reentrant.
#pragma once

#include <functional>

#include "common/result.h"
#include "sql/ast.h"
#include "sql/engine.h"

namespace lake::sql {

// Answers one side: a SELECT, or a set operation of them (RunSetOperation again).
using SelectRunner = std::function<Result<QueryResult>(const SelectStatement&)>;

// Runs `select`, whose set_operation is set. Errors: the sides' own, a different number of
// columns or types that do not match (InvalidArgument at the statement's position), an ORDER
// BY that names no output column.
Result<QueryResult> RunSetOperation(const SelectStatement& select, const SelectRunner& run_side);

}  // namespace lake::sql
