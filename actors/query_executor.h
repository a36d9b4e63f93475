// The query executor: where a node spends CPU on SQL. It runs fragments over the chunks this
// node holds (for its own planner and for peers' planners: local/fragment_host.h), merges a
// distributed SELECT's partial results, and runs the statements that read no dataset's chunks
// (SHOW TABLES, DESCRIBE, SELECT without FROM, or a table that does not exist, for its error)
// on the local engine. One request at a time, each spread over a pool of worker threads: a
// detached actor, so long scans never hold up the planner that routes messages meanwhile.
// Thread-safety: an actor; its state is touched only by its own thread.
#pragma once

#include <memory>

#include "actors/interfaces.h"
#include "local/fragment_host.h"
#include "local/local_engine.h"
#include "store/chunk_store.h"

namespace lake::actors {

struct QueryExecutorState {
  static inline const char* name = "query_executor";
  std::shared_ptr<store::ChunkStore> store;
  std::unique_ptr<local::LocalEngine> engine;  // over `store`: its pool and column cache
  std::unique_ptr<local::FragmentHost> host;
};

QueryExecutorActor::behavior_type QueryExecutor(
    QueryExecutorActor::stateful_pointer<QueryExecutorState> self,
    std::shared_ptr<store::ChunkStore> store, size_t threads, size_t cache_bytes);

}  // namespace lake::actors
