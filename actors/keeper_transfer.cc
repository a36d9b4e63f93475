#include "actors/keeper_ops.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "actors/actor_clock.h"
#include "actors/errors.h"
#include "common/hash.h"
#include "dht/placement.h"
#include "local/chunk_gather.h"
#include "store/chunk_codec.h"
#include "store/importer.h"

namespace lake::actors::keeper {

using dht::ChunkMessage;
using dht::ChunkMessageKind;
using dht::ObjectKind;

namespace {

// The bytes of an object this node holds, as pushes and fetches ship them: a chunk verified
// against its id, or a manifest object. NotFound if not held here.
Result<Bytes> ReadObject(Self self, ObjectKind kind, const Id& id) {
  auto& st = self->state;
  if (kind == ObjectKind::kChunk) return st.store->GetChunk(id);
  LAKE_ASSIGN_OR_RETURN(std::optional<Bytes> manifest, st.catalog->ManifestObject(id));
  if (!manifest) return Status::NotFound("manifest " + id.ShortHex() + " not held here");
  return std::move(*manifest);
}

}  // namespace

TimePoint Now(Self self) { return ActorNow(self); }

const NodeId& SelfId(Self self) { return self->state.identity->node_id(); }

std::vector<NodeId> LiveNodes(Self self) {
  std::vector<NodeId> live{SelfId(self)};
  for (const auto& [id, address] : self->state.contacts) live.push_back(id);
  return live;
}

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

void Send(Self self, const NodeId& to, const ChunkMessage& message) {
  auto& st = self->state;
  if (!st.transport) return;
  auto contact = st.contacts.find(to);
  caf::anon_send(st.transport, send_atom::value, to,
                 contact == st.contacts.end() ? std::string() : contact->second,
                 dht::EncodeChunkMessage(message));
}

void Ask(Self self, const NodeId& peer, ChunkMessage message,
         std::function<void(const ChunkMessage*)> done) {
  auto& st = self->state;
  message.request_id = st.next_request++;
  st.requests.emplace(message.request_id,
                      ChunkKeeperState::PendingRequest{peer, Now(self) + st.options.request_timeout,
                                                       std::move(done)});
  Send(self, peer, message);
}

void AskHave(Self self, const NodeId& peer, const std::vector<ChunkId>& ids,
             std::function<void(const std::vector<bool>*)> done) {
  const size_t batch = dht::ChunkMessageLimits().max_ids;
  struct Pending {
    std::vector<bool> have;
    size_t batches_left = 0;
    bool failed = false;
    std::function<void(const std::vector<bool>*)> done;
  };
  auto pending = std::make_shared<Pending>();
  pending->have.assign(ids.size(), false);
  pending->batches_left = (ids.size() + batch - 1) / batch;
  pending->done = std::move(done);
  if (ids.empty()) return pending->done(&pending->have);
  for (size_t start = 0; start < ids.size(); start += batch) {
    ChunkMessage have;
    have.kind = ChunkMessageKind::kHave;
    have.ids.assign(ids.begin() + start, ids.begin() + std::min(ids.size(), start + batch));
    const size_t count = have.ids.size();
    Ask(self, peer, std::move(have), [pending, start, count](const ChunkMessage* reply) {
      if (reply == nullptr || reply->have.size() != count) {
        pending->failed = true;
      } else {
        std::copy(reply->have.begin(), reply->have.end(), pending->have.begin() + start);
      }
      if (--pending->batches_left > 0) return;
      pending->done(pending->failed ? nullptr : &pending->have);
    });
  }
}

void FlushPushes(Self self) {
  auto& st = self->state;
  for (const dht::PushQueue::Outgoing& out : st.pushes->TakeSendable(Now(self))) {
    Result<Bytes> bytes = ReadObject(self, out.push.object, out.push.id);
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
    std::vector<ChunkId> ids;
    for (size_t i : chunks) ids.push_back(manifest.chunks[i].id);
    AskHave(self, peer, ids,
            [holders, remaining, finish, peer, chunks](const std::vector<bool>* have) {
              if (have != nullptr) {
                for (size_t j = 0; j < chunks.size(); ++j) {
                  if ((*have)[j]) (*holders)[chunks[j]].push_back(peer);
                }
              }
              if (--*remaining == 0) (*finish)(std::move(*holders));
            });
  }
}

namespace {

// Chunks fetched for one query at a time: enough to keep the holders' links busy without
// asking one holder for everything at once.
constexpr size_t kFetchWindow = 4;

struct ChunkFetch {
  local::ChunkGather gather;
  std::function<void(Result<std::shared_ptr<store::MemChunkStore>>)> done;
  bool reported = false;
};

// Sends `asks`, each answer driving the gather on; reports the end once.
void SendFetches(Self self, const std::shared_ptr<ChunkFetch>& fetch,
                 const std::vector<local::ChunkGather::Ask>& asks) {
  for (const local::ChunkGather::Ask& ask : asks) {
    ChunkMessage message;
    message.kind = ChunkMessageKind::kFetch;
    message.object = ObjectKind::kChunk;
    message.id = ask.chunk;
    Ask(self, ask.node, std::move(message), [self, fetch, ask](const ChunkMessage* reply) {
      const bool gave = reply != nullptr && reply->ok;
      if (!gave) {
        spdlog::info("keeper: {} did not give chunk {} ({})", ask.node.ShortHex(),
                     ask.chunk.ShortHex(), reply == nullptr ? "no answer" : reply->error);
      }
      SendFetches(self, fetch,
                  fetch->gather.OnAnswer(ask.chunk, ask.node, gave ? &reply->data : nullptr));
    });
  }
  if (!fetch->gather.finished() || fetch->reported) return;
  fetch->reported = true;
  if (fetch->gather.status().ok()) {
    fetch->done(fetch->gather.chunks());
  } else {
    fetch->done(fetch->gather.status());
  }
}

}  // namespace

void FetchChunks(Self self, std::vector<ChunkId> ids,
                 std::function<void(Result<std::shared_ptr<store::MemChunkStore>>)> done) {
  WithFreshContacts(
      self,
      [self, ids = std::move(ids), done]() mutable {
        auto fetch = std::make_shared<ChunkFetch>(
            ChunkFetch{local::ChunkGather(std::move(ids), LiveNodes(self), SelfId(self),
                                          self->state.options.replication, kFetchWindow,
                                          self->state.fetched.get()),
                       std::move(done)});
        SendFetches(self, fetch, fetch->gather.Start());
      },
      [done](const caf::error& error) { done(ToStatus(error)); });
}

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
  // Acked, this copy counts for the pusher: an upload of ours that staged the same bytes must
  // not take it away when it fails or dies.
  store::ClaimChunk(&st.unsynced, push.id);
  st.unsynced_acks.push_back({from, push.request_id});
}

void OnSync(Self self) {
  auto& st = self->state;
  const Status written =
      st.unsynced.empty() ? Status::OK() : st.store->Write(st.unsynced, store::Durability::kSync);
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
  ChunkMessage reply;
  reply.kind = ChunkMessageKind::kFetchReply;
  reply.request_id = fetch.request_id;
  Result<Bytes> bytes = ReadObject(self, fetch.object, fetch.id);
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
  const store::ChunkStore& store = *self->state.store;
  for (const Id& id : have.ids) {
    // A chunk an upload here has staged but not committed is not yet durable (and goes if the
    // upload fails): a peer must not hand off its copy on our word.
    Result<bool> held = store.HasChunk(id);
    Result<bool> staged = held.ok() && *held ? store::IsStaged(store, id) : Result<bool>(false);
    reply.have.push_back(held.ok() && *held && staged.ok() && !*staged);
  }
  Send(self, from, reply);
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

void OnReply(Self self, const NodeId& from, const ChunkMessage& reply) {
  auto& st = self->state;
  auto pending = st.requests.find(reply.request_id);
  if (pending == st.requests.end() || pending->second.peer != from) return;
  auto done = std::move(pending->second.done);
  st.requests.erase(pending);
  done(&reply);
}

void ExpireDeadlines(Self self) {
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
}

}  // namespace lake::actors::keeper
