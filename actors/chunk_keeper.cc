#include "actors/chunk_keeper.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "actors/errors.h"
#include "actors/keeper_ops.h"
#include "actors/node_events.h"
#include "actors/upload_job.h"
#include "common/hash.h"
#include "local/system_clock.h"
#include "store/catalog.h"

namespace lake::actors {
namespace {

using namespace keeper;  // the operations this file's handlers drive
using dht::ChunkMessage;
using dht::ChunkMessageKind;

void OnDeliver(Self self, const NodeId& from, const Bytes& payload) {
  auto& st = self->state;
  // Done with these bytes once this returns: the transport may read more from `from`.
  caf::anon_send(st.transport, consumed_atom::value, from, static_cast<uint64_t>(payload.size()));
  Result<ChunkMessage> message = dht::DecodeChunkMessage(payload);
  if (!message.ok()) {
    ++st.counters.pushes_refused;
    spdlog::warn("keeper: dropping session with {}: {}", from.ShortHex(),
                 message.status().ToString());
    caf::anon_send(st.transport, close_atom::value, from);
    return;
  }
  switch (message->kind) {
    case ChunkMessageKind::kPush:
      return OnPush(self, from, *message);
    case ChunkMessageKind::kPushAck:
      if (!message->ok) {
        spdlog::warn("keeper: {} refused a push: {}", from.ShortHex(), message->error);
      }
      st.pushes->OnAck(from, message->request_id, message->ok);
      return FlushPushes(self);
    case ChunkMessageKind::kFetch:
      return OnFetch(self, from, *message);
    case ChunkMessageKind::kHave:
      return OnHave(self, from, *message);
    case ChunkMessageKind::kCatalog:
      return OnCatalog(self, from, *message);
    case ChunkMessageKind::kFetchReply:
    case ChunkMessageKind::kHaveReply:
      return OnReply(self, from, *message);
  }
}

void OnTick(Self self) {
  auto& st = self->state;
  ExpireDeadlines(self);
  const TimePoint now = Now(self);
  if (now >= st.next_catalog_sync) {
    st.next_catalog_sync = now + st.options.catalog_interval;
    SyncCatalog(self);
  }
  if (now >= st.next_repair) {
    // The first round waits one interval: a node just started has few contacts yet.
    if (st.next_repair != TimePoint{}) StartRepair(self);
    st.next_repair = now + st.options.repair_interval;
  }
  self->delayed_send(self, st.options.tick, tick_atom::value);
}

void StartNextUpload(Self self) {
  auto& st = self->state;
  if (st.upload_running || st.waiting_uploads.empty()) return;
  ChunkKeeperState::WaitingUpload next = std::move(st.waiting_uploads.front());
  st.waiting_uploads.pop_front();
  st.upload_running = true;
  UploadJobContext context;
  context.keeper = caf::actor_cast<ChunkKeeperActor>(self);
  context.router = st.router;
  context.store = st.store;
  context.identity = *st.identity;
  context.options = st.options;
  self->spawn(UploadJob, std::move(context), next.id, std::move(next.request));
}

}  // namespace

ChunkKeeperActor::behavior_type ChunkKeeper(keeper::Self self, ChunkKeeperOptions options,
                                            dht::Identity identity,
                                            std::shared_ptr<store::ChunkStore> store) {
  auto& st = self->state;
  st.options = options;
  st.identity = std::move(identity);
  st.store = std::move(store);
  st.catalog = std::make_unique<local::NetworkCatalog>(*st.store);
  st.fetched = std::make_unique<local::FetchedChunks>(st.options.fetch_cache_bytes);
  st.pushes = std::make_unique<dht::PushQueue>(options.pushes);
  uint64_t seed = 0;
  randombytes_buf(&seed, sizeof seed);
  st.rng.seed(seed);
  return {
      [=](attach_atom, TransportActor transport, DhtRouterActor router,
          const std::string& address) {
        auto& st = self->state;
        const bool first = !st.transport;
        st.transport = std::move(transport);
        st.router = std::move(router);
        st.address = address;
        if (first) self->send(self, tick_atom::value);
      },
      [=](deliver_atom, const NodeId& from, const Bytes& payload) {
        OnDeliver(self, from, payload);
      },
      [=](unreach_atom, const NodeId& peer) { OnPeerFailed(self, peer); },
      [=](tick_atom) { OnTick(self); },
      [=](sync_atom) { OnSync(self); },
      [=](upload_atom, UploadRequest& request) -> caf::result<UploadOutcome> {
        auto& st = self->state;
        const uint64_t id = st.next_upload++;
        auto promise = self->make_response_promise<UploadOutcome>();
        st.uploads.emplace(id, promise);
        st.waiting_uploads.push_back({id, std::move(request)});
        StartNextUpload(self);
        return promise;
      },
      [=](upload_atom, uint64_t id, UploadOutcome& outcome) {
        auto& st = self->state;
        st.upload_running = false;
        if (auto it = st.uploads.find(id); it != st.uploads.end()) {
          it->second.deliver(std::move(outcome));
          st.uploads.erase(it);
        }
        StartNextUpload(self);
      },
      [=](replicate_atom, const ReplicateRequest& request) -> caf::result<std::vector<uint32_t>> {
        auto promise = self->make_response_promise<std::vector<uint32_t>>();
        WithFreshContacts(
            self,
            [=]() mutable {
              Replicate(self, request.kind, request.ids,
                        [promise](std::vector<uint32_t> copies) mutable {
                          promise.deliver(std::move(copies));
                        });
            },
            [=](const caf::error& error) mutable { promise.deliver(error); });
        return promise;
      },
      [=](publish_atom, const PublishRequest& request) -> caf::result<bool> {
        auto& st = self->state;
        if (Status committed = st.catalog->CommitUpload(request.staged, request.manifest,
                                                        request.encoded, request.pointer);
            !committed.ok()) {
          return ToCafError(committed);
        }
        Gossip(self, request.pointer, std::nullopt);
        PutInDht(self, request.pointer);
        return true;
      },
      [=](datasets_atom) -> caf::result<std::vector<DatasetSummary>> {
        Result<std::vector<store::Manifest>> manifests = store::ListManifests(*self->state.store);
        if (!manifests.ok()) return ToCafError(manifests.status());
        std::vector<DatasetSummary> summaries;
        for (store::Manifest& m : *manifests) {
          const Id id = Blake2b256(store::EncodeManifest(m));
          summaries.push_back(DatasetSummary{std::move(m), id});
        }
        return summaries;
      },
      [=](dataset_atom, const std::string& name) -> caf::result<DatasetDetail> {
        Result<std::optional<store::Manifest>> manifest =
            store::LoadManifest(*self->state.store, name);
        if (!manifest.ok()) return ToCafError(manifest.status());
        if (!*manifest) return ToCafError(Status::NotFound("no dataset named " + name));
        auto promise = self->make_response_promise<DatasetDetail>();
        DatasetDetail detail;
        detail.manifest_id = Blake2b256(store::EncodeManifest(**manifest));
        detail.manifest = std::move(**manifest);
        detail.replicas_target = self->state.options.replication;
        WithFreshContacts(
            self,
            [=]() mutable {
              FindHolders(self, detail.manifest,
                          [promise, detail](std::vector<std::vector<NodeId>> holders) mutable {
                            detail.holders = std::move(holders);
                            promise.deliver(std::move(detail));
                          });
            },
            [=](const caf::error& error) mutable { promise.deliver(error); });
        return promise;
      },
      [=](fetch_atom,
          std::vector<ChunkId>& ids) -> caf::result<std::shared_ptr<const store::ChunkStore>> {
        auto promise = self->make_response_promise<std::shared_ptr<const store::ChunkStore>>();
        FetchChunks(self, std::move(ids),
                    [promise](Result<std::shared_ptr<store::MemChunkStore>> fetched) mutable {
                      if (fetched.ok()) {
                        promise.deliver(std::shared_ptr<const store::ChunkStore>(*fetched));
                      } else {
                        promise.deliver(ToCafError(fetched.status()));
                      }
                    });
        return promise;
      },
      [=](delete_atom, const std::string& name) -> caf::result<uint64_t> {
        auto& st = self->state;
        Result<std::optional<dht::DatasetPointer>> current = st.catalog->Pointer(name);
        if (!current.ok()) return ToCafError(current.status());
        if (!*current || (*current)->deleted) {
          return ToCafError(Status::NotFound("no dataset named " + name));
        }
        const dht::DatasetPointer tombstone =
            dht::SignDatasetPointer(*st.identity, name, (*current)->version + 1, Id(), true,
                                    ToMicros(local::SystemClock().Now()));
        if (Result<bool> adopted = st.catalog->Adopt(tombstone, nullptr); !adopted.ok()) {
          return ToCafError(adopted.status());
        }
        spdlog::info("keeper: deleted {} (version {})", name, tombstone.version);
        PublishEvent(self->system(), event_type::kDatasetDeleted,
                     {{"name", name}, {"version", tombstone.version}});
        // The contacts are refreshed only every catalog interval (an upload's pointer follows
        // the refresh its replication made): refresh them, so the tombstone reaches the nodes
        // that joined since, falling back on the last known contacts.
        const auto gossip = [self, tombstone] { Gossip(self, tombstone, std::nullopt); };
        WithFreshContacts(self, gossip, [gossip](const caf::error&) { gossip(); });
        PutInDht(self, tombstone);
        return tombstone.version;
      },
      [=](status_atom) -> caf::result<StorageStatus> {
        const store::ChunkStore& store = *self->state.store;
        Result<std::vector<store::Manifest>> manifests = store::ListManifests(store);
        if (!manifests.ok()) {
          spdlog::error("keeper: cannot list datasets: {}", manifests.status().ToString());
          return ToCafError(manifests.status());
        }
        const store::StoreStats stats = store.Stats();
        StorageStatus status = self->state.counters;
        status.datasets = manifests->size();
        status.chunks = stats.chunks;
        status.bytes = stats.chunk_bytes;
        status.dataset_names.clear();
        for (const store::Manifest& m : *manifests) status.dataset_names.push_back(m.name);
        return status;
      },
  };
}

}  // namespace lake::actors
