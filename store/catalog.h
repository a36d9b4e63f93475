// The datasets a ChunkStore knows: each dataset's newest manifest, kept as the record
// "dataset/<name>". Functions over a ChunkStore, so the CLI, the node and tests share them.
// Thread-safety: as safe as the store.
#pragma once

#include <optional>
#include <set>
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

// The chunks `manifests` reference.
std::set<ChunkId> ReferencedChunks(const std::vector<Manifest>& manifests);

// Makes `manifest` (with `encoded`, its encoding) the current version of its dataset, or with
// `manifest` null removes dataset `name`, in one synced batch that also applies `batch`. In the
// same batch it deletes the chunks that only the replaced version referenced, and those of
// `candidates` (e.g. chunks an import wrote but its manifest does not use) that no dataset
// references. A dataset's chunks that this store never held are simply absent.
Status ReplaceDataset(ChunkStore& store, const std::string& name, const Manifest* manifest,
                      const Bytes* encoded, const std::vector<ChunkId>& candidates,
                      StoreBatch batch);

}  // namespace lake::store
