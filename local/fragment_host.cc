#include "local/fragment_host.h"

#include <string>
#include <vector>

#include "local/network_catalog.h"
#include "local/store_table_provider.h"
#include "sql/engine.h"
#include "sql/fragment_codec.h"

namespace lake::local {
namespace {

// Enough for the datasets a burst of queries reads; a manifest is decoded again after that.
constexpr size_t kManifestsKept = 16;

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
                                const std::atomic<bool>* cancel) {
  LAKE_ASSIGN_OR_RETURN(std::shared_ptr<const store::Manifest> manifest, Manifest(manifest_id));
  return Run(*manifest, request, cancel);
}

Result<Bytes> FragmentHost::Run(const store::Manifest& manifest, ByteView request,
                                const std::atomic<bool>* cancel) {
  LAKE_ASSIGN_OR_RETURN(sql::PartialResult partial, RunPartial(manifest, request, cancel));
  return sql::EncodePartialResult(partial);
}

Result<sql::PartialResult> FragmentHost::RunPartial(const store::Manifest& manifest,
                                                    ByteView request,
                                                    const std::atomic<bool>* cancel) {
  LAKE_ASSIGN_OR_RETURN(sql::FragmentRequest decoded, sql::DecodeFragmentRequest(request));
  for (uint64_t chunk : decoded.chunks) {
    if (chunk >= manifest.chunks.size()) {
      return Status::Corruption("query fragment names chunk " + std::to_string(chunk) + " of " +
                                std::to_string(manifest.chunks.size()));
    }
    const ChunkId& id = manifest.chunks[chunk].id;
    LAKE_ASSIGN_OR_RETURN(bool held, store_.HasChunk(id));
    if (!held) return Status::NotFound("chunk " + id.ToHex() + " is not held here");
  }
  StoreTableProvider tables(store_, cache_);
  tables.Pin({manifest});
  sql::Engine engine(tables, runner_);
  return engine.RunFragmentPartial(request, cancel);
}

}  // namespace lake::local
