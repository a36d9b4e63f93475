// Set operations over whole query answers, with PostgreSQL's semantics: UNION [ALL], INTERSECT
// [ALL] and EXCEPT [ALL] pair the two sides' columns by position (names from the left side) and
// compare rows with NULLs equal. Without ALL the result has no duplicate rows; with ALL a row
// appears m + n times (UNION), min(m, n) times (INTERSECT) or max(m - n, 0) times (EXCEPT).
// The columns' types must match, except that BIGINT meets DOUBLE as DOUBLE, DATE meets
// TIMESTAMP as TIMESTAMP, and an untyped NULL takes the other side's type. The binder makes a
// set operation a BoundSelect (BoundSelect::set_operation) wherever a query may stand; it runs
// where its sides' answers meet (sql/query_runner.h), then ORDER BY (output columns, by name or
// position), LIMIT, OFFSET. In the network that is the node asked, which gathers what its
// branches read (local/gathered_statement.h).
// Thread-safety: pure functions.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "common/vector.h"
#include "sql/ast.h"
#include "sql/bound.h"

namespace lake::sql {

struct BoundSetOperation {
  SetOperation::Kind kind = SetOperation::Kind::kUnion;
  bool all = false;
  std::shared_ptr<const BoundSelect> left, right;
};

// "UNION", "INTERSECT" or "EXCEPT", for messages.
const char* SetOperationName(SetOperation::Kind kind);

// The type a column takes whose sides have types `left` and `right` (an untyped NULL side:
// `left_untyped` / `right_untyped`), or nullopt if they do not match.
std::optional<LogicalType> SetOperationType(LogicalType left, bool left_untyped, LogicalType right,
                                            bool right_untyped);

// The rows of `op` over its sides' answers (their visible columns), each column widened to
// `types[c]`, in the order they first appear.
std::vector<Vector> CombineAnswers(const BoundSetOperation& op, const std::vector<Vector>& left,
                                   const std::vector<Vector>& right,
                                   const std::vector<LogicalType>& types);

}  // namespace lake::sql
