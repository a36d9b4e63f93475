#include "sql/query_runner.h"

#include <strings.h>

#include "sql/joined_table.h"
#include "sql/leaf_fragment.h"
#include "sql/root_stage.h"
#include "sql/row_order.h"
#include "sql/set_operation.h"

namespace lake::sql {
namespace {

// A set operation's answer: both sides whole, combined, then ORDER BY, OFFSET and LIMIT.
Result<std::vector<Vector>> RunSetOperation(const BoundSelect& q, const TableProvider& tables,
                                            TaskRunner* runner, const std::atomic<bool>* cancel,
                                            ChunkCounts* counts) {
  const BoundSetOperation& op = *q.set_operation;
  LAKE_ASSIGN_OR_RETURN(std::vector<Vector> left,
                        RunQueryColumns(*op.left, tables, runner, cancel, counts));
  LAKE_ASSIGN_OR_RETURN(std::vector<Vector> right,
                        RunQueryColumns(*op.right, tables, runner, cancel, counts));
  std::vector<LogicalType> types;
  for (const BoundExprPtr& p : q.projections) types.push_back(p->type);
  const std::vector<Vector> combined = CombineAnswers(op, left, right, types);
  std::vector<size_t> order =
      AnswerRows(combined, q, combined.empty() ? 0 : combined[0].size(), runner);
  const size_t offset = std::min(order.size(), static_cast<size_t>(q.offset));
  order.erase(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(offset));
  return TakeRows(combined, order);
}

}  // namespace

std::vector<size_t> QueryChunks(const BoundSelect& q, const TableProvider& tables) {
  size_t chunks = 1;
  if (!q.table.empty()) {
    for (const TableInfo& t : tables.ListTables()) {
      if (strcasecmp(t.name.c_str(), q.table.c_str()) == 0) chunks = t.chunks;
    }
  }
  std::vector<size_t> all(chunks);
  for (size_t i = 0; i < chunks; ++i) all[i] = i;
  return all;
}

Result<PartialResult> RunQueryLeaf(const BoundSelect& q, const TableProvider& tables,
                                   TaskRunner* runner, const std::vector<size_t>& chunks,
                                   const std::atomic<bool>* cancel) {
  if (q.set_operation) return Status::InvalidArgument("internal: a set operation as a fragment");
  if (!q.join) return RunLeafFragment(q, tables, runner, chunks, cancel);
  LAKE_ASSIGN_OR_RETURN(std::unique_ptr<JoinedTable> joined,
                        JoinedTable::Prepare(q.join, tables, runner, cancel));
  return RunLeafFragment(q, *joined, runner, chunks, cancel);
}

Result<std::vector<Vector>> RunQueryColumns(const BoundSelect& q, const TableProvider& tables,
                                            TaskRunner* runner, const std::atomic<bool>* cancel,
                                            ChunkCounts* counts) {
  if (q.set_operation) return RunSetOperation(q, tables, runner, cancel, counts);
  LAKE_ASSIGN_OR_RETURN(PartialResult leaf,
                        RunQueryLeaf(q, tables, runner, QueryChunks(q, tables), cancel));
  if (counts != nullptr && !q.table.empty()) {
    counts->scanned += leaf.chunks_scanned;
    counts->pruned += leaf.chunks_pruned;
  }
  std::vector<PartialResult> partials;
  partials.push_back(std::move(leaf));
  return RunRootStageColumns(q, std::move(partials), runner);
}

}  // namespace lake::sql
