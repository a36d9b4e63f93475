#include "local/gathered_statement.h"

#include <set>
#include <string>

#include "local/pinned_version.h"
#include "local/store_table_provider.h"
#include "sql/table_references.h"
#include "store/layered_chunk_store.h"

namespace lake::local {

Result<GatherPlan> PlanGather(store::ChunkStore& store, const sql::Statement& statement) {
  GatherPlan plan;
  std::set<ChunkId> seen;
  for (const std::string& name : sql::TablesRead(statement)) {
    LAKE_ASSIGN_OR_RETURN(std::optional<PinnedVersion> version, CurrentVersion(store, name));
    if (!version) continue;
    for (const store::ChunkRef& chunk : version->manifest.chunks) {
      if (!seen.insert(chunk.id).second) continue;
      LAKE_ASSIGN_OR_RETURN(bool held, store.HasChunk(chunk.id));
      if (held) continue;
      plan.missing.push_back(chunk);
      plan.missing_bytes += chunk.bytes;
    }
    plan.versions.push_back(std::move(version->manifest));
  }
  return plan;
}

Result<sql::QueryResult> RunGathered(const sql::Statement& statement, const GatherPlan& plan,
                                     const store::ChunkStore& gathered,
                                     const store::ChunkStore& held, store::ColumnCache* cache,
                                     TaskRunner* runner, int64_t statement_time) {
  const store::LayeredChunkStore chunks(gathered, held);
  StoreTableProvider tables(chunks, cache);  // the cache is keyed by chunk id: shared safely
  tables.Pin(plan.versions);
  sql::Engine engine(tables, runner);
  engine.SetStatementTime(statement_time);
  return engine.Execute(statement);
}

}  // namespace lake::local
