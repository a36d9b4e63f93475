#include "local/fragment_host.h"

#include <optional>
#include <string>
#include <vector>

#include "local/network_catalog.h"
#include "local/store_table_provider.h"
#include "sql/engine.h"
#include "sql/fragment_codec.h"
#include "store/layered_chunk_store.h"

namespace lake::local {
namespace {

// Enough for the datasets a burst of queries reads; a manifest is decoded again after that.
constexpr size_t kManifestsKept = 16;

// NotFound unless `store` holds chunk `id`.
Status CheckHeld(const store::ChunkStore& store, const ChunkId& id) {
  LAKE_ASSIGN_OR_RETURN(bool held, store.HasChunk(id));
  if (!held) return Status::NotFound("chunk " + id.ToHex() + " is not held here");
  return Status::OK();
}

}  // namespace

Result<std::shared_ptr<const store::Manifest>> FragmentHost::Manifest(const Id& id) {
  if (auto it = manifests_.find(id); it != manifests_.end()) return it->second;
  LAKE_ASSIGN_OR_RETURN(std::optional<Bytes> bytes, LoadManifestObject(store_, id));
  if (!bytes) return Status::NotFound("no manifest " + id.ToHex() + " here");
  LAKE_ASSIGN_OR_RETURN(store::Manifest manifest, store::DecodeManifest(*bytes));
  if (manifests_.size() >= kManifestsKept) manifests_.erase(manifests_.begin());
  auto decoded = std::make_shared<const store::Manifest>(std::move(manifest));
  manifests_.emplace(id, decoded);
  return decoded;
}

Result<Bytes> FragmentHost::Run(const Id& manifest_id, ByteView request,
                                const std::atomic<bool>* cancel,
                                const store::ChunkStore* gathered) {
  LAKE_ASSIGN_OR_RETURN(std::shared_ptr<const store::Manifest> manifest, Manifest(manifest_id));
  return Run(*manifest, request, cancel, gathered);
}

Result<Bytes> FragmentHost::Run(const store::Manifest& manifest, ByteView request,
                                const std::atomic<bool>* cancel,
                                const store::ChunkStore* gathered) {
  LAKE_ASSIGN_OR_RETURN(sql::PartialResult partial,
                        RunPartial(manifest, request, cancel, gathered));
  return sql::EncodePartialResult(partial);
}

Result<sql::PartialResult> FragmentHost::RunPartial(const store::Manifest& manifest,
                                                    ByteView request,
                                                    const std::atomic<bool>* cancel,
                                                    const store::ChunkStore* gathered) {
  LAKE_ASSIGN_OR_RETURN(sql::FragmentRequest decoded, sql::DecodeFragmentRequest(request));
  // The fragment's own chunks must be here: only a holder of them scans them.
  for (uint64_t chunk : decoded.chunks) {
    if (chunk >= manifest.chunks.size()) {
      return Status::Corruption("query fragment names chunk " + std::to_string(chunk) + " of " +
                                std::to_string(manifest.chunks.size()));
    }
    LAKE_RETURN_IF_ERROR(CheckHeld(store_, manifest.chunks[chunk].id));
  }
  std::optional<store::LayeredChunkStore> layered;
  if (gathered != nullptr) layered.emplace(*gathered, store_);
  const store::ChunkStore& chunks = layered ? *layered : store_;
  std::vector<store::Manifest> versions{manifest};
  for (const Id& id : decoded.joins) {
    LAKE_ASSIGN_OR_RETURN(std::shared_ptr<const store::Manifest> joined, Manifest(id));
    for (const store::ChunkRef& chunk : joined->chunks) {
      LAKE_RETURN_IF_ERROR(CheckHeld(chunks, chunk.id));
    }
    versions.push_back(*joined);
  }
  StoreTableProvider tables(chunks, cache_);  // the cache is keyed by chunk id: shared safely
  tables.Pin(std::move(versions));
  sql::Engine engine(tables, runner_);
  return engine.RunFragmentPartial(request, cancel);
}

}  // namespace lake::local
