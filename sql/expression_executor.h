// The vectorised expression executor: evaluates a BoundExpr (sql/bound.h) over a Batch a vector
// at a time, with PostgreSQL's NULL semantics and runtime errors naming the query position.
// Dispatch on operator and type happens once per vector; the loops run over raw buffers.
// Thread-safety: pure functions; distinct calls may run concurrently on distinct outputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/batch.h"
#include "common/result.h"
#include "common/status.h"
#include "common/vector.h"
#include "sql/bound.h"

namespace lake::sql {

// Evaluates `expr` over every row of `input` into `out`, which is replaced by a Vector of
// expr.type with input.rows() rows. kColumn indexes input's columns. Errors (overflow, division
// by zero, failed CAST, ...) are InvalidArgument ending in "(at position P)", P = location + 1;
// rows a CASE/COALESCE/AND/OR does not need are not evaluated for errors (as in PostgreSQL).
// REQUIRES: input.rows() <= kVectorSize; expr is well typed (the binder's contract).
Status Evaluate(const BoundExpr& expr, const Batch& input, Vector* out);

// Evaluates a BOOLEAN `predicate` and writes to `selection` (cleared first) the ascending indexes
// of the rows where it is TRUE; NULL and FALSE rows are dropped. Returns how many.
Result<size_t> Select(const BoundExpr& predicate, const Batch& input,
                      std::vector<uint32_t>* selection);

}  // namespace lake::sql
