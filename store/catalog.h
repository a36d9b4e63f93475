// The datasets a ChunkStore knows: each dataset's newest manifest, kept as the record
// "dataset/<name>". Functions over a ChunkStore, so the CLI, the node and tests share them.
// Thread-safety: as safe as the store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/chunk_store.h"
#include "store/manifest.h"

namespace lake::store {

inline constexpr char kDatasetRecordPrefix[] = "dataset/";
inline std::string DatasetRecordKey(const std::string& name) { return kDatasetRecordPrefix + name; }

// The dataset's manifest, or nullopt if the store has none by that name.
Result<std::optional<Manifest>> LoadManifest(const ChunkStore& store, const std::string& name);
// Every dataset's manifest, by name.
Result<std::vector<Manifest>> ListManifests(const ChunkStore& store);

}  // namespace lake::store
