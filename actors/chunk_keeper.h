// The chunk keeper actor: owns the node's store and everything that moves data between nodes.
//  - Placement: an object (chunk or manifest) belongs on the R nodes XOR-closest to its id,
//    among this node and the router's contacts (exact while the table knows the whole network;
//    in a larger one, its closest known nodes).
//  - The chunk protocol (/lake/chunk/1, dht/chunk_messages.h): pushes go through a PushQueue
//    (a window per peer, acks awaited); received pushes are verified against their id, written
//    and acked only after a synced write (one sync per burst of pushes: a group commit).
//  - The catalog (local/network_catalog.h): new pointers are gossiped to a few contacts, which
//    pass on what they adopt; a full catalog goes to every new contact and to one random contact
//    each catalog interval, answered with what the sender lacks.
//  - Uploads: each runs as an upload job (actors/upload_job.h), one at a time, which asks the
//    keeper to replicate and then to publish.
//  - Repair: each repair interval a RepairRound asks the R closest nodes of every held chunk
//    whether they hold it, pushes the missing copies and hands off what is no longer ours.
// Thread-safety: an actor; its state is touched only by its handlers.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "actors/interfaces.h"
#include "dht/identity.h"
#include "dht/push_queue.h"
#include "dht/repair_round.h"
#include "local/chunk_gather.h"
#include "local/network_catalog.h"
#include "store/chunk_store.h"

namespace lake::actors {

struct ChunkKeeperOptions {
  uint32_t replication = 3;   // R
  uint32_t write_quorum = 2;  // W
  size_t chunk_bytes = 1 << 20;
  size_t import_threads = 2;
  std::chrono::milliseconds tick{250};
  std::chrono::milliseconds catalog_interval{2000};
  std::chrono::milliseconds repair_interval{30000};
  uint64_t repair_bytes_per_second = 64 << 20;  // repair's bandwidth bound, per node
  std::chrono::milliseconds orphan_grace{std::chrono::hours(1)};  // see CollectOrphans
  std::chrono::milliseconds request_timeout{10000};               // FETCH, HAVE and router requests
  std::chrono::milliseconds upload_step_timeout{std::chrono::hours(1)};
  size_t gossip_fanout = 8;  // contacts a new pointer is passed to
  dht::PushQueue::Options pushes;
  // Chunks fetched for queries kept for the next ones (analytics.fetchCacheSize); 0 = none.
  size_t fetch_cache_bytes = size_t{256} << 20;
};

struct ChunkKeeperState {
  static inline const char* name = "chunk_keeper";

  // A request sent to a peer (FETCH, HAVE) and what to do with its reply; called with nullptr
  // if the peer fails or the deadline passes.
  struct PendingRequest {
    NodeId peer;
    TimePoint deadline;
    std::function<void(const dht::ChunkMessage*)> done;
  };
  struct WaitingUpload {
    uint64_t id;
    UploadRequest request;
  };
  struct UnsyncedAck {
    NodeId peer;
    uint64_t request_id;
  };

  // Immutable after start
  ChunkKeeperOptions options;
  std::optional<dht::Identity> identity;
  std::shared_ptr<store::ChunkStore> store;
  std::unique_ptr<local::NetworkCatalog> catalog;

  // Mutable state
  std::unique_ptr<local::FetchedChunks> fetched;  // see ChunkKeeperOptions::fetch_cache_bytes
  TransportActor transport;
  DhtRouterActor router;
  std::string address;
  std::map<NodeId, std::string> contacts;  // the router's table, refreshed every catalog interval
  std::set<NodeId> synced;                 // contacts sent our full catalog
  std::unique_ptr<dht::PushQueue> pushes;
  std::map<dht::PushQueue::JobId, std::function<void(const dht::PushQueue::JobResult&)>> on_pushed;
  std::map<uint64_t, PendingRequest> requests;  // by request id
  uint64_t next_request = 1;
  store::StoreBatch unsynced;  // pushed chunks written at the next sync
  std::vector<UnsyncedAck> unsynced_acks;
  std::map<uint64_t, caf::typed_response_promise<UploadOutcome>> uploads;
  std::deque<WaitingUpload> waiting_uploads;
  bool upload_running = false;
  uint64_t next_upload = 1;
  TimePoint next_catalog_sync{};
  TimePoint next_repair{};
  std::unique_ptr<dht::RepairRound> repair;  // the round under way, if any
  std::map<ChunkId, uint64_t> repair_sizes;  // bytes of the round's chunks (from manifests)
  int repair_attempt = 0;
  uint64_t repair_copies_before = 0;                // counters.repair_copies when the round began
  std::map<ChunkId, TimePoint> unreferenced_since;  // held chunks no dataset references
  std::mt19937_64 rng;
  StorageStatus counters;
};

ChunkKeeperActor::behavior_type ChunkKeeper(
    ChunkKeeperActor::stateful_pointer<ChunkKeeperState> self, ChunkKeeperOptions options,
    dht::Identity identity, std::shared_ptr<store::ChunkStore> store);

}  // namespace lake::actors
