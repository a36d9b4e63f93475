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

}  // namespace lake::store
