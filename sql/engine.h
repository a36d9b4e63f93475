// Engine: the embedded SQL engine. Parses, binds and runs statements against a TableProvider.
// A SELECT runs as a leaf fragment over the table's chunks (sql/leaf_fragment.h: scan, filter,
// project, partial aggregate, in parallel on the TaskRunner) and a root stage over its partial
// result (sql/root_stage.h: combine, finalize, HAVING, DISTINCT, ORDER BY / top-N, LIMIT).
// RunFragment and MergeFragments expose the same two halves with their wire forms
// (sql/fragment_codec.h), for a query spread over the nodes that hold its chunks.
// Results come back as rows of Values (the API boundary; operators work on vectors).
// Thread-safety: one call at a time per Engine.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/task_runner.h"
#include "sql/ast.h"
#include "sql/partial_result.h"
#include "sql/table_provider.h"
#include "sql/value.h"

namespace lake::sql {

struct QueryResult {
  std::vector<std::string> names;
  std::vector<LogicalType> types;
  std::vector<std::vector<Value>> rows;
  // Chunks of the table read, and skipped because their zone maps ruled the WHERE clause out.
  uint64_t chunks_scanned = 0;
  uint64_t chunks_pruned = 0;
};

class Engine {
 public:
  Engine(const TableProvider& tables, TaskRunner* runner) : tables_(tables), runner_(runner) {}

  // The start time of the statements run next (microseconds since the epoch, UTC): what NOW(),
  // CURRENT_TIMESTAMP and CURRENT_DATE return, in Run, Execute and MergeFragments (RunFragment
  // takes its request's). The caller reads its clock; unset, those functions are an error.
  void SetStatementTime(std::optional<int64_t> micros) { statement_time_ = micros; }

  // Runs every ';'-separated statement of `sql` in order and returns one result each. Errors
  // (syntax, binding, runtime such as division by zero) are InvalidArgument statuses naming
  // the 1-based position in the message and in Status::position().
  Result<std::vector<QueryResult>> Run(std::string_view sql);
  // Runs one parsed statement (see parser.h), for callers that time statements one by one.
  Result<QueryResult> Execute(const Statement& statement);

  // Leaf side: runs an encoded FragmentRequest (untrusted bytes) over its chunks and returns
  // the encoded PartialResult. Errors: Corruption for a malformed request; the statement's own
  // errors as Execute's; Timeout once `*cancel` is set (null: not cancellable).
  Result<Bytes> RunFragment(ByteView request, const std::atomic<bool>* cancel = nullptr);
  // The same, its partial result not encoded (for a root that runs a fragment itself).
  Result<PartialResult> RunFragmentPartial(ByteView request,
                                           const std::atomic<bool>* cancel = nullptr);
  // The table whose chunks the fragments of SELECT `sql` split between them (empty for a
  // SELECT without FROM; a table no provider lists when it is driven by a subquery's result).
  Result<std::string> FragmentTable(std::string_view sql);
  // Root side: `sql` is the one SELECT the fragments ran; `partials` their encoded results
  // (untrusted), in chunk order.
  Result<QueryResult> MergeFragments(std::string_view sql, const std::vector<Bytes>& partials);

 private:
  // A SELECT, or a set operation of them, whole.
  Result<QueryResult> RunSelect(const SelectStatement& select);

  const TableProvider& tables_;
  TaskRunner* runner_;
  std::optional<int64_t> statement_time_;
};

}  // namespace lake::sql
