#include "local/network_catalog.h"

#include <map>

#include "common/hash.h"
#include "store/catalog.h"

namespace lake::local {
namespace {

constexpr char kPointerPrefix[] = "pointer/";
constexpr char kManifestPrefix[] = "manifest/";

std::string PointerKey(const std::string& name) { return kPointerPrefix + name; }
std::string ManifestKey(const Id& id) { return kManifestPrefix + id.ToHex(); }

std::map<std::string, const dht::DatasetPointer*> ByName(
    const std::vector<dht::DatasetPointer>& pointers) {
  std::map<std::string, const dht::DatasetPointer*> by_name;
  for (const dht::DatasetPointer& p : pointers) {
    auto [it, fresh] = by_name.emplace(p.name, &p);
    if (!fresh && dht::Supersedes(p, *it->second)) it->second = &p;
  }
  return by_name;
}

}  // namespace

Result<std::vector<dht::DatasetPointer>> NetworkCatalog::Pointers() const {
  LAKE_ASSIGN_OR_RETURN(auto records, store_.ScanRecords(kPointerPrefix));
  std::vector<dht::DatasetPointer> pointers;
  for (const auto& [key, bytes] : records) {
    Result<dht::DatasetPointer> pointer = dht::DecodeDatasetPointer(bytes);
    if (!pointer.ok()) return pointer.status().WithContext(key);
    pointers.push_back(std::move(pointer).value());
  }
  return pointers;
}

Result<std::optional<dht::DatasetPointer>> NetworkCatalog::Pointer(const std::string& name) const {
  Result<Bytes> bytes = store_.GetRecord(PointerKey(name));
  if (bytes.status().IsNotFound()) return std::optional<dht::DatasetPointer>();
  if (!bytes.ok()) return bytes.status();
  LAKE_ASSIGN_OR_RETURN(dht::DatasetPointer pointer, dht::DecodeDatasetPointer(*bytes));
  return std::optional<dht::DatasetPointer>(std::move(pointer));
}

Result<std::vector<dht::DatasetPointer>> NetworkCatalog::ToAdopt(
    const std::vector<dht::DatasetPointer>& theirs) const {
  LAKE_ASSIGN_OR_RETURN(const std::vector<dht::DatasetPointer> ours, Pointers());
  const auto mine = ByName(ours);
  std::vector<dht::DatasetPointer> adopt;
  for (const auto& [name, pointer] : ByName(theirs)) {
    auto it = mine.find(name);
    if (it == mine.end() || dht::Supersedes(*pointer, *it->second)) adopt.push_back(*pointer);
  }
  return adopt;
}

Result<std::vector<dht::DatasetPointer>> NetworkCatalog::ToOffer(
    const std::vector<dht::DatasetPointer>& theirs, const NameRange& range) const {
  LAKE_ASSIGN_OR_RETURN(const std::vector<dht::DatasetPointer> ours, Pointers());
  const auto known = ByName(theirs);
  std::vector<dht::DatasetPointer> offer;
  for (const dht::DatasetPointer& pointer : ours) {
    if (!range.Contains(pointer.name)) continue;
    auto it = known.find(pointer.name);
    if (it == known.end() || dht::Supersedes(pointer, *it->second)) offer.push_back(pointer);
  }
  return offer;
}

Result<std::optional<Bytes>> LoadManifestObject(const store::ChunkStore& store, const Id& id) {
  Result<Bytes> bytes = store.GetRecord(ManifestKey(id));
  if (bytes.status().IsNotFound()) return std::optional<Bytes>();
  if (!bytes.ok()) return bytes.status();
  return std::optional<Bytes>(std::move(bytes).value());
}

Result<std::optional<Bytes>> NetworkCatalog::ManifestObject(const Id& id) const {
  return LoadManifestObject(store_, id);
}

Status NetworkCatalog::PutManifestObject(const Id& id, const Bytes& bytes) {
  if (Blake2b256(bytes) != id) return Status::Corruption("manifest bytes do not match their id");
  LAKE_RETURN_IF_ERROR(store::DecodeManifest(bytes).status());
  return store_.PutRecord(ManifestKey(id), bytes);
}

store::StoreBatch NetworkCatalog::PointerBatch(
    const dht::DatasetPointer& pointer, const Bytes* manifest,
    const std::optional<dht::DatasetPointer>& previous) const {
  store::StoreBatch batch;
  batch.PutRecord(PointerKey(pointer.name), dht::EncodeDatasetPointer(pointer));
  if (previous && !previous->deleted && previous->manifest_id != pointer.manifest_id) {
    batch.DeleteRecord(ManifestKey(previous->manifest_id));
  }
  if (manifest != nullptr) batch.PutRecord(ManifestKey(pointer.manifest_id), *manifest);
  return batch;
}

Result<bool> NetworkCatalog::Adopt(const dht::DatasetPointer& pointer, const Bytes* manifest) {
  // A peer chooses the name, which becomes a record key and a SQL table name.
  if (!store::ValidateDatasetName(pointer.name).ok()) {
    return Status::Corruption("a pointer names no valid dataset");
  }
  LAKE_ASSIGN_OR_RETURN(const std::optional<dht::DatasetPointer> previous, Pointer(pointer.name));
  if (previous && !dht::Supersedes(pointer, *previous)) return false;
  if (pointer.deleted) {
    LAKE_RETURN_IF_ERROR(store::ReplaceDataset(store_, pointer.name, nullptr, nullptr, {},
                                               PointerBatch(pointer, nullptr, previous)));
    return true;
  }
  if (manifest == nullptr || Blake2b256(*manifest) != pointer.manifest_id) {
    return Status::Corruption("manifest of " + pointer.name + " does not match its pointer");
  }
  LAKE_ASSIGN_OR_RETURN(const store::Manifest decoded, store::DecodeManifest(*manifest));
  if (decoded.name != pointer.name || decoded.version != pointer.version) {
    return Status::Corruption("manifest of " + pointer.name + " names another dataset or version");
  }
  LAKE_RETURN_IF_ERROR(store::ReplaceDataset(store_, pointer.name, &decoded, manifest, {},
                                             PointerBatch(pointer, manifest, previous)));
  return true;
}

Status NetworkCatalog::CommitUpload(const store::StagedImport& staged,
                                    const store::Manifest& manifest, const Bytes& encoded,
                                    const dht::DatasetPointer& pointer) {
  LAKE_ASSIGN_OR_RETURN(const std::optional<dht::DatasetPointer> previous, Pointer(pointer.name));
  if (previous && !dht::Supersedes(pointer, *previous)) {
    return Status::Unavailable("dataset " + pointer.name +
                               " got a newer version elsewhere during this upload; upload again");
  }
  return store::CommitStaged(store_, staged, manifest, encoded,
                             PointerBatch(pointer, &encoded, previous));
}

}  // namespace lake::local
