// NetworkCatalog: the datasets of the whole network as this node knows them, kept in its store.
// Each dataset name has one signed pointer (dht/dataset_pointer.h) naming its current version;
// every node keeps every live version's manifest, so every node lists and plans every dataset.
// Records in the store:
//   "pointer/<name>"      the newest pointer seen (tombstones included)
//   "dataset/<name>"      the manifest the pointer names (absent for a tombstone): what the
//                         local engine and `p2plake import` read
//   "manifest/<hex id>"   manifests as content-addressed objects, served to peers that fetch
//                         them and kept for the pointers that name them
// Adopting a newer pointer replaces the dataset in one synced batch (store/catalog.h's
// ReplaceDataset), which also deletes chunks only the replaced version used.
// Thread-safety: one writer at a time (the chunk keeper); reads are as safe as the store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "dht/dataset_pointer.h"
#include "store/chunk_store.h"
#include "store/importer.h"
#include "store/manifest.h"

namespace lake::local {

// The manifest object `id` in `store`; nullopt if not held. (NetworkCatalog::ManifestObject for
// readers that hold the store read-only, like a chunk holder answering a query.)
Result<std::optional<Bytes>> LoadManifestObject(const store::ChunkStore& store, const Id& id);

class NetworkCatalog {
 public:
  explicit NetworkCatalog(store::ChunkStore& store) : store_(store) {}

  // Every pointer held, by name (tombstones included).
  Result<std::vector<dht::DatasetPointer>> Pointers() const;
  Result<std::optional<dht::DatasetPointer>> Pointer(const std::string& name) const;
  // The pointers of `theirs` that supersede ours (or name datasets we do not know): to adopt.
  Result<std::vector<dht::DatasetPointer>> ToAdopt(
      const std::vector<dht::DatasetPointer>& theirs) const;
  // Names from `low` (inclusive) to `high` (exclusive; "" = no end): one page of a catalog.
  struct NameRange {
    std::string low;
    std::string high;
    bool Contains(const std::string& name) const {
      return low <= name && (high.empty() || name < high);
    }
  };
  // Our pointers in `range` that supersede theirs or that they lack: the answer to a page of a
  // peer's full catalog.
  Result<std::vector<dht::DatasetPointer>> ToOffer(const std::vector<dht::DatasetPointer>& theirs,
                                                   const NameRange& range = {}) const;

  // A manifest object by id; nullopt if not held.
  Result<std::optional<Bytes>> ManifestObject(const Id& id) const;
  // Stores a manifest object a peer pushed. Corruption unless `bytes` hash to `id` and decode.
  Status PutManifestObject(const Id& id, const Bytes& bytes);

  // Makes `pointer` current if it supersedes ours: a tombstone removes the dataset; otherwise
  // `manifest` (the bytes of pointer.manifest_id) becomes the dataset's version. Returns false
  // (and changes nothing) if ours is as new. Corruption if the pointer's name is no valid
  // dataset name (store::ValidateDatasetName) or the manifest does not match the pointer (its
  // hash, name or version).
  Result<bool> Adopt(const dht::DatasetPointer& pointer, const Bytes* manifest);
  // Commits a staged upload on this node under `pointer` (which names `encoded`, the encoding
  // of `manifest`), in one synced batch with its journal drop (store/importer.h). Unavailable
  // (nothing committed) if a pointer at least as new arrived meanwhile.
  Status CommitUpload(const store::StagedImport& staged, const store::Manifest& manifest,
                      const Bytes& encoded, const dht::DatasetPointer& pointer);

 private:
  // The batch part shared by Adopt and CommitUpload: the pointer record, the new manifest
  // object, and the replaced version's manifest object dropped.
  store::StoreBatch PointerBatch(const dht::DatasetPointer& pointer, const Bytes* manifest,
                                 const std::optional<dht::DatasetPointer>& previous) const;

  store::ChunkStore& store_;
};

}  // namespace lake::local
