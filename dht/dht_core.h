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
// contacts that went quiet. A contact that fails max_failures requests in a row (timeouts or an
// unreachable transport) is dropped from the table, but remembered as dormant and pinged again
// later: after a partition heals, that is how the two sides find each other (an empty bucket is
// never refreshed). One lost reply (a slow or busy node) does not evict anyone.
//
// Defences against hostile peers: a contact enters the table, or changes address, only with an
// address the transport verified (a session this node dialled to it and on which it proved its
// id): a request from an unknown node on its own connection makes this node dial the address it
// claims, and lookup replies never touch the table. Ids per public /24 (/48) are limited per
// bucket and per table. A STORE is kept only if this node is among the k closest to the key it
// knows, within the record store's byte budget and per-peer and per-network quotas; a dataset
// pointer (dht/dataset_pointer.h) only if signed by a configured writer, or, with none
// configured, by whoever signed the first pointer this node kept under that key. Replies are
// trimmed to max_message_bytes, dropping values, rather than built too big to send.
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
#include "dht/seed.h"

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
  // After the lookup of its own id that joins it, a node repeats that lookup up to this many
  // times, at doubling intervals from join_lookup_retry_min, while its table holds fewer than k
  // contacts (a full one has learnt the network already). Nodes that join through one seed at the
  // same moment each find only the seed (it has not verified the others' addresses yet), and would
  // otherwise not hear of each other until a bucket refresh, 15 minutes on.
  size_t join_lookup_repeats = 3;
  Duration join_lookup_retry_min = std::chrono::seconds(1);
  RecordLimits records;  // values, bytes and per-peer / per-network quotas of stored records
  // Contacts of one public address group (/24, /48) per bucket and in the table: one host needs
  // many networks, not just many ids, to surround a key. Private and loopback addresses are
  // exempt (a LAN or a test cluster shares one /24).
  size_t max_per_group_in_bucket = 2;
  size_t max_per_group_in_table = 10;
  size_t max_failures = 3;  // requests failed in a row before a contact leaves the table
  // No message this node builds is larger: a reply holding more values than fit drops the rest
  // (the transport caps DHT payloads, and a frame that cannot be sent helps nobody).
  size_t max_message_bytes = size_t{128} << 10;
  // Nodes whose dataset pointers this node stores; empty: each key's first signer.
  std::vector<NodeId> writers;
  size_t pending_verifications = 32;  // claimed addresses being dialled to verify them
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
  // addresses ("host:port" or "<id hex>@host:port", dht/seed.h) are dialled now (Outbox::dials)
  // and again with doubling back-off while the routing table is empty; each seed that answers
  // (with its pinned id, if any) is joined through (OnDialed). Seeds that do not parse are
  // skipped (the config check reports them first).
  void Join(TimePoint now, const std::vector<std::string>& seeds);
  enum class Dialed {
    kSeed,       // a seed: joined through
    kWrongSeed,  // a seed's address answered with another id than the one pinned: refused
    kOther,      // any other node: its address is verified (the table may take it)
  };
  // A connection this node dialled to `peer.address` answered as `peer.id` (verified by the
  // transport). If the address is a seed the node joins through it, also after a restart of
  // either side.
  Dialed OnDialed(TimePoint now, const Contact& peer);
  // Joins the overlay through `seeds` (contacts whose ids the transport has verified): pings
  // them and looks up our own id, which fills the table. No seeds: the first node of a network.
  void Bootstrap(TimePoint now, const std::vector<Contact>& seeds);
  // A message from `from` (authenticated by the transport). `verified_address`: where the
  // session it came on was dialled by this node (so `from` proved its id there); nullopt for a
  // connection the peer opened. Replies go to the outbox.
  void OnMessage(TimePoint now, const NodeId& from, const Message& message,
                 const std::optional<std::string>& verified_address);
  // Time passed: dials the seeds again, sends heartbeat pings, expires requests and runs
  // maintenance, each when due. Call at NextWakeup() or later; an early call does no harm.
  void OnTimer(TimePoint now);

  // The transport cannot reach `id` (connection refused or lost): requests pending to it fail
  // now instead of at their deadline.
  void OnUnreachable(TimePoint now, const NodeId& id);
  // `id` closed a connection this node dialled before its handshake ended, which a live node
  // with every connection slot taken does too. Lookups and stores pending to it fail now and move
  // on to other nodes; pings wait for their deadline, since a ping that failed at once would be
  // sent again at once, and three refusals within a millisecond would evict a live contact.
  void OnTurnedAway(TimePoint now, const NodeId& id);
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
  uint64_t stores_refused() const { return stores_refused_; }
  uint64_t replies_trimmed() const { return replies_trimmed_; }
  uint64_t requests_failed() const { return requests_failed_; }  // timeouts and unreachable
  uint64_t seeds_refused() const { return seeds_refused_; }

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
  struct Verification {
    std::string address;  // claimed by a node that sent a request
    TimePoint dialled;
  };

  void Request(TimePoint now, const Contact& to, Message message, Purpose purpose,
               OperationId operation);
  void Ping(TimePoint now, const Contact& to, Purpose purpose);
  void Reply(const NodeId& to, const Message& request, Message reply);
  void Heard(TimePoint now, const Contact& contact);
  // `id` sent a message, claiming `claimed` as its address, on a session dialled to `verified`
  // (if any): refreshes it, or adds it with a verified address, or dials `claimed` to verify it.
  void HeardFrom(TimePoint now, const NodeId& id, const std::string& claimed,
                 const std::optional<std::string>& verified);
  void Verify(TimePoint now, const std::string& address);
  void ServeRequest(TimePoint now, const NodeId& from, const Message& request,
                    const std::optional<std::string>& verified_address);
  // Keeps `value` under `key` if the store policy allows it: `owner` is the peer asking (none:
  // this node's own put).
  bool Store(TimePoint now, const Id& key, const Bytes& value, uint32_t ttl_s,
             const std::optional<RecordStore::Owner>& owner);
  bool AmongClosest(const Id& key) const;
  // Whether a dataset pointer in `value` may be stored under `key` (true for any other value);
  // pins the key's first signer when no writers are configured.
  bool WriterAllowed(const Id& key, const Bytes& value, bool* pinned);
  // Drops values from a reply until its encoding fits max_message_bytes.
  void FitReply(Message& reply);
  void HandleResponse(TimePoint now, const NodeId& from, const Message& response,
                      const std::optional<std::string>& verified_address);
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
  // Fails the requests pending to `id`, or all but its pings.
  void FailRequestsTo(TimePoint now, const NodeId& id, bool pings_too);
  // Looks up our own id, and schedules the next such lookup while repeats of the join's are left.
  void LookUpSelf(TimePoint now);

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
  std::vector<Seed> seeds_;                              // given to Join
  std::deque<Verification> verifying_;    // claimed addresses dialled to verify, oldest first
  std::map<Id, NodeId> pointer_writers_;  // key -> first signer kept (no writers configured)
  Duration seed_retry_{};                 // wait after the latest dial
  TimePoint next_seed_dial_{};
  size_t self_lookups_left_ = 0;  // repeats of the join's lookup still to come
  TimePoint next_self_lookup_{};  // zero when none is to come
  OperationId next_operation_ = 1;
  TimePoint next_maintenance_{};  // zero until the node starts, as the two below
  TimePoint next_heartbeat_{};
  uint64_t messages_dropped_ = 0;
  uint64_t stores_refused_ = 0;
  uint64_t replies_trimmed_ = 0;
  uint64_t requests_failed_ = 0;
  uint64_t seeds_refused_ = 0;
  Outbox outbox_;
};

}  // namespace lake::dht
