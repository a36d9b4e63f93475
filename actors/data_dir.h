// DataDir: a node's (or a local import's) data directory: <dir>/db holds the RocksDB store.
// Opening it creates what is missing and clears what an interrupted import left behind.
// Later issues add the node key and logs here (DESIGN §7 "Data directory").
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "store/chunk_store.h"

namespace lake::actors {

struct OpenedDataDir {
  std::unique_ptr<store::ChunkStore> store;
  uint64_t recovered_chunks = 0;  // orphans of an interrupted import, now removed
};

Result<OpenedDataDir> OpenDataDir(const std::string& dir);

}  // namespace lake::actors
