// The chunk keeper's operations, split by concern across actors/keeper_*.cc and driven by the
// handlers in chunk_keeper.cc: transfer (the chunk protocol, pushes and requests), catalog
// (gossip and anti-entropy of dataset pointers) and repair. Internal to the keeper: only its
// own files include this header.
// Thread-safety: every function runs inside the keeper's handlers.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "actors/chunk_keeper.h"
#include "store/mem_chunk_store.h"

namespace lake::actors::keeper {

using Self = ChunkKeeperActor::stateful_pointer<ChunkKeeperState>;

// --- keeper_transfer.cc -------------------------------------------------------------------------
TimePoint Now(Self self);
const NodeId& SelfId(Self self);
// This node and its contacts: the nodes placement chooses among.
std::vector<NodeId> LiveNodes(Self self);
// Refreshes the contacts from the router, then runs `then` (placement wants the freshest view of
// who is alive); `failed` gets the router's error.
void WithFreshContacts(Self self, std::function<void()> then,
                       std::function<void(const caf::error&)> failed);
// Sends to `to` over its session, dialing its contact address if there is none (replies go to
// peers that may not be contacts yet: their session is open).
void Send(Self self, const NodeId& to, const dht::ChunkMessage& message);
// Sends a request and calls `done` with its reply, or with nullptr if it fails or times out.
void Ask(Self self, const NodeId& peer, dht::ChunkMessage message,
         std::function<void(const dht::ChunkMessage*)> done);
// Asks `peer` which of `ids` it holds, in HAVE messages of at most max_ids each; `done` gets one
// answer per id, or nullptr if any part failed.
void AskHave(Self self, const NodeId& peer, const std::vector<ChunkId>& ids,
             std::function<void(const std::vector<bool>*)> done);
// A reply to one of Ask's requests.
void OnReply(Self self, const NodeId& from, const dht::ChunkMessage& reply);
// Sends what the push windows admit and hands finished jobs their results.
void FlushPushes(Self self);
// Pushes `ids` to their R closest nodes; `done` gets, per id, the durable copies there (this
// node's own counted when it is one of them).
void Replicate(Self self, dht::ObjectKind kind, const std::vector<Id>& ids,
               std::function<void(std::vector<uint32_t>)> done);
// The nodes confirmed to hold each chunk of `manifest`: this node from its store, its R closest
// others by asking them (HAVE); `done` gets the lists in manifest order.
void FindHolders(Self self, const store::Manifest& manifest,
                 std::function<void(std::vector<std::vector<NodeId>>)> done);
// Fetches chunks `ids` for a query (local/chunk_gather.h: each from the closest node that
// gives it, verified, a few at a time). `done` gets them in a store of their own, or Unavailable
// naming the first chunk no node gave.
void FetchChunks(Self self, std::vector<ChunkId> ids,
                 std::function<void(Result<std::shared_ptr<store::MemChunkStore>>)> done);
void OnPush(Self self, const NodeId& from, const dht::ChunkMessage& push);
void OnSync(Self self);
void OnFetch(Self self, const NodeId& from, const dht::ChunkMessage& fetch);
void OnHave(Self self, const NodeId& from, const dht::ChunkMessage& have);
// `peer` is unreachable: its pushes and requests fail.
void OnPeerFailed(Self self, const NodeId& peer);
// Fails the requests and pushes past their deadlines.
void ExpireDeadlines(Self self);

// --- keeper_catalog.cc --------------------------------------------------------------------------
// Passes `pointer` to up to gossip_fanout contacts other than `except`.
void Gossip(Self self, const dht::DatasetPointer& pointer, const std::optional<NodeId>& except);
// Publishes a pointer this node made (an upload, a delete) in the DHT as well, under the
// dataset's key, so a node can look a name up without waiting for gossip.
void PutInDht(Self self, const dht::DatasetPointer& pointer);
void OnCatalog(Self self, const NodeId& from, const dht::ChunkMessage& message);
// Refreshes the contacts; new contacts get our full catalog, and so does one random contact
// (anti-entropy: whatever gossip missed converges here).
void SyncCatalog(Self self);

// --- keeper_repair.cc ---------------------------------------------------------------------------
// Starts a repair round unless one is under way: for every held chunk some dataset references,
// ask its R closest live nodes whether they hold it, push the missing copies (within the
// bandwidth bound), then drop the copies this node no longer needs. Held chunks no dataset
// references are collected once they stayed so for the orphan grace.
void StartRepair(Self self);

}  // namespace lake::actors::keeper
