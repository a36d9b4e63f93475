#include "local/gathered_statement.h"

#include <set>
#include <string>

#include "local/network_catalog.h"
#include "local/store_table_provider.h"
#include "sql/fragment_codec.h"
#include "sql/table_references.h"
#include "store/layered_chunk_store.h"

namespace lake::local {

namespace {

// Adds `version` to `plan`, and its chunks `store` lacks that `plan` does not list yet.
Status AddVersion(const store::ChunkStore& store, PinnedVersion version, GatherPlan* plan,
                  std::set<ChunkId>* listed) {
  for (const store::ChunkRef& chunk : version.manifest.chunks) {
    if (!listed->insert(chunk.id).second) continue;
    LAKE_ASSIGN_OR_RETURN(bool held, store.HasChunk(chunk.id));
    if (held) continue;
    plan->missing.push_back(chunk);
    plan->missing_bytes += chunk.bytes;
  }
  plan->versions.push_back(std::move(version));
  return Status::OK();
}

}  // namespace

Result<GatherPlan> PlanGather(store::ChunkStore& store, const sql::Statement& statement) {
  GatherPlan plan;
  std::set<ChunkId> listed;
  for (const std::string& name : sql::TablesRead(statement)) {
    LAKE_ASSIGN_OR_RETURN(std::optional<PinnedVersion> version, CurrentVersion(store, name));
    if (!version) continue;
    LAKE_RETURN_IF_ERROR(AddVersion(store, std::move(*version), &plan, &listed));
  }
  return plan;
}

Result<GatherPlan> PlanFragmentGather(const store::ChunkStore& store, ByteView request) {
  GatherPlan plan;
  Result<sql::FragmentRequest> decoded = sql::DecodeFragmentRequest(request);
  if (!decoded.ok()) return plan;
  std::set<ChunkId> listed;
  for (const Id& id : decoded->joins) {
    LAKE_ASSIGN_OR_RETURN(std::optional<Bytes> bytes, LoadManifestObject(store, id));
    if (!bytes) return Status::NotFound("no manifest " + id.ToHex() + " here");
    LAKE_ASSIGN_OR_RETURN(store::Manifest manifest, store::DecodeManifest(*bytes));
    LAKE_RETURN_IF_ERROR(
        AddVersion(store, PinnedVersion{std::move(manifest), id, true}, &plan, &listed));
  }
  return plan;
}

Result<sql::QueryResult> RunGathered(const sql::Statement& statement, const GatherPlan& plan,
                                     const store::ChunkStore& gathered,
                                     const store::ChunkStore& held, store::ColumnCache* cache,
                                     TaskRunner* runner, int64_t statement_time) {
  const store::LayeredChunkStore chunks(gathered, held);
  StoreTableProvider tables(chunks, cache);  // the cache is keyed by chunk id: shared safely
  std::vector<store::Manifest> manifests;
  for (const PinnedVersion& version : plan.versions) manifests.push_back(version.manifest);
  tables.Pin(std::move(manifests));
  sql::Engine engine(tables, runner);
  engine.SetStatementTime(statement_time);
  return engine.Execute(statement);
}

}  // namespace lake::local
