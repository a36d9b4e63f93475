// The chunk keeper actor: owns the node's ChunkStore (RocksDB in the data directory) and answers
// what it holds. Replication, repair and chunk transfer between keepers are not built yet; the
// store is already the one the node restarts on.
#pragma once

#include <memory>

#include "actors/interfaces.h"
#include "store/chunk_store.h"

namespace lake::actors {

struct ChunkKeeperState {
  static inline const char* name = "chunk_keeper";
  std::shared_ptr<store::ChunkStore> store;
};

ChunkKeeperActor::behavior_type ChunkKeeper(
    ChunkKeeperActor::stateful_pointer<ChunkKeeperState> self,
    std::shared_ptr<store::ChunkStore> store);

}  // namespace lake::actors
