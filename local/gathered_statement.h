// A statement that reads several datasets (a join, a subquery, a WITH query) runs whole on the
// node that plans it: the "gather" strategy. The node pins the version of every dataset the
// statement reads, fetches the chunks of those versions it does not hold (the keeper does, each
// verified against its id), and runs the embedded engine over its own chunks and the fetched
// ones together. Fetched chunks live as long as the statement; the node's store is not changed.
// Thread-safety: PlanGather reads the store; RunGathered may run beside other readers.
#pragma once

#include <cstdint>
#include <vector>

#include "common/bytes.h"
#include "common/result.h"
#include "common/task_runner.h"
#include "local/pinned_version.h"
#include "sql/ast.h"
#include "sql/engine.h"
#include "store/chunk_store.h"
#include "store/column_cache.h"
#include "store/manifest.h"

namespace lake::local {

struct GatherPlan {
  std::vector<PinnedVersion> versions;   // of the datasets the statement reads
  std::vector<store::ChunkRef> missing;  // their chunks this node does not hold, each once
  uint64_t missing_bytes = 0;            // the sum of `missing`'s sizes

  // The ids of `missing`, in order: what to fetch.
  std::vector<ChunkId> MissingIds() const {
    std::vector<ChunkId> ids;
    for (const store::ChunkRef& chunk : missing) ids.push_back(chunk.id);
    return ids;
  }
};

// What `statement` must gather from other nodes of the store's datasets. Names no dataset has
// are left for the engine to report (with their positions).
Result<GatherPlan> PlanGather(store::ChunkStore& store, const sql::Statement& statement);

// What the fragment `request` (an encoded sql::FragmentRequest, untrusted) must gather before it
// runs: for a broadcast join's, the versions it joins its chunks with, each read whole (nothing
// for a fragment of one table, or one that does not decode: running it reports that). Errors:
// NotFound naming a manifest this node does not hold (the planner then asks another replica).
Result<GatherPlan> PlanFragmentGather(const store::ChunkStore& store, ByteView request);

// Runs `statement` over `plan.versions`, reading each chunk from `gathered` if it is there, else
// from `held` (the node's store). `statement_time`: what NOW() returns (µs since the epoch).
// REQUIRES: `gathered` holds every chunk of plan.missing.
Result<sql::QueryResult> RunGathered(const sql::Statement& statement, const GatherPlan& plan,
                                     const store::ChunkStore& gathered,
                                     const store::ChunkStore& held, store::ColumnCache* cache,
                                     TaskRunner* runner, int64_t statement_time);

}  // namespace lake::local
