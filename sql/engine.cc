#include "sql/engine.h"

#include <strings.h>

#include "sql/binder.h"
#include "sql/fragment_codec.h"
#include "sql/leaf_fragment.h"
#include "sql/parser.h"
#include "sql/root_stage.h"

namespace lake::sql {
namespace {

// Every chunk of the query's table (a SELECT without FROM reads one synthetic row).
std::vector<size_t> AllChunks(const BoundSelect& q, const TableProvider& tables) {
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

// Parses and binds `sql`, which must be exactly one SELECT.
Result<BoundStatement> BindOneSelect(std::string_view sql, const TableProvider& tables,
                                     std::optional<int64_t> statement_time) {
  LAKE_ASSIGN_OR_RETURN(std::vector<Statement> statements, Parse(sql));
  if (statements.size() != 1 || statements[0].kind != Statement::Kind::kSelect) {
    return Status::InvalidArgument("a query fragment is exactly one SELECT");
  }
  return Bind(statements[0], tables, statement_time);
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
  LAKE_ASSIGN_OR_RETURN(BoundStatement bound, Bind(statement, tables_, statement_time_));
  switch (bound.kind) {
    case BoundStatement::Kind::kShowTables:
      return ShowTables(tables_);
    case BoundStatement::Kind::kDescribe:
      return Describe(bound.describe);
    case BoundStatement::Kind::kSelect:
      break;
  }
  const BoundSelect& q = bound.select;
  LAKE_ASSIGN_OR_RETURN(PartialResult leaf,
                        RunLeafFragment(q, tables_, runner_, AllChunks(q, tables_)));
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
                        BindOneSelect(request.sql, tables_, request.statement_time));
  const size_t available = AllChunks(bound.select, tables_).size();
  std::vector<size_t> chunks;
  for (uint64_t chunk : request.chunks) {
    if (chunk >= available) {
      return Status::InvalidArgument("query fragment names chunk " + std::to_string(chunk) +
                                     " of " + std::to_string(available));
    }
    chunks.push_back(static_cast<size_t>(chunk));
  }
  return RunLeafFragment(bound.select, tables_, runner_, chunks, cancel);
}

Result<QueryResult> Engine::MergeFragments(std::string_view sql,
                                           const std::vector<Bytes>& encoded) {
  LAKE_ASSIGN_OR_RETURN(BoundStatement bound, BindOneSelect(sql, tables_, statement_time_));
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
