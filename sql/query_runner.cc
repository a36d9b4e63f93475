#include "sql/query_runner.h"

#include <strings.h>

#include "sql/joined_table.h"
#include "sql/leaf_fragment.h"
#include "sql/root_stage.h"

namespace lake::sql {

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
  if (!q.join) return RunLeafFragment(q, tables, runner, chunks, cancel);
  LAKE_ASSIGN_OR_RETURN(std::unique_ptr<JoinedTable> joined,
                        JoinedTable::Prepare(q.join, tables, runner, cancel));
  return RunLeafFragment(q, *joined, runner, chunks, cancel);
}

Result<std::vector<Vector>> RunQueryColumns(const BoundSelect& q, const TableProvider& tables,
                                            TaskRunner* runner, const std::atomic<bool>* cancel) {
  LAKE_ASSIGN_OR_RETURN(PartialResult leaf,
                        RunQueryLeaf(q, tables, runner, QueryChunks(q, tables), cancel));
  std::vector<PartialResult> partials;
  partials.push_back(std::move(leaf));
  return RunRootStageColumns(q, std::move(partials), runner);
}

}  // namespace lake::sql
