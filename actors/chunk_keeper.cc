#include "actors/chunk_keeper.h"

#include <spdlog/spdlog.h>

#include "actors/errors.h"
#include "store/catalog.h"

namespace lake::actors {

ChunkKeeperActor::behavior_type ChunkKeeper(
    ChunkKeeperActor::stateful_pointer<ChunkKeeperState> self,
    std::shared_ptr<store::ChunkStore> store) {
  self->state.store = std::move(store);
  const auto not_built = [](auto&&...) -> caf::error {
    return ToCafError(Status::Unavailable("upload and the network catalog are being built"));
  };
  return {
      [=](attach_atom, TransportActor, DhtRouterActor, const std::string&) {},
      [=](deliver_atom, const NodeId&, const Bytes&) {},
      [=](unreach_atom, const NodeId&) {},
      [=](tick_atom) {},
      [=](upload_atom, const UploadRequest&) -> caf::result<UploadOutcome> { return not_built(); },
      [=](datasets_atom) -> caf::result<std::vector<DatasetSummary>> { return not_built(); },
      [=](dataset_atom, const std::string&) -> caf::result<DatasetDetail> { return not_built(); },
      [=](delete_atom, const std::string&) -> caf::result<uint64_t> { return not_built(); },
      [=](status_atom) -> caf::result<StorageStatus> {
        const store::ChunkStore& store = *self->state.store;
        Result<std::vector<store::Manifest>> manifests = store::ListManifests(store);
        if (!manifests.ok()) {
          spdlog::error("keeper: cannot list datasets: {}", manifests.status().ToString());
          return ToCafError(manifests.status());
        }
        const store::StoreStats stats = store.Stats();
        StorageStatus status;
        status.datasets = manifests->size();
        status.chunks = stats.chunks;
        status.bytes = stats.chunk_bytes;
        for (const store::Manifest& m : *manifests) status.dataset_names.push_back(m.name);
        return status;
      },
  };
}

}  // namespace lake::actors
