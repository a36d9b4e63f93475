// JoinedTable: runs a join plan (sql/join_plan.h) and shows its result to the leaf fragment as
// one more table, named as the driving table and cut into the same chunks: chunk c is the
// driving table's chunk c (scanned by the leaf fragment machinery, its pushed-down filter and
// zone maps applied) joined step by step with the build sides. Prepare materialises every build
// side once (each itself such a pipeline, run over all its chunks on the TaskRunner) and hashes
// it; chunks are then joined independently, so the query's leaf fragment runs over them in
// parallel, and a distributed fragment joins just its chunks (a broadcast join: every fragment
// builds the same whole build sides).
// Thread-safety: ReadChunk may run concurrently once Prepare has returned.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <vector>

#include "common/result.h"
#include "common/task_runner.h"
#include "sql/hash_join.h"
#include "sql/join_plan.h"
#include "sql/overlay_tables.h"
#include "sql/table_provider.h"

namespace lake::sql {

class JoinedTable final : public TableProvider {
 public:
  // Runs `relation`'s subqueries and builds the hash tables of its steps, reading `tables`
  // (which must outlive the result).
  static Result<std::unique_ptr<JoinedTable>> Prepare(
      std::shared_ptr<const JoinRelation> relation, const TableProvider& tables,
      TaskRunner* runner, const std::atomic<bool>* cancel);

  std::optional<Schema> FindTable(const std::string& name) const override;
  std::vector<TableInfo> ListTables() const override;
  // Joins chunk `chunk` of the driving table and returns columns `columns` of the result.
  Result<std::vector<ColumnRef>> ReadChunk(const std::string& table, size_t chunk,
                                           const std::vector<size_t>& columns) const override;

 private:
  // A build side: its rows as whole columns, each with one more row, all NULL, that probe rows
  // without a match are paired with; and its hash table.
  struct Build {
    std::vector<Vector> columns;
    std::unique_ptr<HashJoinTable> table;
    std::vector<uint32_t> unmatched;  // kFull: the rows no probe row matches
  };

  JoinedTable(std::shared_ptr<const JoinRelation> relation, const TableProvider& tables,
              const std::atomic<bool>* cancel)
      : relation_(std::move(relation)), tables_(&tables), cancel_(cancel) {}

  // Prepares the build sides of `r`'s steps (and theirs) into builds_.
  Status PrepareSteps(const JoinRelation& r, TaskRunner* runner);
  // Every row of `r` after its first `steps` steps (all: with its filter), as whole columns.
  Result<std::vector<Vector>> Materialize(const JoinRelation& r, size_t steps,
                                          TaskRunner* runner) const;
  // The rows of `r` (after `steps` steps, as Materialize) that chunk `chunk` of its driving
  // table yields, as pieces per column.
  Result<std::vector<ColumnPieces>> Produce(const JoinRelation& r, size_t chunk,
                                            size_t steps) const;
  // Joins `in` with the step's build side. With `matched`, only marks there the build rows
  // some probe row matches, and returns nothing.
  Result<std::vector<ColumnPieces>> ApplyStep(const JoinStep& step, const Schema& in_schema,
                                              const std::vector<ColumnPieces>& in,
                                              const Schema& out_schema,
                                              std::vector<uint8_t>* matched_build) const;
  // kFull, chunk 0: appends the build rows nothing matched, the probe side's columns NULL.
  void AppendUnmatchedBuildRows(const Build& build, const Schema& in_schema,
                                std::vector<ColumnPieces>* out) const;
  size_t ChunksOf(const std::string& table) const;

  std::shared_ptr<const JoinRelation> relation_;
  const TableProvider* tables_;            // the stored tables, or overlay_ over them
  std::unique_ptr<OverlayTables> overlay_;  // with the subqueries' results, if any
  const std::atomic<bool>* cancel_;
  std::map<const JoinStep*, Build> builds_;
};

}  // namespace lake::sql
