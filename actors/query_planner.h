// The query planner actor: compiles and runs SQL for the gateway. Today every dataset a node can
// query is in its own store, so a query runs whole on this node with the local engine; the
// scatter of fragments to chunk holders and the gather of partial states (not built yet) will
// sit behind this same message. Spawned detached: a long query occupies its
// own thread, not one of the scheduler's.
#pragma once

#include <memory>

#include "actors/interfaces.h"
#include "local/local_engine.h"
#include "store/chunk_store.h"

namespace lake::actors {

struct QueryPlannerState {
  static inline const char* name = "query_planner";
  std::shared_ptr<store::ChunkStore> store;
  std::unique_ptr<local::LocalEngine> engine;  // over `store`
};

QueryPlannerActor::behavior_type QueryPlanner(
    QueryPlannerActor::stateful_pointer<QueryPlannerState> self,
    std::shared_ptr<store::ChunkStore> store, size_t threads, size_t cache_bytes);

}  // namespace lake::actors
