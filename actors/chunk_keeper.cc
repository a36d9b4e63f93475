#include "actors/chunk_keeper.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "actors/errors.h"
#include "actors/upload_job.h"
#include "common/hash.h"
#include "dht/placement.h"
#include "local/system_clock.h"
#include "store/catalog.h"
#include "store/chunk_codec.h"

namespace lake::actors {
namespace {

using Self = ChunkKeeperActor::stateful_pointer<ChunkKeeperState>;
using dht::ChunkMessage;
using dht::ChunkMessageKind;
using dht::ObjectKind;

TimePoint Now(Self self) {
  return TimePoint(std::chrono::duration_cast<Duration>(self->clock().now().time_since_epoch()));
}

const NodeId& SelfId(Self self) { return self->state.identity->node_id(); }

// This node and its contacts: the nodes placement chooses among.
std::vector<NodeId> LiveNodes(Self self) {
  std::vector<NodeId> live{SelfId(self)};
  for (const auto& [id, address] : self->state.contacts) live.push_back(id);
  return live;
}

// Sends to `to` over its session, dialing its contact address if there is none (replies go to
// peers that may not be contacts yet: their session is open).
void Send(Self self, const NodeId& to, const ChunkMessage& message) {
  auto& st = self->state;
  if (!st.transport) return;
  auto contact = st.contacts.find(to);
  caf::anon_send(st.transport, send_atom::value, to,
                 contact == st.contacts.end() ? std::string() : contact->second,
                 dht::EncodeChunkMessage(message));
}

// Sends a request and calls `done` with its reply, or with nullptr if it fails or times out.
void Ask(Self self, const NodeId& peer, ChunkMessage message,
         std::function<void(const ChunkMessage*)> done) {
  auto& st = self->state;
  message.request_id = st.next_request++;
  st.requests.emplace(message.request_id,
                      ChunkKeeperState::PendingRequest{
                          peer, Now(self) + st.options.request_timeout, std::move(done)});
  Send(self, peer, message);
}

// Sends what the push windows admit and hands finished jobs their results.
void FlushPushes(Self self) {
  auto& st = self->state;
  for (const dht::PushQueue::Outgoing& out : st.pushes->TakeSendable(Now(self))) {
    Result<Bytes> bytes = Status::NotFound("no such object");
    if (out.push.object == ObjectKind::kChunk) {
      bytes = st.store->GetChunk(out.push.id);
    } else if (Result<std::optional<Bytes>> manifest = st.catalog->ManifestObject(out.push.id);
               !manifest.ok()) {
      bytes = manifest.status();
    } else if (manifest->has_value()) {
      bytes = std::move(**manifest);
    }
    if (!bytes.ok() || st.contacts.count(out.push.to) == 0) {
      spdlog::warn("keeper: cannot push {} to {}: {}", out.push.id.ShortHex(),
                   out.push.to.ShortHex(),
                   bytes.ok() ? "not a contact" : bytes.status().ToString());
      st.pushes->OnAck(out.push.to, out.request_id, false);
      continue;
    }
    ChunkMessage push;
    push.kind = ChunkMessageKind::kPush;
    push.request_id = out.request_id;
    push.object = out.push.object;
    push.id = out.push.id;
    push.data = std::move(bytes).value();
    Send(self, out.push.to, push);
  }
  for (dht::PushQueue::JobResult& result : st.pushes->TakeFinished()) {
    for (bool acked : result.acked) ++(acked ? st.counters.pushes_sent : st.counters.pushes_failed);
    auto done = st.on_pushed.find(result.job);
    if (done == st.on_pushed.end()) continue;
    auto callback = std::move(done->second);
    st.on_pushed.erase(done);
    callback(result);
  }
}

// Pushes `ids` to their R closest nodes; `done` gets, per id, the durable copies there (this
// node's own counted when it is one of them).
void Replicate(Self self, ObjectKind kind, const std::vector<Id>& ids,
               std::function<void(std::vector<uint32_t>)> done) {
  auto& st = self->state;
  const std::vector<NodeId> live = LiveNodes(self);
  std::vector<uint32_t> copies(ids.size(), 0);
  std::vector<dht::PushQueue::Push> pushes;
  std::vector<size_t> object_of_push;
  for (size_t i = 0; i < ids.size(); ++i) {
    for (const NodeId& holder : dht::ClosestNodes(ids[i], live, st.options.replication)) {
      if (holder == SelfId(self)) {
        ++copies[i];
      } else {
        pushes.push_back({kind, ids[i], holder});
        object_of_push.push_back(i);
      }
    }
  }
  const dht::PushQueue::JobId job = st.pushes->Add(std::move(pushes));
  st.on_pushed.emplace(job, [copies, object_of_push, done = std::move(done)](
                                const dht::PushQueue::JobResult& result) mutable {
    for (size_t p = 0; p < result.acked.size(); ++p) copies[object_of_push[p]] += result.acked[p];
    done(std::move(copies));
  });
  FlushPushes(self);
}

// Passes `pointer` to up to gossip_fanout contacts other than `except`.
void Gossip(Self self, const dht::DatasetPointer& pointer, const std::optional<NodeId>& except) {
  auto& st = self->state;
  std::vector<NodeId> targets;
  for (const auto& [id, address] : st.contacts) {
    if (!except || id != *except) targets.push_back(id);
  }
  std::shuffle(targets.begin(), targets.end(), st.rng);
  if (targets.size() > st.options.gossip_fanout) targets.resize(st.options.gossip_fanout);
  ChunkMessage catalog;
  catalog.kind = ChunkMessageKind::kCatalog;
  catalog.pointers.push_back(dht::EncodeDatasetPointer(pointer));
  for (const NodeId& to : targets) Send(self, to, catalog);
}

// Publishes a pointer this node made (an upload, a delete) in the DHT as well, under the
// dataset's key, so a node can look a name up without waiting for gossip.
void PutInDht(Self self, const dht::DatasetPointer& pointer) {
  auto& st = self->state;
  self->request(st.router, st.options.request_timeout, put_atom::value,
                store::DatasetKey(pointer.name), dht::EncodeDatasetPointer(pointer))
      .then([](uint64_t) {},
            [name = pointer.name](const caf::error& error) {
              spdlog::warn("keeper: pointer of {} not stored in the DHT: {}", name,
                           ToStatus(error).ToString());
            });
}

void AdoptAndGossip(Self self, const dht::DatasetPointer& pointer, const Bytes* manifest,
                    const NodeId& from) {
  Result<bool> adopted = self->state.catalog->Adopt(pointer, manifest);
  if (!adopted.ok()) {
    spdlog::warn("keeper: not adopting {} v{} from {}: {}", pointer.name, pointer.version,
                 from.ShortHex(), adopted.status().ToString());
    return;
  }
  if (!*adopted) return;
  spdlog::info("keeper: {} {} version {} (from {})", pointer.deleted ? "deleted" : "adopted",
               pointer.name, pointer.version, from.ShortHex());
  Gossip(self, pointer, from);
}

void OnCatalog(Self self, const NodeId& from, const ChunkMessage& message) {
  auto& st = self->state;
  std::vector<dht::DatasetPointer> theirs;
  for (const Bytes& bytes : message.pointers) {
    Result<dht::DatasetPointer> pointer = dht::DecodeDatasetPointer(bytes);
    if (!pointer.ok()) {
      ++st.counters.pushes_refused;
      spdlog::warn("keeper: refusing a pointer from {}: {}", from.ShortHex(),
                   pointer.status().ToString());
      continue;
    }
    theirs.push_back(std::move(pointer).value());
  }
  if (message.full) {
    Result<std::vector<dht::DatasetPointer>> offer = st.catalog->ToOffer(theirs);
    if (offer.ok() && !offer->empty()) {
      ChunkMessage reply;
      reply.kind = ChunkMessageKind::kCatalog;
      for (const dht::DatasetPointer& p : *offer) reply.pointers.push_back(EncodeDatasetPointer(p));
      Send(self, from, reply);
    }
  }
  Result<std::vector<dht::DatasetPointer>> adopt = st.catalog->ToAdopt(theirs);
  if (!adopt.ok()) {
    spdlog::error("keeper: cannot read the catalog: {}", adopt.status().ToString());
    return;
  }
  for (const dht::DatasetPointer& pointer : *adopt) {
    Result<std::optional<Bytes>> held = st.catalog->ManifestObject(pointer.manifest_id);
    if (pointer.deleted || (held.ok() && held->has_value())) {
      AdoptAndGossip(self, pointer, pointer.deleted ? nullptr : &**held, from);
      continue;
    }
    ChunkMessage fetch;
    fetch.kind = ChunkMessageKind::kFetch;
    fetch.object = ObjectKind::kManifest;
    fetch.id = pointer.manifest_id;
    Ask(self, from, fetch, [self, pointer, from](const ChunkMessage* reply) {
      if (reply == nullptr || !reply->ok) {
        spdlog::warn("keeper: could not fetch the manifest of {} v{} from {}", pointer.name,
                     pointer.version, from.ShortHex());
        return;
      }
      AdoptAndGossip(self, pointer, &reply->data, from);
    });
  }
}

void SendFullCatalog(Self self, const NodeId& to) {
  Result<std::vector<dht::DatasetPointer>> pointers = self->state.catalog->Pointers();
  if (!pointers.ok()) return;
  ChunkMessage catalog;
  catalog.kind = ChunkMessageKind::kCatalog;
  catalog.full = true;
  for (const dht::DatasetPointer& p : *pointers) catalog.pointers.push_back(EncodeDatasetPointer(p));
  Send(self, to, catalog);
}

// A push from a peer: verified against its id, then written at the next sync and acked there.
void OnPush(Self self, const NodeId& from, const ChunkMessage& push) {
  auto& st = self->state;
  ChunkMessage ack;
  ack.kind = ChunkMessageKind::kPushAck;
  ack.request_id = push.request_id;
  const auto refuse = [&](const std::string& why) {
    ++st.counters.pushes_refused;
    spdlog::warn("keeper: refusing {} from {}: {}", push.id.ShortHex(), from.ShortHex(), why);
    ack.ok = false;
    ack.error = why;
    Send(self, from, ack);
  };
  if (Blake2b256(push.data) != push.id) return refuse("bytes do not match their id");
  if (push.object == ObjectKind::kManifest) {
    if (Status put = st.catalog->PutManifestObject(push.id, push.data); !put.ok()) {
      return refuse(put.ToString());
    }
    ++st.counters.pushes_received;
    return Send(self, from, ack);
  }
  // The shape only (header and column boundaries): scans check each column as they decode it.
  if (Status valid = store::SplitChunkColumns(push.data).status(); !valid.ok()) {
    return refuse(valid.ToString());
  }
  if (st.unsynced.empty() && st.unsynced_acks.empty()) self->send(self, sync_atom::value);
  st.unsynced.PutChunk(push.id, push.data);
  st.unsynced_acks.push_back({from, push.request_id});
}

void OnSync(Self self) {
  auto& st = self->state;
  const Status written = st.unsynced.empty() ? Status::OK()
                                             : st.store->Write(st.unsynced, store::Durability::kSync);
  if (!written.ok()) spdlog::error("keeper: cannot store pushed chunks: {}", written.ToString());
  for (const ChunkKeeperState::UnsyncedAck& pending : st.unsynced_acks) {
    ChunkMessage ack;
    ack.kind = ChunkMessageKind::kPushAck;
    ack.request_id = pending.request_id;
    ack.ok = written.ok();
    if (!written.ok()) ack.error = written.ToString();
    Send(self, pending.peer, ack);
  }
  if (written.ok()) st.counters.pushes_received += st.unsynced_acks.size();
  st.unsynced = store::StoreBatch();
  st.unsynced_acks.clear();
}

void OnFetch(Self self, const NodeId& from, const ChunkMessage& fetch) {
  auto& st = self->state;
  ChunkMessage reply;
  reply.kind = ChunkMessageKind::kFetchReply;
  reply.request_id = fetch.request_id;
  Result<Bytes> bytes = Status::NotFound("not held here");
  if (fetch.object == ObjectKind::kChunk) {
    bytes = st.store->GetChunk(fetch.id);
  } else if (auto manifest = st.catalog->ManifestObject(fetch.id); manifest.ok() && *manifest) {
    bytes = std::move(**manifest);
  }
  reply.ok = bytes.ok();
  if (bytes.ok()) {
    reply.data = std::move(bytes).value();
  } else {
    reply.error = bytes.status().ToString();
  }
  Send(self, from, reply);
}

void OnHave(Self self, const NodeId& from, const ChunkMessage& have) {
  ChunkMessage reply;
  reply.kind = ChunkMessageKind::kHaveReply;
  reply.request_id = have.request_id;
  for (const Id& id : have.ids) {
    Result<bool> held = self->state.store->HasChunk(id);
    reply.have.push_back(held.ok() && *held);
  }
  Send(self, from, reply);
}

void OnDeliver(Self self, const NodeId& from, const Bytes& payload) {
  auto& st = self->state;
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
    case ChunkMessageKind::kHaveReply: {
      auto pending = st.requests.find(message->request_id);
      if (pending == st.requests.end() || pending->second.peer != from) return;
      auto done = std::move(pending->second.done);
      st.requests.erase(pending);
      return done(&*message);
    }
  }
}

void OnPeerFailed(Self self, const NodeId& peer) {
  auto& st = self->state;
  st.pushes->OnPeerFailed(peer);
  std::vector<std::function<void(const ChunkMessage*)>> failed;
  for (auto it = st.requests.begin(); it != st.requests.end();) {
    if (it->second.peer == peer) {
      failed.push_back(std::move(it->second.done));
      it = st.requests.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& done : failed) done(nullptr);
  FlushPushes(self);
}

// Refreshes the contacts from the router, then runs `then` (placement wants the freshest view
// of who is alive); `failed` gets the router's error.
void WithFreshContacts(Self self, std::function<void()> then,
                       std::function<void(const caf::error&)> failed) {
  self->request(self->state.router, self->state.options.request_timeout, peers_atom::value)
      .then(
          [self, then](const std::vector<PeerInfo>& peers) {
            auto& st = self->state;
            st.contacts.clear();
            for (const PeerInfo& peer : peers) st.contacts.emplace(peer.id, peer.address);
            then();
          },
          [failed](const caf::error& error) { failed(error); });
}

// Refreshes the contacts from the router; new contacts get our full catalog, and so does one
// random contact (anti-entropy: whatever gossip missed converges here).
void SyncCatalog(Self self) {
  WithFreshContacts(
      self,
      [self] {
        auto& st = self->state;
        std::erase_if(st.synced, [&](const NodeId& id) { return st.contacts.count(id) == 0; });
        std::vector<NodeId> ids;
        for (const auto& [id, address] : st.contacts) {
          ids.push_back(id);
          if (st.synced.insert(id).second) SendFullCatalog(self, id);
        }
        if (!ids.empty()) {
          SendFullCatalog(self, ids[std::uniform_int_distribution<size_t>(0, ids.size() - 1)(st.rng)]);
        }
      },
      [](const caf::error&) {});
}

void OnTick(Self self) {
  auto& st = self->state;
  const TimePoint now = Now(self);
  st.pushes->OnTimer(now);
  std::vector<std::function<void(const ChunkMessage*)>> expired;
  for (auto it = st.requests.begin(); it != st.requests.end();) {
    if (it->second.deadline <= now) {
      expired.push_back(std::move(it->second.done));
      it = st.requests.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& done : expired) done(nullptr);
  FlushPushes(self);
  if (now >= st.next_catalog_sync) {
    st.next_catalog_sync = now + st.options.catalog_interval;
    SyncCatalog(self);
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

// The nodes confirmed to hold each chunk of `manifest`: this node from its store, its R closest
// others by asking them (HAVE); `done` gets the lists in manifest order.
void FindHolders(Self self, const store::Manifest& manifest,
                 std::function<void(std::vector<std::vector<NodeId>>)> done) {
  auto& st = self->state;
  auto holders = std::make_shared<std::vector<std::vector<NodeId>>>(manifest.chunks.size());
  std::map<NodeId, std::vector<size_t>> asks;
  const std::vector<NodeId> live = LiveNodes(self);
  for (size_t i = 0; i < manifest.chunks.size(); ++i) {
    const ChunkId& id = manifest.chunks[i].id;
    if (Result<bool> held = st.store->HasChunk(id); held.ok() && *held) {
      (*holders)[i].push_back(SelfId(self));
    }
    for (const NodeId& node : dht::ClosestNodes(id, live, st.options.replication)) {
      if (node != SelfId(self)) asks[node].push_back(i);
    }
  }
  if (asks.empty()) return done(std::move(*holders));
  auto remaining = std::make_shared<size_t>(asks.size());
  auto finish = std::make_shared<std::function<void(std::vector<std::vector<NodeId>>)>>(done);
  for (auto& [peer, chunks] : asks) {
    ChunkMessage have;
    have.kind = ChunkMessageKind::kHave;
    for (size_t i : chunks) have.ids.push_back(manifest.chunks[i].id);
    Ask(self, peer, have,
        [holders, remaining, finish, peer, chunks](const ChunkMessage* reply) {
          if (reply != nullptr && reply->have.size() == chunks.size()) {
            for (size_t j = 0; j < chunks.size(); ++j) {
              if (reply->have[j]) (*holders)[chunks[j]].push_back(peer);
            }
          }
          if (--*remaining == 0) (*finish)(std::move(*holders));
        });
  }
}

}  // namespace

ChunkKeeperActor::behavior_type ChunkKeeper(Self self, ChunkKeeperOptions options,
                                            dht::Identity identity,
                                            std::shared_ptr<store::ChunkStore> store) {
  auto& st = self->state;
  st.options = options;
  st.identity = std::move(identity);
  st.store = std::move(store);
  st.catalog = std::make_unique<local::NetworkCatalog>(*st.store);
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
      [=](delete_atom, const std::string& name) -> caf::result<uint64_t> {
        auto& st = self->state;
        Result<std::optional<dht::DatasetPointer>> current = st.catalog->Pointer(name);
        if (!current.ok()) return ToCafError(current.status());
        if (!*current || (*current)->deleted) {
          return ToCafError(Status::NotFound("no dataset named " + name));
        }
        const dht::DatasetPointer tombstone = dht::SignDatasetPointer(
            *st.identity, name, (*current)->version + 1, Id(), true,
            ToMicros(local::SystemClock().Now()));
        if (Result<bool> adopted = st.catalog->Adopt(tombstone, nullptr); !adopted.ok()) {
          return ToCafError(adopted.status());
        }
        spdlog::info("keeper: deleted {} (version {})", name, tombstone.version);
        Gossip(self, tombstone, std::nullopt);
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
