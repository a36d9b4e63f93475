#include "sql/leaf_fragment.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <numeric>

#include "common/batch.h"
#include "sql/expression_executor.h"
#include "sql/row_order.h"
#include "sql/selected_vector.h"
#include "sql/zone_pruning.h"

namespace lake::sql {
namespace {

Schema ScanSchema(const BoundSelect& q) {
  Schema schema;
  for (size_t c : q.scan_columns) schema.push_back(q.table_schema[c]);
  if (schema.empty()) schema.push_back(Column{"", LogicalType::kBoolean});  // carries the count
  return schema;
}

// Marks in `used` the scan columns `e` reads.
void MarkColumns(const BoundExpr& e, std::vector<bool>* used) {
  if (e.kind == BoundExpr::Kind::kColumn) (*used)[e.column] = true;
  for (const BoundExprPtr& child : e.children) MarkColumns(*child, used);
}

// The scan columns (positions in q.scan_columns) the WHERE clause reads, when they are some but
// not all of them; else empty. Those are read first, and the others only for chunks where a row
// passes: a selective filter then decodes most columns of few chunks.
std::vector<size_t> FilterFirstColumns(const BoundSelect& q) {
  if (!q.filter || q.table.empty()) return {};
  std::vector<bool> used(q.scan_columns.size(), false);
  MarkColumns(*q.filter, &used);
  std::vector<size_t> columns;
  for (size_t c = 0; c < used.size(); ++c) {
    if (used[c]) columns.push_back(c);
  }
  if (columns.size() == used.size()) return {};
  return columns;
}

// A column of `rows` NULLs, standing in for one a filter does not read.
Vector StandIn(LogicalType type, size_t rows) {
  std::vector<uint64_t> none((rows + 63) / 64, 0);
  if (type == LogicalType::kVarchar) {
    return Vector::FromBuffers(type, rows, std::move(none), {}, std::vector<uint32_t>(rows + 1, 0),
                               {});
  }
  return Vector::FromBuffers(type, rows, std::move(none), Bytes(rows * FixedWidth(type)), {}, {});
}

void AppendAll(std::vector<Vector>* to, const std::vector<Vector>& from) {
  if (to->empty()) {
    for (const Vector& v : from) to->emplace_back(v.type());
  }
  for (size_t c = 0; c < from.size(); ++c) (*to)[c].AppendRange(from[c], 0, from[c].size());
}

// Cuts non-aggregated output to what the root can use: distinct rows under SELECT DISTINCT, and
// under a LIMIT without DISTINCT the first LIMIT + OFFSET rows, in ORDER BY order if there is one
// (without one, any rows will do, so the first in chunk order).
void Reduce(const BoundSelect& q, std::vector<Vector>* rows) {
  if (!q.windows.empty()) return;  // the rows are window inputs, all needed
  if (rows->empty() || (*rows)[0].size() == 0) return;
  if (q.distinct) *rows = TakeRows(*rows, DistinctRows(*rows, q.visible, (*rows)[0].size()));
  if (!q.limit || q.distinct) return;
  const size_t keep = static_cast<size_t>(*q.limit + q.offset);
  const size_t n = (*rows)[0].size();
  if (keep >= n) return;
  if (!q.order_by.empty()) {
    *rows = TakeRows(*rows, SortedRows(*rows, q.order_by, n, keep));
    return;
  }
  std::vector<size_t> first(keep);
  std::iota(first.begin(), first.end(), size_t{0});
  *rows = TakeRows(*rows, first);
}

// The rows of one vector of a chunk that passed the filter, and the expressions over them. A
// column reference is the batch's column read through the selection; anything else is
// evaluated, over a dense copy of the selected rows made at most once per vector.
class SelectedRows {
 public:
  SelectedRows(const Batch& batch, const Schema& schema, const uint32_t* selection, size_t count)
      : batch_(batch), schema_(schema), selection_(selection), count_(count) {}

  size_t count() const { return count_; }

  // `scratch` holds the values of a computed expression; it must outlive the result.
  Result<SelectedVector> View(const BoundExpr& e, Vector* scratch) {
    if (e.kind == BoundExpr::Kind::kColumn) {
      return SelectedVector{&batch_.column(e.column), selection_};
    }
    LAKE_RETURN_IF_ERROR(Evaluate(e, Dense(), scratch));
    return SelectedVector{scratch, nullptr};
  }

 private:
  const Batch& Dense() {
    if (selection_ == nullptr) return batch_;
    if (!gathered_) {
      gathered_ = std::make_unique<Batch>(schema_);
      for (size_t c = 0; c < batch_.column_count(); ++c) {
        gathered_->column(c).AppendSelected(batch_.column(c), selection_, count_);
      }
    }
    return *gathered_;
  }

  const Batch& batch_;
  const Schema& schema_;
  const uint32_t* selection_;
  size_t count_;
  std::unique_ptr<Batch> gathered_;
};

class LeafExecution {
 public:
  LeafExecution(const BoundSelect& q, const TableProvider& tables, TaskRunner* runner,
                const std::atomic<bool>* cancel)
      : q_(q),
        tables_(tables),
        runner_(runner),
        cancel_(cancel),
        scan_schema_(ScanSchema(q)),
        late_top_n_(LateTopN()),
        filter_first_(FilterFirstColumns(q)) {
    // With window functions a plain query's fragments send the scan batch (FragmentRowTypes).
    if (!q.aggregated && !q.windows.empty()) {
      for (size_t c = 0; c < scan_schema_.size(); ++c) {
        scan_rows_.push_back(ColumnReference(c, scan_schema_[c].type));
      }
    }
    if (filter_first_.empty()) return;
    for (const Column& column : scan_schema_) {
      full_stand_ins_.push_back(StandIn(column.type, kVectorSize));
    }
  }

  Result<PartialResult> Run(const std::vector<size_t>& chunks) {
    std::vector<LogicalType> key_types;
    for (const BoundExprPtr& k : q_.group_keys) key_types.push_back(k->type);
    const size_t workers = std::max<size_t>(1, std::min(runner_->parallelism(), chunks.size()));
    std::vector<std::unique_ptr<GroupedAggregates>> partials;
    for (size_t w = 0; w < workers; ++w) {
      partials.push_back(
          q_.aggregated ? std::make_unique<GroupedAggregates>(key_types, q_.aggregates) : nullptr);
    }
    outputs_.resize(chunks.size());
    std::atomic<size_t> next{0};
    runner_->ParallelFor(workers, [&](size_t worker) {
      for (size_t i = next++; i < chunks.size(); i = next++) {
        Status s = Cancelled() ? CancelledStatus()
                               : ProcessChunk(chunks[i], partials[worker].get(), &outputs_[i]);
        if (!s.ok()) {
          std::lock_guard<std::mutex> lock(mu_);
          if (failure_.ok()) failure_ = s;
          return;
        }
      }
    });
    LAKE_RETURN_IF_ERROR(failure_);
    PartialResult result;
    result.chunks_scanned = chunks_scanned_;
    result.chunks_pruned = chunks_pruned_;
    if (q_.aggregated) {
      result.aggregates = GroupedAggregates::Merge(std::move(partials), runner_);
      return result;
    }
    for (const std::vector<Vector>& part : outputs_) {
      if (!part.empty()) AppendAll(&result.rows, part);
    }
    if (result.rows.empty()) {
      for (const BoundExprPtr& p : RowExprs()) result.rows.emplace_back(p->type);
    }
    Reduce(q_, &result.rows);
    return result;
  }

 private:
  // Checked between vectors, so a cancelled fragment stops within one vector's work per worker.
  bool Cancelled() const { return cancel_ != nullptr && cancel_->load(std::memory_order_relaxed); }
  static Status CancelledStatus() { return Status::Timeout("query cancelled"); }

  // A BOOLEAN column of `rows` rows: the scan of a query that reads no column.
  static ColumnRef RowsOnly(size_t rows) {
    Vector v(LogicalType::kBoolean);
    v.Resize(rows);
    return std::make_shared<const ColumnPieces>(CutIntoPieces(v, /*dictionaries=*/false));
  }

  // The rows of `chunk`: the zone map has the count, else a column is read for it.
  Result<size_t> ChunkRows(size_t chunk) {
    if (std::optional<ColumnRange> range = tables_.ChunkRange(q_.table, chunk, 0)) {
      return static_cast<size_t>(range->rows);
    }
    LAKE_ASSIGN_OR_RETURN(std::vector<ColumnRef> read, tables_.ReadChunk(q_.table, chunk, {0}));
    size_t rows = 0;
    for (const Vector& piece : *read[0]) rows += piece.size();
    return rows;
  }

  Result<std::vector<ColumnRef>> ReadScanColumns(size_t chunk) {
    if (q_.table.empty()) return std::vector<ColumnRef>{RowsOnly(1)};  // SELECT without FROM
    if (q_.scan_columns.empty()) {  // e.g. COUNT(*) under a constant filter: rows, no values
      LAKE_ASSIGN_OR_RETURN(size_t rows, ChunkRows(chunk));
      return std::vector<ColumnRef>{RowsOnly(rows)};
    }
    return tables_.ReadChunk(q_.table, chunk, q_.scan_columns);
  }

  // Reads the filter's columns of `chunk` (filter_first_), selects each piece's rows into
  // `selections`, and only if a row passes reads the other columns into `columns` (all scan
  // columns, in order). Returns how many rows passed.
  Result<size_t> ReadFilteredFirst(size_t chunk, std::vector<ColumnRef>* columns,
                                   std::vector<std::vector<uint32_t>>* selections) {
    std::vector<size_t> table_columns;
    for (size_t c : filter_first_) table_columns.push_back(q_.scan_columns[c]);
    LAKE_ASSIGN_OR_RETURN(std::vector<ColumnRef> read,
                          tables_.ReadChunk(q_.table, chunk, table_columns));
    columns->assign(q_.scan_columns.size(), nullptr);
    for (size_t k = 0; k < filter_first_.size(); ++k) (*columns)[filter_first_[k]] = read[k];
    // The filter reads no other column: NULLs of the piece's length stand in for those.
    std::vector<Vector> short_stand_ins;  // for a piece shorter than kVectorSize
    const ColumnPieces& first = *read[0];
    selections->resize(first.size());
    Batch batch(scan_schema_);
    std::vector<const Vector*> piece_columns(scan_schema_.size());
    size_t passed = 0;
    for (size_t piece = 0; piece < first.size(); ++piece) {
      if (Cancelled()) return CancelledStatus();
      const size_t rows = first[piece].size();
      for (size_t c = 0; c < scan_schema_.size(); ++c) {
        if ((*columns)[c]) {
          piece_columns[c] = &(*(*columns)[c])[piece];
          continue;
        }
        if (rows == kVectorSize) {
          piece_columns[c] = &full_stand_ins_[c];
          continue;
        }
        if (short_stand_ins.empty() || short_stand_ins[0].size() != rows) {
          short_stand_ins.clear();
          for (const Column& column : scan_schema_) {
            short_stand_ins.push_back(StandIn(column.type, rows));
          }
        }
        piece_columns[c] = &short_stand_ins[c];
      }
      batch.Borrow(piece_columns);
      LAKE_ASSIGN_OR_RETURN(size_t kept, Select(*q_.filter, batch, &(*selections)[piece]));
      passed += kept;
    }
    if (passed == 0) return passed;
    table_columns.clear();
    std::vector<size_t> rest;
    for (size_t c = 0; c < q_.scan_columns.size(); ++c) {
      if (!(*columns)[c]) {
        rest.push_back(c);
        table_columns.push_back(q_.scan_columns[c]);
      }
    }
    LAKE_ASSIGN_OR_RETURN(read, tables_.ReadChunk(q_.table, chunk, table_columns));
    for (size_t k = 0; k < rest.size(); ++k) (*columns)[rest[k]] = read[k];
    return passed;
  }

  // SELECT COUNT(*) [, COUNT(*)...] FROM t: a chunk adds its row count, and no row is looked at.
  bool CountsRowsOnly() const {
    if (q_.table.empty() || !q_.aggregated || q_.filter || !q_.group_keys.empty()) return false;
    return std::all_of(q_.aggregates.begin(), q_.aggregates.end(),
                       [](const BoundAggregate& a) { return a.kind == AggregateKind::kCountStar; });
  }

  // Whether the chunk's zone maps leave any row that could pass the WHERE clause.
  bool MayMatch(size_t chunk) const {
    if (!q_.filter || q_.table.empty()) return true;
    return ChunkMayMatch(*q_.filter, [&](size_t scan_column) {
      return tables_.ChunkRange(q_.table, chunk, q_.scan_columns[scan_column]);
    });
  }

  Status ProcessChunk(size_t chunk, GroupedAggregates* partial, std::vector<Vector>* output) {
    if (!MayMatch(chunk)) {
      ++chunks_pruned_;
      return Status::OK();
    }
    if (!q_.table.empty()) ++chunks_scanned_;
    if (CountsRowsOnly()) {
      LAKE_ASSIGN_OR_RETURN(size_t rows, ChunkRows(chunk));
      partial->CountRows(rows);
      return Status::OK();
    }
    std::vector<ColumnRef> columns;
    std::vector<std::vector<uint32_t>> selections;  // by piece, when the filter ran first
    if (filter_first_.empty()) {
      LAKE_ASSIGN_OR_RETURN(columns, ReadScanColumns(chunk));
    } else {
      LAKE_ASSIGN_OR_RETURN(size_t passed, ReadFilteredFirst(chunk, &columns, &selections));
      if (passed == 0) return Status::OK();
    }
    const size_t pieces = columns.empty() ? 0 : columns[0]->size();
    std::vector<Vector> key_values, argument_values, projected_values;
    for (const BoundExprPtr& k : q_.group_keys) key_values.emplace_back(k->type);
    for (const BoundAggregate& a : q_.aggregates) {
      argument_values.emplace_back(a.argument ? a.argument->type : LogicalType::kBigInt);
    }
    for (const BoundExprPtr& p : RowExprs()) projected_values.emplace_back(p->type);
    std::vector<SelectedVector> keys(q_.group_keys.size()), arguments(q_.aggregates.size());
    std::vector<Vector> top_keys;  // late_top_n_
    std::vector<uint32_t> top_rows;
    for (const BoundOrder& o : q_.order_by) top_keys.emplace_back(q_.projections[o.column]->type);
    std::vector<uint32_t> selection;
    Batch batch(scan_schema_);
    std::vector<const Vector*> piece_columns(columns.size());
    for (size_t piece = 0; piece < pieces; ++piece) {
      if (Cancelled()) return CancelledStatus();
      for (size_t c = 0; c < columns.size(); ++c) piece_columns[c] = &(*columns[c])[piece];
      batch.Borrow(piece_columns);
      const size_t count = batch.rows();
      const uint32_t* kept = nullptr;
      size_t kept_count = count;
      if (!selections.empty()) {
        selection = std::move(selections[piece]);
        kept_count = selection.size();
        if (kept_count == 0) continue;
        if (kept_count < count) kept = selection.data();
      } else if (q_.filter) {
        LAKE_ASSIGN_OR_RETURN(kept_count, Select(*q_.filter, batch, &selection));
        if (kept_count == 0) continue;
        if (kept_count < count) kept = selection.data();
      }
      SelectedRows input(batch, scan_schema_, kept, kept_count);
      if (q_.aggregated) {
        for (size_t k = 0; k < keys.size(); ++k) {
          LAKE_ASSIGN_OR_RETURN(keys[k], input.View(*q_.group_keys[k], &key_values[k]));
        }
        for (size_t a = 0; a < arguments.size(); ++a) {
          if (!q_.aggregates[a].argument) continue;  // COUNT(*)
          LAKE_ASSIGN_OR_RETURN(arguments[a],
                                input.View(*q_.aggregates[a].argument, &argument_values[a]));
        }
        partial->Update(keys, arguments, kept_count);
      } else if (late_top_n_) {
        // Only the ORDER BY keys now, and where each row came from.
        for (size_t k = 0; k < q_.order_by.size(); ++k) {
          const size_t p = q_.order_by[k].column;
          LAKE_ASSIGN_OR_RETURN(SelectedVector v,
                                input.View(*q_.projections[p], &projected_values[p]));
          top_keys[k].AppendSelected(*v.vector, v.selection, kept_count);
        }
        for (size_t i = 0; i < kept_count; ++i) {
          top_rows.push_back(static_cast<uint32_t>(piece * kVectorSize + (kept ? kept[i] : i)));
        }
      } else {
        const std::vector<BoundExprPtr>& exprs = RowExprs();
        if (output->empty()) {
          for (const BoundExprPtr& p : exprs) output->emplace_back(p->type);
        }
        for (size_t p = 0; p < exprs.size(); ++p) {
          LAKE_ASSIGN_OR_RETURN(SelectedVector v, input.View(*exprs[p], &projected_values[p]));
          (*output)[p].AppendSelected(*v.vector, v.selection, kept_count);
        }
      }
    }
    if (late_top_n_) return MaterializeTop(columns, top_keys, top_rows, output);
    if (!q_.aggregated) Reduce(q_, output);
    return Status::OK();
  }

  // Whether ORDER BY ... LIMIT can pick a chunk's top rows by their keys alone and build only
  // those rows: when LIMIT + OFFSET fits a vector and every other output column is a plain
  // column (so building fewer rows cannot skip an error that building all would raise).
  bool LateTopN() const {
    if (q_.aggregated || q_.distinct || q_.order_by.empty() || !q_.limit) return false;
    if (!q_.windows.empty()) return false;
    if (*q_.limit + q_.offset > static_cast<int64_t>(kVectorSize)) return false;
    for (size_t p = 0; p < q_.projections.size(); ++p) {
      const bool is_key = std::any_of(q_.order_by.begin(), q_.order_by.end(),
                                      [&](const BoundOrder& o) { return o.column == p; });
      if (!is_key && q_.projections[p]->kind != BoundExpr::Kind::kColumn) return false;
    }
    return true;
  }

  // The top LIMIT + OFFSET rows by `keys` (ORDER BY's keys of the rows at `rows`, positions
  // piece * kVectorSize + row in the chunk's `columns`), built whole into `output`.
  Status MaterializeTop(const std::vector<ColumnRef>& columns, const std::vector<Vector>& keys,
                        const std::vector<uint32_t>& rows, std::vector<Vector>* output) {
    std::vector<BoundOrder> order = q_.order_by;
    for (size_t k = 0; k < order.size(); ++k) order[k].column = k;
    const size_t keep = static_cast<size_t>(*q_.limit + q_.offset);
    Batch top(scan_schema_);
    for (size_t i : SortedRows(keys, order, rows.size(), std::min(keep, rows.size()))) {
      const uint32_t at = rows[i];
      for (size_t c = 0; c < columns.size(); ++c) {
        top.column(c).AppendRange((*columns[c])[at / kVectorSize], at % kVectorSize, 1);
      }
    }
    output->clear();
    for (const BoundExprPtr& p : q_.projections) {
      output->emplace_back(p->type);
      LAKE_RETURN_IF_ERROR(Evaluate(*p, top, &output->back()));
    }
    return Status::OK();
  }

  // What a plain query's rows are made of: its projections, or its scan batch's columns.
  const std::vector<BoundExprPtr>& RowExprs() const {
    return scan_rows_.empty() ? q_.projections : scan_rows_;
  }

  const BoundSelect& q_;
  const TableProvider& tables_;
  TaskRunner* runner_;
  const std::atomic<bool>* const cancel_;  // null: not cancellable
  const Schema scan_schema_;
  const bool late_top_n_;                   // see LateTopN
  const std::vector<size_t> filter_first_;  // see FilterFirstColumns
  std::vector<Vector> full_stand_ins_;      // kVectorSize NULLs per scan column, if filtering first
  std::vector<std::vector<Vector>> outputs_;  // non-aggregated, by position in `chunks`
  std::vector<BoundExprPtr> scan_rows_;       // see RowExprs
  std::mutex mu_;
  Status failure_;
  std::atomic<uint64_t> chunks_scanned_{0};
  std::atomic<uint64_t> chunks_pruned_{0};
};

}  // namespace

Result<PartialResult> RunLeafFragment(const BoundSelect& q, const TableProvider& tables,
                                      TaskRunner* runner, const std::vector<size_t>& chunks,
                                      const std::atomic<bool>* cancel) {
  return LeafExecution(q, tables, runner, cancel).Run(chunks);
}

}  // namespace lake::sql
