#include "sql/engine.h"

#include <strings.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>

#include "common/batch.h"
#include "sql/binder.h"
#include "sql/expression_executor.h"
#include "sql/grouped_aggregates.h"
#include "sql/parser.h"
#include "sql/row_order.h"
#include "sql/zone_pruning.h"

namespace lake::sql {
namespace {

Value ValueAt(const Vector& v, size_t row) {
  if (!v.IsValid(row)) return Value::Null(v.type());
  switch (v.type()) {
    case LogicalType::kBigInt:
      return Value::BigInt(v.Get<int64_t>(row));
    case LogicalType::kDouble:
      return Value::Double(v.Get<double>(row));
    case LogicalType::kBoolean:
      return Value::Boolean(v.Get<uint8_t>(row) != 0);
    case LogicalType::kVarchar:
      return Value::Varchar(std::string(v.GetString(row)));
    case LogicalType::kDate:
      return Value::Date(v.Get<int32_t>(row));
    case LogicalType::kTimestamp:
      return Value::Timestamp(v.Get<int64_t>(row));
  }
  return Value::Null(v.type());
}

// Runtime errors carry "(at position P)" in their message; callers also want P as a number.
void NotePosition(const Status& status, int* error_position) {
  if (error_position == nullptr) return;
  const std::string& m = status.message();
  const size_t at = m.rfind("(at position ");
  if (at != std::string::npos) *error_position = std::atoi(m.c_str() + at + 13);
}

Schema ScanSchema(const BoundSelect& q) {
  Schema schema;
  for (size_t c : q.scan_columns) schema.push_back(q.table_schema[c]);
  if (schema.empty()) schema.push_back(Column{"", LogicalType::kBoolean});  // carries the count
  return schema;
}

// Rows `selection[0..count)` of `in`, as a new batch.
Batch Gather(const Batch& in, const Schema& schema, const std::vector<uint32_t>& selection,
             size_t count) {
  Batch out(schema);
  for (size_t c = 0; c < in.column_count(); ++c) {
    Vector& column = out.column(c);
    for (size_t i = 0; i < count; ++i) column.AppendRange(in.column(c), selection[i], 1);
  }
  return out;
}

Status EvaluateAll(const std::vector<BoundExprPtr>& exprs, const Batch& batch,
                   std::vector<Vector>* out) {
  out->clear();
  for (const BoundExprPtr& e : exprs) {
    out->emplace_back(e->type);
    LAKE_RETURN_IF_ERROR(Evaluate(*e, batch, &out->back()));
  }
  return Status::OK();
}

void AppendAll(std::vector<Vector>* to, const std::vector<Vector>& from) {
  if (to->empty()) {
    for (const Vector& v : from) to->emplace_back(v.type());
  }
  for (size_t c = 0; c < from.size(); ++c) (*to)[c].AppendRange(from[c], 0, from[c].size());
}

// Executes one SELECT: the per-chunk part on every worker, then the final part.
class SelectExecution {
 public:
  SelectExecution(const BoundSelect& q, const TableProvider& tables, TaskRunner* runner)
      : q_(q), tables_(tables), runner_(runner), scan_schema_(ScanSchema(q)) {}

  Result<QueryResult> Run() {
    size_t chunks = 1;  // SELECT without FROM reads one synthetic row
    if (!q_.table.empty()) {
      for (const TableInfo& t : tables_.ListTables()) {
        if (strcasecmp(t.name.c_str(), q_.table.c_str()) == 0) chunks = t.chunks;
      }
    }
    std::vector<LogicalType> key_types;
    for (const BoundExprPtr& k : q_.group_keys) key_types.push_back(k->type);
    const size_t workers = std::max<size_t>(1, std::min(runner_->parallelism(), chunks));
    for (size_t w = 0; w < workers; ++w) {
      partials_.push_back(
          q_.aggregated ? std::make_unique<GroupedAggregates>(key_types, q_.aggregates) : nullptr);
    }
    chunk_outputs_.resize(chunks);
    std::atomic<size_t> next{0};
    runner_->ParallelFor(workers, [&](size_t worker) {
      for (size_t chunk = next++; chunk < chunks; chunk = next++) {
        Status s = ProcessChunk(chunk, partials_[worker].get());
        if (!s.ok()) {
          std::lock_guard<std::mutex> lock(mu_);
          if (failure_.ok()) failure_ = s;
          return;
        }
      }
    });
    LAKE_RETURN_IF_ERROR(failure_);
    std::vector<Vector> output;
    if (q_.aggregated) {
      LAKE_ASSIGN_OR_RETURN(output, FinishAggregation());
    } else {
      for (const std::vector<Vector>& part : chunk_outputs_) {
        if (!part.empty()) AppendAll(&output, part);
      }
      if (output.empty()) {
        for (const BoundExprPtr& p : q_.projections) output.emplace_back(p->type);
      }
    }
    return Answer(std::move(output));
  }

 private:
  Result<std::vector<Vector>> ReadScanColumns(size_t chunk) {
    if (q_.table.empty()) {
      Vector one(LogicalType::kBoolean);
      one.Append<uint8_t>(1);
      std::vector<Vector> columns;
      columns.push_back(std::move(one));
      return columns;
    }
    // COUNT(*) alone needs no column, but the row count comes with one.
    const std::vector<size_t> columns =
        q_.scan_columns.empty() ? std::vector<size_t>{0} : q_.scan_columns;
    LAKE_ASSIGN_OR_RETURN(std::vector<Vector> read, tables_.ReadChunk(q_.table, chunk, columns));
    if (q_.scan_columns.empty()) {
      // Keep only the row count: a BOOLEAN column of that many rows.
      Vector rows(LogicalType::kBoolean);
      rows.Resize(read.empty() ? 0 : read[0].size());
      read.clear();
      read.push_back(std::move(rows));
    }
    return read;
  }

  // Whether the chunk's zone maps leave any row that could pass the WHERE clause.
  bool MayMatch(size_t chunk) const {
    if (!q_.filter || q_.table.empty()) return true;
    return ChunkMayMatch(*q_.filter, [&](size_t scan_column) {
      return tables_.ChunkRange(q_.table, chunk, q_.scan_columns[scan_column]);
    });
  }

  Status ProcessChunk(size_t chunk, GroupedAggregates* partial) {
    if (!MayMatch(chunk)) {
      ++chunks_pruned_;
      return Status::OK();
    }
    ++chunks_scanned_;
    LAKE_ASSIGN_OR_RETURN(std::vector<Vector> columns, ReadScanColumns(chunk));
    const size_t rows = columns.empty() ? 0 : columns[0].size();
    std::vector<Vector> projected;
    std::vector<Vector> keys, arguments, evaluated;
    std::vector<uint32_t> selection;
    Batch batch(scan_schema_);
    for (size_t offset = 0; offset < rows; offset += kVectorSize) {
      const size_t count = std::min(kVectorSize, rows - offset);
      batch.CopyFrom(columns, offset, count);
      const Batch* input = &batch;
      Batch filtered(scan_schema_);
      if (q_.filter) {
        LAKE_ASSIGN_OR_RETURN(size_t kept, Select(*q_.filter, batch, &selection));
        if (kept == 0) continue;
        if (kept < count) {
          filtered = Gather(batch, scan_schema_, selection, kept);
          input = &filtered;
        }
      }
      if (q_.aggregated) {
        LAKE_RETURN_IF_ERROR(EvaluateAll(q_.group_keys, *input, &keys));
        arguments.clear();
        for (const BoundAggregate& a : q_.aggregates) {
          arguments.emplace_back(a.argument ? a.argument->type : LogicalType::kBigInt);
          if (a.argument) LAKE_RETURN_IF_ERROR(Evaluate(*a.argument, *input, &arguments.back()));
        }
        LAKE_RETURN_IF_ERROR(partial->Update(keys, arguments, input->rows()));
      } else {
        LAKE_RETURN_IF_ERROR(EvaluateAll(q_.projections, *input, &evaluated));
        AppendAll(&projected, evaluated);
      }
    }
    if (!q_.aggregated && !projected.empty()) {
      // With ORDER BY ... LIMIT only the chunk's own top rows can reach the answer.
      if (!q_.order_by.empty() && q_.limit && !q_.distinct) {
        const size_t keep = static_cast<size_t>(*q_.limit + q_.offset);
        if (keep < projected[0].size()) {
          projected =
              TakeRows(projected, SortedRows(projected, q_.order_by, projected[0].size(), keep));
        }
      }
      chunk_outputs_[chunk] = std::move(projected);
    }
    return Status::OK();
  }

  Result<std::vector<Vector>> FinishAggregation() {
    GroupedAggregates& total = *partials_[0];
    for (size_t w = 1; w < partials_.size(); ++w) {
      LAKE_RETURN_IF_ERROR(total.Combine(*partials_[w]));
    }
    LAKE_ASSIGN_OR_RETURN(std::vector<Vector> groups, total.Finalize());
    Schema schema;
    for (const Vector& v : groups) schema.push_back(Column{"", v.type()});
    std::vector<Vector> output;
    std::vector<Vector> evaluated;
    std::vector<uint32_t> selection;
    const size_t rows = groups.empty() ? 0 : groups[0].size();
    Batch batch(schema);
    for (size_t offset = 0; offset < rows; offset += kVectorSize) {
      const size_t count = std::min(kVectorSize, rows - offset);
      batch.CopyFrom(groups, offset, count);
      const Batch* input = &batch;
      Batch kept_rows(schema);
      if (q_.having) {
        LAKE_ASSIGN_OR_RETURN(size_t kept, Select(*q_.having, batch, &selection));
        if (kept == 0) continue;
        if (kept < count) {
          kept_rows = Gather(batch, schema, selection, kept);
          input = &kept_rows;
        }
      }
      LAKE_RETURN_IF_ERROR(EvaluateAll(q_.projections, *input, &evaluated));
      AppendAll(&output, evaluated);
    }
    if (output.empty()) {
      for (const BoundExprPtr& p : q_.projections) output.emplace_back(p->type);
    }
    return output;
  }

  Result<QueryResult> Answer(std::vector<Vector> output) {
    size_t rows = output.empty() ? 0 : output[0].size();
    if (q_.distinct) {
      output = TakeRows(output, DistinctRows(output, q_.visible, rows));
      rows = output.empty() ? 0 : output[0].size();
    }
    std::vector<size_t> order;
    const size_t wanted = q_.limit ? static_cast<size_t>(*q_.limit + q_.offset) : rows;
    if (!q_.order_by.empty()) {
      order = SortedRows(output, q_.order_by, rows, std::min(wanted, rows));
    } else {
      order.resize(std::min(wanted, rows));
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    }
    QueryResult result;
    result.names = q_.names;
    result.chunks_scanned = q_.table.empty() ? 0 : chunks_scanned_.load();
    result.chunks_pruned = chunks_pruned_.load();
    for (size_t c = 0; c < q_.visible; ++c) result.types.push_back(q_.projections[c]->type);
    for (size_t i = static_cast<size_t>(q_.offset); i < order.size(); ++i) {
      std::vector<Value> row;
      row.reserve(q_.visible);
      for (size_t c = 0; c < q_.visible; ++c) row.push_back(ValueAt(output[c], order[i]));
      result.rows.push_back(std::move(row));
    }
    return result;
  }

  const BoundSelect& q_;
  const TableProvider& tables_;
  TaskRunner* runner_;
  const Schema scan_schema_;
  std::vector<std::unique_ptr<GroupedAggregates>> partials_;  // one per worker
  std::vector<std::vector<Vector>> chunk_outputs_;            // non-aggregated, by chunk
  std::mutex mu_;
  Status failure_;
  std::atomic<uint64_t> chunks_scanned_{0};
  std::atomic<uint64_t> chunks_pruned_{0};
};

QueryResult ShowTables(const TableProvider& tables) {
  QueryResult result;
  result.names = {"table_name", "row_count", "column_count", "chunks"};
  result.types = {LogicalType::kVarchar, LogicalType::kBigInt, LogicalType::kBigInt,
                  LogicalType::kBigInt};
  for (const TableInfo& t : tables.ListTables()) {
    result.rows.push_back({Value::Varchar(t.name), Value::BigInt(static_cast<int64_t>(t.rows)),
                           Value::BigInt(static_cast<int64_t>(t.schema.size())),
                           Value::BigInt(static_cast<int64_t>(t.chunks))});
  }
  return result;
}

QueryResult Describe(const Schema& schema) {
  QueryResult result;
  result.names = {"column_name", "data_type"};
  result.types = {LogicalType::kVarchar, LogicalType::kVarchar};
  for (const Column& c : schema) {
    result.rows.push_back({Value::Varchar(c.name), Value::Varchar(std::string(TypeName(c.type)))});
  }
  return result;
}

}  // namespace

Result<QueryResult> Engine::Execute(const Statement& statement, int* error_position) {
  LAKE_ASSIGN_OR_RETURN(BoundStatement bound, Bind(statement, tables_, error_position));
  switch (bound.kind) {
    case BoundStatement::Kind::kShowTables:
      return ShowTables(tables_);
    case BoundStatement::Kind::kDescribe:
      return Describe(bound.describe);
    case BoundStatement::Kind::kSelect:
      break;
  }
  Result<QueryResult> result = SelectExecution(bound.select, tables_, runner_).Run();
  if (!result.ok()) NotePosition(result.status(), error_position);
  return result;
}

Result<std::vector<QueryResult>> Engine::Run(std::string_view sql, int* error_position) {
  LAKE_ASSIGN_OR_RETURN(std::vector<Statement> statements, Parse(sql, error_position));
  std::vector<QueryResult> results;
  for (const Statement& statement : statements) {
    LAKE_ASSIGN_OR_RETURN(QueryResult result, Execute(statement, error_position));
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace lake::sql
