// DhtCore: one node's Kademlia logic, with no I/O, threads or clock of its own.
// Inputs: messages (with the sender's NodeId, which the transport has authenticated), timer
// ticks, answered seed dials, and calls to look up, get and put; each carries `now`. Outputs,
// collected with TakeOutbox(): messages to send, seed addresses to dial and finished operations.
// NextWakeup() says when to tick next. The real node (actors/) and the simulator (sim/) drive
// this same class through one CoreDriver (dht/core_driver.h).
//
// What it does: k-bucket routing with least-recently-seen eviction after a liveness ping;
// iterative α-parallel FIND_NODE / FIND_VALUE; STORE of small records on the closest nodes with
// a TTL, republished by their publisher; refresh of buckets nobody touched lately; joining
// through seed addresses, dialled again with back-off until one answers; heartbeat pings of
// contacts that went quiet. Unanswered requests time out and the node is dropped from the table,
// but remembered as dormant and pinged again later: after a partition heals, that is how the two
// sides find each other (an empty bucket is never refreshed).
// Thread-safety: not thread-safe; owned by one actor or one simulated node.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/rng.h"
#include "dht/contact.h"
#include "dht/lookup.h"
#include "dht/messages.h"
#include "dht/record_store.h"
#include "dht/routing_table.h"

namespace lake::dht {

struct DhtOptions {
  size_t k = 20;     // bucket size and lookup width
  size_t alpha = 3;  // lookup parallelism
  // A first-found get asks one node at a time: the closest node it knows usually holds the
  // value, and the answers of parallel queries would be thrown away (3x the messages for
  // nothing). A silent node costs it one request timeout.
  size_t first_found_alpha = 1;
  // Contacts in a FIND_NODE / FIND_VALUE reply. More than k: under churn some of a responder's
  // contacts are dead and not yet noticed, and would otherwise crowd out live ones.
  size_t reply_contacts = 30;
  size_t store_replicas = 20;  // a put stores on this many closest nodes
  Duration request_timeout = std::chrono::seconds(2);
  Duration maintenance_interval = std::chrono::seconds(60);  // expiry, refresh, republish check
  Duration refresh_after = std::chrono::minutes(15);  // a bucket untouched this long is refreshed
  Duration republish_interval = std::chrono::minutes(30);
  uint32_t record_ttl_s = 2 * 3600;  // records outlive two missed republishes
  size_t dormant_contacts = 64;      // silent contacts remembered for later retry
  size_t revival_pings = 4;          // of those, pinged per maintenance round
  // Contacts nobody heard from for this long are pinged at the next heartbeat sweep (one sweep
  // per interval) and leave the table unless they answer: a node that died without its
  // connection closing (power loss, partition) is gone from every table within two intervals
  // and a request timeout. Any message from a contact refreshes it, so only quiet contacts cost
  // a ping.
  Duration heartbeat_interval = std::chrono::seconds(10);
  // While the routing table is empty the seeds are dialled again, first seed_retry_min after
  // the last dial, then at doubling intervals up to seed_retry_max: a node started before its
  // seeds joins soon after they come up, without hammering seeds that stay down.
  Duration seed_retry_min = std::chrono::milliseconds(500);
  Duration seed_retry_max = std::chrono::seconds(30);
  size_t max_values_per_key = 64;
  size_t max_values_total = 100'000;
  MessageLimits limits;
};

class DhtCore {
 public:
  using OperationId = uint64_t;

  enum class OperationKind { kFindNode, kGet, kPut };
  struct OperationResult {
    OperationId id = 0;
    OperationKind kind = OperationKind::kFindNode;
    Id target;
    std::vector<Contact> closest;  // the k closest nodes: those that answered, and this one
    std::vector<Bytes> values;     // kGet: every value found
    size_t stored = 0;             // kPut: nodes that acknowledged the store
    int hops = 0;
    size_t queries = 0;
  };
  struct Send {
    Contact to;
    Message message;
  };
  struct Outbox {
    std::vector<Send> sends;
    std::vector<std::string> dials;  // seed addresses to connect to; answers come to OnDialed
    std::vector<OperationResult> results;
  };

  DhtCore(const Contact& self, const DhtOptions& options, Rng rng);

  // Starts the node and its heartbeat. No seeds: the first node of a network. Otherwise the seed
  // addresses ("host:port") are dialled now (Outbox::dials) and again with doubling back-off
  // while the routing table is empty; each seed that answers is joined through (OnDialed).
  void Join(TimePoint now, std::vector<std::string> seeds);
  // A connection this node dialled to `peer.address` answered as `peer.id` (verified by the
  // transport). If the address is a seed the node joins through it, also after a restart of
  // either side. Returns whether it was a seed.
  bool OnDialed(TimePoint now, const Contact& peer);
  // Joins the overlay through `seeds` (contacts whose ids the transport has verified): pings
  // them and looks up our own id, which fills the table. No seeds: the first node of a network.
  void Bootstrap(TimePoint now, const std::vector<Contact>& seeds);
  // A message from `from` (authenticated by the transport). Replies go to the outbox.
  void OnMessage(TimePoint now, const NodeId& from, const Message& message);
  // Time passed: dials the seeds again, sends heartbeat pings, expires requests and runs
  // maintenance, each when due. Call at NextWakeup() or later; an early call does no harm.
  void OnTimer(TimePoint now);

  // The transport cannot reach `id` (connection refused or lost): requests pending to it fail
  // now instead of at their deadline.
  void OnUnreachable(TimePoint now, const NodeId& id);
  // Pings `id` if it is in the table; it is removed unless it answers (e.g. its connection just
  // closed, which may mean it died).
  void CheckAlive(TimePoint now, const NodeId& id);

  OperationId FindNode(TimePoint now, const Id& target);
  // kAll: asks the k closest nodes and returns every value any of them holds (a manifest's
  // versions). kFirstFound: stops at the first node, this one included, that holds any value
  // (immutable records, where any copy is as good as all of them).
  enum class GetMode { kAll, kFirstFound };
  OperationId Get(TimePoint now, const Id& key, GetMode mode = GetMode::kAll);
  // Stores `value` under `key` on the closest nodes and republishes it until Unpublish. A value
  // over limits.max_value_bytes stores nowhere (its result says stored = 0).
  OperationId Put(TimePoint now, const Id& key, const Bytes& value);
  void Unpublish(const Id& key, const Bytes& value);

  Outbox TakeOutbox();
  // When OnTimer next has something to do; zero before the node starts.
  TimePoint NextWakeup() const;

  const Contact& self() const { return self_; }
  const RoutingTable& table() const { return table_; }
  const RecordStore& records() const { return records_; }
  uint64_t messages_dropped() const { return messages_dropped_; }

 private:
  // kLivenessPing: to a dormant contact (revival) or a suspect one (CheckAlive); an answer puts
  // it back in the table, silence removes it.
  enum class Purpose { kOperation, kEvictionPing, kLivenessPing, kStore };
  struct PendingRequest {
    Contact to;
    Purpose purpose;
    OperationId operation = 0;
    TimePoint deadline;
  };
  struct Operation {
    OperationKind kind;
    std::unique_ptr<Lookup> lookup;
    std::set<Bytes> values;
    GetMode get_mode = GetMode::kAll;  // kGet
    Bytes value_to_store;              // kPut
    size_t stores_pending = 0;
    size_t stored = 0;
  };
  struct Published {
    TimePoint next_republish;
  };

  void Request(TimePoint now, const Contact& to, Message message, Purpose purpose,
               OperationId operation);
  void Ping(TimePoint now, const Contact& to, Purpose purpose);
  void Reply(const NodeId& to, const Message& request, Message reply);
  void Heard(TimePoint now, const Contact& contact);
  void ServeRequest(TimePoint now, const NodeId& from, const Message& request);
  void HandleResponse(TimePoint now, const NodeId& from, const Message& response);
  void RequestFailed(TimePoint now, uint64_t request_id);
  OperationId StartLookup(TimePoint now, OperationKind kind, const Id& target,
                          GetMode mode = GetMode::kAll);
  OperationId StartPut(TimePoint now, const Id& key, const Bytes& value);
  void Advance(TimePoint now, OperationId id);
  void Finish(OperationId id);
  // The lookup's closest nodes with this node merged in by distance, at most k.
  std::vector<Contact> ClosestWithSelf(const Lookup& lookup) const;
  void Maintain(TimePoint now);
  void DialSeeds(TimePoint now);
  void Heartbeat(TimePoint now);

  // Immutable after construction
  const Contact self_;
  const DhtOptions options_;

  // Mutable state
  Rng rng_;
  RoutingTable table_;
  RecordStore records_;
  std::map<uint64_t, PendingRequest> pending_;          // by request id
  std::set<std::pair<TimePoint, uint64_t>> deadlines_;  // (deadline, request id)
  std::map<OperationId, Operation> operations_;
  std::set<NodeId> eviction_pings_;                      // contacts being probed
  std::deque<Contact> dormant_;                          // silent, oldest first
  std::map<std::pair<Id, Bytes>, Published> published_;  // our own puts, republished
  std::vector<std::string> seeds_;                       // addresses given to Join
  Duration seed_retry_{};                                // wait after the latest dial
  TimePoint next_seed_dial_{};
  OperationId next_operation_ = 1;
  TimePoint next_maintenance_{};  // zero until the node starts, as the two below
  TimePoint next_heartbeat_{};
  uint64_t messages_dropped_ = 0;
  Outbox outbox_;
};

}  // namespace lake::dht
