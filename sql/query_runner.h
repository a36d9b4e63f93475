// Running a bound SELECT over a TableProvider: its leaf fragment over some chunks (through a
// JoinedTable when its FROM clause joins or reads subqueries), or the whole query to columns
// (how a subquery's result is computed, and a set operation's: its sides whole, combined). The
// engine and the join executor share these.
// Thread-safety: reentrant; the provider must allow concurrent reads.
#pragma once

#include <atomic>
#include <vector>

#include "common/result.h"
#include "common/task_runner.h"
#include "sql/bound.h"
#include "sql/partial_result.h"
#include "sql/table_provider.h"

namespace lake::sql {

// Every chunk of q's table (a SELECT without FROM, or over a table `tables` does not list,
// reads one).
std::vector<size_t> QueryChunks(const BoundSelect& q, const TableProvider& tables);

// q's leaf fragment over `chunks` (a join's build sides and subqueries prepared first). Not for
// a set operation, which runs only whole.
Result<PartialResult> RunQueryLeaf(const BoundSelect& q, const TableProvider& tables,
                                   TaskRunner* runner, const std::vector<size_t>& chunks,
                                   const std::atomic<bool>* cancel);

// The chunks a query read and those its zone maps skipped.
struct ChunkCounts {
  uint64_t scanned = 0;
  uint64_t pruned = 0;
};

// q whole: its visible columns, rows in answer order. Adds to `counts`, if given, the chunks its
// scans read and skipped (a set operation's: both sides').
Result<std::vector<Vector>> RunQueryColumns(const BoundSelect& q, const TableProvider& tables,
                                            TaskRunner* runner, const std::atomic<bool>* cancel,
                                            ChunkCounts* counts = nullptr);

}  // namespace lake::sql
