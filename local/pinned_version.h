// PinnedVersion: the version of a dataset a statement reads, fixed when the statement starts so
// that every node it asks, and every chunk it reads, belongs to that one version.
// Thread-safety: reads the store only (safe to call concurrently).
#pragma once

#include <optional>
#include <string>

#include "common/id.h"
#include "common/result.h"
#include "store/chunk_store.h"
#include "store/manifest.h"

namespace lake::local {

struct PinnedVersion {
  store::Manifest manifest;
  Id id;                    // the manifest object's id
  bool replicated = false;  // published to the network (else imported here, held only here)
};

// The current version of dataset `name` (as SQL folds names: exact, else ignoring case), or
// nullopt if there is none. A published dataset's version is its pointer's manifest object.
Result<std::optional<PinnedVersion>> CurrentVersion(store::ChunkStore& store,
                                                    const std::string& name);

}  // namespace lake::local
