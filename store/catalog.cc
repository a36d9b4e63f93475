#include "store/catalog.h"

namespace lake::store {

Result<std::optional<Manifest>> LoadManifest(const ChunkStore& store, const std::string& name) {
  Result<Bytes> bytes = store.GetRecord(DatasetRecordKey(name));
  if (bytes.status().IsNotFound()) return std::optional<Manifest>();
  if (!bytes.ok()) return bytes.status();
  LAKE_ASSIGN_OR_RETURN(Manifest manifest, DecodeManifest(*bytes));
  return std::optional<Manifest>(std::move(manifest));
}

Result<std::vector<Manifest>> ListManifests(const ChunkStore& store) {
  LAKE_ASSIGN_OR_RETURN(auto records, store.ScanRecords(kDatasetRecordPrefix));
  std::vector<Manifest> manifests;
  for (const auto& [key, bytes] : records) {
    Result<Manifest> manifest = DecodeManifest(bytes);
    if (!manifest.ok()) return manifest.status().WithContext(key);
    manifests.push_back(std::move(manifest).value());
  }
  return manifests;
}

std::set<ChunkId> ReferencedChunks(const std::vector<Manifest>& manifests) {
  std::set<ChunkId> referenced;
  for (const Manifest& m : manifests) {
    for (const ChunkRef& ref : m.chunks) referenced.insert(ref.id);
  }
  return referenced;
}

Status ReplaceDataset(ChunkStore& store, const std::string& name, const Manifest* manifest,
                      const Bytes* encoded, const std::vector<ChunkId>& candidates,
                      StoreBatch batch) {
  LAKE_ASSIGN_OR_RETURN(std::vector<Manifest> stored, ListManifests(store));
  std::vector<Manifest> kept;
  std::optional<Manifest> previous;
  for (Manifest& m : stored) {
    if (m.name == name) {
      previous = std::move(m);
    } else {
      kept.push_back(std::move(m));
    }
  }
  if (manifest != nullptr) kept.push_back(*manifest);
  const std::set<ChunkId> still_used = ReferencedChunks(kept);

  if (manifest != nullptr) {
    batch.PutRecord(DatasetRecordKey(name), *encoded);
  } else {
    batch.DeleteRecord(DatasetRecordKey(name));
  }
  std::set<ChunkId> deleted;
  const auto drop_if_unused = [&](const ChunkId& id) {
    if (still_used.count(id) == 0 && deleted.insert(id).second) batch.DeleteChunk(id);
  };
  for (const ChunkId& id : candidates) drop_if_unused(id);
  if (previous) {
    for (const ChunkRef& ref : previous->chunks) drop_if_unused(ref.id);
  }
  return store.Write(batch, Durability::kSync);
}

}  // namespace lake::store
