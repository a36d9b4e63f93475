#include "sql/root_stage.h"

#include <algorithm>

#include "common/batch.h"
#include "sql/expression_executor.h"
#include "sql/row_order.h"
#include "sql/window_functions.h"

namespace lake::sql {
namespace {

// What ProjectGroups computes: `projections` over the rows that pass `having` (null: all).
struct Projection {
  const BoundExpr* having;
  const std::vector<BoundExprPtr>& projections;
};

// Without HAVING, a projection that is a group column is that column, unevaluated.
bool IsDirect(const Projection& q, size_t p) {
  return !q.having && q.projections[p]->kind == BoundExpr::Kind::kColumn;
}

// Groups [first, last) that pass HAVING, projected through the select list into `output` (one
// Vector per projection, appended to; direct projections are left alone).
Status ProjectGroupRange(const Projection& q, const std::vector<Vector>& groups, size_t first,
                         size_t last, std::vector<Vector>* output) {
  Schema schema;
  for (const Vector& v : groups) schema.push_back(Column{"", v.type()});
  Vector evaluated(LogicalType::kBoolean);
  std::vector<uint32_t> selection;
  Batch batch(schema);
  for (size_t offset = first; offset < last; offset += kVectorSize) {
    const size_t count = std::min(kVectorSize, last - offset);
    batch.CopyFrom(groups, offset, count);
    const Batch* input = &batch;
    Batch kept_rows(schema);
    if (q.having) {
      LAKE_ASSIGN_OR_RETURN(size_t kept, Select(*q.having, batch, &selection));
      if (kept == 0) continue;
      if (kept < count) {
        for (size_t c = 0; c < schema.size(); ++c) {
          kept_rows.column(c).AppendSelected(batch.column(c), selection.data(), kept);
        }
        input = &kept_rows;
      }
    }
    for (size_t p = 0; p < q.projections.size(); ++p) {
      if (IsDirect(q, p)) continue;
      LAKE_RETURN_IF_ERROR(Evaluate(*q.projections[p], *input, &evaluated));
      (*output)[p].AppendRange(evaluated, 0, evaluated.size());
    }
  }
  return Status::OK();
}

// The groups (or rows) that pass HAVING, projected through the select list. Ranges of whole
// vectors run in parallel on `runner`; the first error in row order is the one returned, as in a
// serial run.
Result<std::vector<Vector>> ProjectGroups(const Projection& q, std::vector<Vector> groups,
                                          TaskRunner* runner) {
  const size_t rows = groups.empty() ? 0 : groups[0].size();
  size_t evaluated = 0;  // projections not direct
  for (size_t p = 0; p < q.projections.size(); ++p) evaluated += !IsDirect(q, p);
  const size_t vectors = evaluated == 0 ? 0 : (rows + kVectorSize - 1) / kVectorSize;
  // One range on one thread: ranges only add copies there.
  const size_t parallelism = runner->parallelism();
  const size_t tasks =
      parallelism == 1 ? 1 : std::max<size_t>(1, std::min(vectors / 4, 4 * parallelism));
  std::vector<std::vector<Vector>> outputs(tasks);
  std::vector<Status> failures(tasks);
  runner->ParallelFor(tasks, [&](size_t task) {
    for (const BoundExprPtr& p : q.projections) outputs[task].emplace_back(p->type);
    const size_t first = std::min(rows, vectors * task / tasks * kVectorSize);
    const size_t last = std::min(rows, vectors * (task + 1) / tasks * kVectorSize);
    failures[task] = ProjectGroupRange(q, groups, first, last, &outputs[task]);
  });
  for (const Status& failure : failures) LAKE_RETURN_IF_ERROR(failure);
  // A group column used once moves to its projection; the others' ranges are concatenated.
  std::vector<size_t> uses(groups.size(), 0);
  for (size_t p = 0; p < q.projections.size(); ++p) {
    if (IsDirect(q, p)) ++uses[q.projections[p]->column];
  }
  std::vector<Vector> output;
  for (size_t p = 0; p < q.projections.size(); ++p) {
    if (IsDirect(q, p)) {
      Vector& column = groups[q.projections[p]->column];
      output.push_back(--uses[q.projections[p]->column] == 0 ? std::move(column) : column);
      continue;
    }
    if (tasks == 1) {
      output.push_back(std::move(outputs[0][p]));
      continue;
    }
    output.emplace_back(q.projections[p]->type);
    size_t total = 0;
    for (const std::vector<Vector>& part : outputs) total += part[p].size();
    output[p].Reserve(total);
    for (const std::vector<Vector>& part : outputs) {
      output[p].AppendRange(part[p], 0, part[p].size());
    }
  }
  return output;
}

// The intermediate rows (groups, or a plain query's scan batch rows) that pass HAVING, the
// window functions over all of them appended, then projected through the select list.
Result<std::vector<Vector>> ProjectWindowed(const BoundSelect& q, std::vector<Vector> rows,
                                            TaskRunner* runner) {
  if (q.having) {
    std::vector<BoundExprPtr> every;
    for (size_t c = 0; c < rows.size(); ++c) every.push_back(ColumnReference(c, rows[c].type()));
    LAKE_ASSIGN_OR_RETURN(rows, ProjectGroups({q.having.get(), every}, std::move(rows), runner));
  }
  LAKE_ASSIGN_OR_RETURN(std::vector<Vector> windows, ComputeWindows(q.windows, rows));
  for (Vector& w : windows) rows.push_back(std::move(w));
  return ProjectGroups({nullptr, q.projections}, std::move(rows), runner);
}

}  // namespace

namespace {

// The finished query: every projection's column, and the rows of the answer in order (OFFSET
// not yet applied). Sets result's chunk counts.
struct Finished {
  std::vector<Vector> output;
  std::vector<size_t> order;
};

Result<Finished> Finish(const BoundSelect& q, std::vector<PartialResult> partials,
                        TaskRunner* runner, QueryResult* result_counts) {
  QueryResult& result = *result_counts;
  std::vector<Vector> output;
  for (const BoundExprPtr& p : q.projections) output.emplace_back(p->type);
  for (PartialResult& part : partials) {
    result.chunks_scanned += part.chunks_scanned;
    result.chunks_pruned += part.chunks_pruned;
    if (q.aggregated || !q.windows.empty() || part.rows.size() != output.size()) continue;
    for (size_t c = 0; c < output.size(); ++c) {
      output[c].AppendRange(part.rows[c], 0, part.rows[c].size());
    }
  }
  if (q.aggregated) {
    std::vector<std::unique_ptr<GroupedAggregates>> aggregates;
    for (PartialResult& part : partials) {
      if (part.aggregates) aggregates.push_back(std::move(part.aggregates));
    }
    std::unique_ptr<GroupedAggregates> total;
    if (!aggregates.empty()) {
      total = GroupedAggregates::Merge(std::move(aggregates), runner);
    } else {  // no fragment at all: aggregate over no rows
      std::vector<LogicalType> key_types;
      for (const BoundExprPtr& k : q.group_keys) key_types.push_back(k->type);
      total = std::make_unique<GroupedAggregates>(key_types, q.aggregates);
    }
    LAKE_ASSIGN_OR_RETURN(std::vector<Vector> groups, total->Finalize(runner));
    if (q.windows.empty()) {
      LAKE_ASSIGN_OR_RETURN(
          output, ProjectGroups({q.having.get(), q.projections}, std::move(groups), runner));
    } else {
      LAKE_ASSIGN_OR_RETURN(output, ProjectWindowed(q, std::move(groups), runner));
    }
  } else if (!q.windows.empty()) {
    std::vector<Vector> rows;
    for (const LogicalType type : FragmentRowTypes(q)) rows.emplace_back(type);
    for (PartialResult& part : partials) {
      if (part.rows.size() != rows.size()) continue;
      for (size_t c = 0; c < rows.size(); ++c) {
        rows[c].AppendRange(part.rows[c], 0, part.rows[c].size());
      }
    }
    LAKE_ASSIGN_OR_RETURN(output, ProjectWindowed(q, std::move(rows), runner));
  }

  size_t rows = output.empty() ? 0 : output[0].size();
  if (q.distinct) {
    output = TakeRows(output, DistinctRows(output, q.visible, rows));
    rows = output.empty() ? 0 : output[0].size();
  }
  std::vector<size_t> order = AnswerRows(output, q, rows, runner);
  if (q.table.empty()) result.chunks_scanned = 0;
  return Finished{std::move(output), std::move(order)};
}

}  // namespace

Result<QueryResult> RunRootStage(const BoundSelect& q, std::vector<PartialResult> partials,
                                 TaskRunner* runner) {
  QueryResult result;
  LAKE_ASSIGN_OR_RETURN(Finished finished, Finish(q, std::move(partials), runner, &result));
  result.names = q.names;
  for (size_t c = 0; c < q.visible; ++c) result.types.push_back(q.projections[c]->type);
  for (size_t i = static_cast<size_t>(q.offset); i < finished.order.size(); ++i) {
    std::vector<Value> row;
    row.reserve(q.visible);
    for (size_t c = 0; c < q.visible; ++c) {
      row.push_back(ValueAt(finished.output[c], finished.order[i]));
    }
    result.rows.push_back(std::move(row));
  }
  return result;
}

Result<std::vector<Vector>> RunRootStageColumns(const BoundSelect& q,
                                                std::vector<PartialResult> partials,
                                                TaskRunner* runner) {
  QueryResult counts;
  LAKE_ASSIGN_OR_RETURN(Finished finished, Finish(q, std::move(partials), runner, &counts));
  finished.output.erase(finished.output.begin() + static_cast<long>(q.visible),
                        finished.output.end());
  const size_t skip = std::min(finished.order.size(), static_cast<size_t>(q.offset));
  const std::vector<size_t> rows(finished.order.begin() + static_cast<long>(skip),
                                 finished.order.end());
  return TakeRows(finished.output, rows);
}

}  // namespace lake::sql
