#include "sql/engine.h"

#include <strings.h>

#include "sql/binder.h"
#include "sql/fragment_codec.h"
#include "sql/leaf_fragment.h"
#include "sql/parser.h"
#include "sql/query_runner.h"
#include "sql/root_stage.h"

namespace lake::sql {
namespace {

// Runs the subqueries of expressions while binding, over the engine's tables, whole.
class EngineSubqueries final : public SubqueryRunner {
 public:
  EngineSubqueries(const TableProvider& tables, TaskRunner* runner)
      : tables_(tables), runner_(runner) {}
  Result<std::vector<Vector>> Run(const BoundSelect& q) const override {
    return RunQueryColumns(q, tables_, runner_, nullptr);
  }

 private:
  const TableProvider& tables_;
  TaskRunner* runner_;
};

// Parses and binds `sql`, which must be exactly one SELECT.
Result<BoundStatement> BindOneSelect(std::string_view sql, const TableProvider& tables,
                                     TaskRunner* runner, std::optional<int64_t> statement_time) {
  LAKE_ASSIGN_OR_RETURN(std::vector<Statement> statements, Parse(sql));
  if (statements.size() != 1 || statements[0].kind != Statement::Kind::kSelect) {
    return Status::InvalidArgument("a query fragment is exactly one SELECT");
  }
  const EngineSubqueries subqueries(tables, runner);
  return Bind(statements[0], tables, &subqueries, statement_time);
}

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

Result<QueryResult> Engine::Execute(const Statement& statement) {
  switch (statement.kind) {
    case Statement::Kind::kShowTables:
      return ShowTables(tables_);
    case Statement::Kind::kDescribe: {
      LAKE_ASSIGN_OR_RETURN(BoundStatement bound, Bind(statement, tables_));
      return Describe(bound.describe);
    }
    case Statement::Kind::kSelect:
      break;
  }
  return RunSelect(statement.select);
}

Result<QueryResult> Engine::RunSelect(const SelectStatement& select) {
  const EngineSubqueries subqueries(tables_, runner_);
  LAKE_ASSIGN_OR_RETURN(BoundSelect q, BindSelect(select, tables_, &subqueries, statement_time_));
  if (q.set_operation) {
    ChunkCounts counts;
    LAKE_ASSIGN_OR_RETURN(std::vector<Vector> columns,
                          RunQueryColumns(q, tables_, runner_, nullptr, &counts));
    QueryResult result;
    result.chunks_scanned = counts.scanned;
    result.chunks_pruned = counts.pruned;
    result.names = q.names;
    for (const Vector& column : columns) result.types.push_back(column.type());
    const size_t rows = columns.empty() ? 0 : columns[0].size();
    for (size_t r = 0; r < rows; ++r) {
      result.rows.emplace_back();
      for (const Vector& column : columns) result.rows.back().push_back(ValueAt(column, r));
    }
    return result;
  }
  LAKE_ASSIGN_OR_RETURN(PartialResult leaf,
                        RunQueryLeaf(q, tables_, runner_, QueryChunks(q, tables_), nullptr));
  std::vector<PartialResult> partials;
  partials.push_back(std::move(leaf));
  return RunRootStage(q, std::move(partials), runner_);
}

Result<Bytes> Engine::RunFragment(ByteView request_bytes, const std::atomic<bool>* cancel) {
  LAKE_ASSIGN_OR_RETURN(PartialResult partial, RunFragmentPartial(request_bytes, cancel));
  return EncodePartialResult(partial);
}

Result<PartialResult> Engine::RunFragmentPartial(ByteView request_bytes,
                                                 const std::atomic<bool>* cancel) {
  LAKE_ASSIGN_OR_RETURN(FragmentRequest request, DecodeFragmentRequest(request_bytes));
  LAKE_ASSIGN_OR_RETURN(BoundStatement bound,
                        BindOneSelect(request.sql, tables_, runner_, request.statement_time));
  const size_t available = QueryChunks(bound.select, tables_).size();
  std::vector<size_t> chunks;
  for (uint64_t chunk : request.chunks) {
    if (chunk >= available) {
      return Status::InvalidArgument("query fragment names chunk " + std::to_string(chunk) +
                                     " of " + std::to_string(available));
    }
    chunks.push_back(static_cast<size_t>(chunk));
  }
  return RunQueryLeaf(bound.select, tables_, runner_, chunks, cancel);
}

Result<std::string> Engine::FragmentTable(std::string_view sql) {
  LAKE_ASSIGN_OR_RETURN(BoundStatement bound,
                        BindOneSelect(sql, tables_, runner_, statement_time_));
  return bound.select.table;
}

Result<QueryResult> Engine::MergeFragments(std::string_view sql,
                                           const std::vector<Bytes>& encoded) {
  LAKE_ASSIGN_OR_RETURN(BoundStatement bound,
                        BindOneSelect(sql, tables_, runner_, statement_time_));
  std::vector<PartialResult> partials;
  for (const Bytes& bytes : encoded) {
    LAKE_ASSIGN_OR_RETURN(PartialResult partial, DecodePartialResult(bytes, bound.select));
    partials.push_back(std::move(partial));
  }
  return RunRootStage(bound.select, std::move(partials), runner_);
}

Result<std::vector<QueryResult>> Engine::Run(std::string_view sql) {
  LAKE_ASSIGN_OR_RETURN(std::vector<Statement> statements, Parse(sql));
  std::vector<QueryResult> results;
  for (const Statement& statement : statements) {
    LAKE_ASSIGN_OR_RETURN(QueryResult result, Execute(statement));
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace lake::sql
