// The leaf fragment of a SELECT: scan -> zone-map pruning -> filter -> partial aggregate, or
// -> projection (with per-chunk DISTINCT and top-N), over a set of a table's chunks. It is the
// part of a query that runs where the data is: locally over every chunk, or on each chunk holder
// over the chunks it keeps (the root, sql/root_stage.h, merges what they return).
// Chunks run in parallel on the TaskRunner, each worker with its own partial state; rows a filter
// keeps are read through selection vectors, so column references are never copied out, and
// computed expressions are evaluated over the kept rows only (a filtered-out row cannot raise a
// division by zero).
// Thread-safety: reentrant; the TableProvider must allow concurrent reads.
#pragma once

#include <atomic>
#include <cstddef>
#include <vector>

#include "common/result.h"
#include "common/task_runner.h"
#include "sql/bound.h"
#include "sql/partial_result.h"
#include "sql/table_provider.h"

namespace lake::sql {

// Runs `q`'s leaf part over chunks `chunks` (indexes into q.table's chunks; for a SELECT
// without FROM, pass {0}: its one synthetic row). Errors: reading a chunk, runtime errors of
// expressions ("(at position P)"), Timeout("query cancelled") once `*cancel` is set (checked
// between vectors; null: never).
Result<PartialResult> RunLeafFragment(const BoundSelect& q, const TableProvider& tables,
                                      TaskRunner* runner, const std::vector<size_t>& chunks,
                                      const std::atomic<bool>* cancel = nullptr);

}  // namespace lake::sql
