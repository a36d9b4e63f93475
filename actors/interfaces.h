// The protocols between a node's actors: atoms, the structs messages carry, and one
// typed handle per role. This header is the node's internal API document: every message an actor
// accepts is listed here, with who sends it.
// Thread-safety: declarations only.
#pragma once

#include <caf/all.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/id.h"
#include "common/status.h"
#include "dht/chunk_messages.h"
#include "dht/dataset_pointer.h"
#include "local/distributed_select.h"
#include "local/gathered_statement.h"
#include "sql/ast.h"
#include "sql/engine.h"
#include "store/importer.h"
#include "store/manifest.h"

// --- Atoms (CAF 0.17: at most 10 characters) ----------------------------------------------------
namespace lake::actors {

using attach_atom = caf::atom_constant<caf::atom("attach")>;
using close_atom = caf::atom_constant<caf::atom("close")>;
using consumed_atom = caf::atom_constant<caf::atom("consumed")>;
using dataset_atom = caf::atom_constant<caf::atom("dataset")>;
using datasets_atom = caf::atom_constant<caf::atom("datasets")>;
using decode_atom = caf::atom_constant<caf::atom("decode")>;
using delete_atom = caf::atom_constant<caf::atom("delete")>;
using deliver_atom = caf::atom_constant<caf::atom("deliver")>;
using dial_atom = caf::atom_constant<caf::atom("dial")>;
using dialed_atom = caf::atom_constant<caf::atom("dialed")>;
using dial_fail_atom = caf::atom_constant<caf::atom("dial_fail")>;
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;
using find_atom = caf::atom_constant<caf::atom("find")>;
using get_atom = caf::atom_constant<caf::atom("get")>;
using get_first_atom = caf::atom_constant<caf::atom("get_first")>;
using merge_atom = caf::atom_constant<caf::atom("merge")>;
using peer_down_atom = caf::atom_constant<caf::atom("peer_down")>;
using peer_up_atom = caf::atom_constant<caf::atom("peer_up")>;
using peers_atom = caf::atom_constant<caf::atom("peers")>;
using publish_atom = caf::atom_constant<caf::atom("publish")>;
using put_atom = caf::atom_constant<caf::atom("put")>;
using query_atom = caf::atom_constant<caf::atom("query")>;
using replicate_atom = caf::atom_constant<caf::atom("replicate")>;
using run_atom = caf::atom_constant<caf::atom("run")>;
using scan_atom = caf::atom_constant<caf::atom("scan")>;
using send_atom = caf::atom_constant<caf::atom("send")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using sync_atom = caf::atom_constant<caf::atom("sync")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using turned_away_atom = caf::atom_constant<caf::atom("turnaway")>;
using unreach_atom = caf::atom_constant<caf::atom("unreach")>;
using upload_atom = caf::atom_constant<caf::atom("upload")>;

}  // namespace lake::actors

// --- Message payloads ---------------------------------------------------------------------------
namespace lake {

// Ids travel as their 32 raw bytes; a wrong length fails deserialization.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, Id& x) {
  std::string raw(reinterpret_cast<const char*>(x.bytes().data()), Id::kBytes);
  auto load = caf::meta::load_callback([&]() -> caf::error {
    const std::optional<Id> id =
        Id::FromBytes(ByteView(reinterpret_cast<const uint8_t*>(raw.data()), raw.size()));
    if (!id) return caf::make_error(caf::sec::invalid_argument, "Id must be 32 bytes");
    x = *id;
    return caf::none;
  });
  return f(caf::meta::type_name("lake::Id"), raw, load);
}

}  // namespace lake

namespace lake::actors {

// One routing-table contact, as /api/peers shows it.
struct PeerInfo {
  NodeId id;
  std::string address;
  int64_t last_seen_ms = 0;  // Unix milliseconds
  double rtt_ms = -1;        // latest request round trip; -1 if none was measured yet
  bool connected = false;    // a session with it is open right now
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, PeerInfo& x) {
  return f(caf::meta::type_name("PeerInfo"), x.id, x.address, x.last_seen_ms, x.rtt_ms,
           x.connected);
}

// The router's view of the overlay.
struct RouterStatus {
  NodeId id;
  std::string address;               // where this node listens for peers
  uint64_t peers = 0;                // contacts in the routing table
  uint64_t records = 0;              // DHT records held
  uint64_t frames_bad = 0;           // authenticated frames that failed to decode (session dropped)
  uint64_t lookups_done = 0;         // finished find/get/put operations
  uint64_t replies_trimmed = 0;      // answers cut to fit a DHT payload by dropping values
  uint64_t requests_unanswered = 0;  // read from a session lost before they were processed
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, RouterStatus& x) {
  return f(caf::meta::type_name("RouterStatus"), x.id, x.address, x.peers, x.records, x.frames_bad,
           x.lookups_done, x.replies_trimmed, x.requests_unanswered);
}

// The transport's counters.
struct TransportStats {
  uint16_t port = 0;         // the TCP port it listens on
  uint64_t connections = 0;  // open right now
  uint64_t opening = 0;      // right now: dials queued or under way, and connections in handshake
  uint64_t sessions_dropped = 0;     // closed for a protocol violation or timeout
  uint64_t connections_refused = 0;  // inbound connections over the limit
  uint64_t connections_evicted = 0;  // closed to make room for a newcomer (not violations)
  uint64_t frames_limited = 0;       // frames dropped by the per-peer rate limit
  uint64_t dials_failed = 0;
  uint64_t bytes_in = 0;   // read from peers' sockets, encrypted framing included
  uint64_t bytes_out = 0;  // queued to peers' sockets
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, TransportStats& x) {
  return f(caf::meta::type_name("TransportStats"), x.port, x.connections, x.opening,
           x.sessions_dropped, x.connections_refused, x.connections_evicted, x.frames_limited,
           x.dials_failed, x.bytes_in, x.bytes_out);
}

// What the chunk keeper stores, and how its replication is doing.
struct StorageStatus {
  uint64_t datasets = 0;
  uint64_t chunks = 0;
  uint64_t bytes = 0;
  std::vector<std::string> dataset_names;
  uint64_t pushes_sent = 0;       // objects pushed to peers and acknowledged
  uint64_t pushes_failed = 0;     // pushes that were refused or timed out
  uint64_t pushes_received = 0;   // objects peers pushed here, verified and stored
  uint64_t pushes_refused = 0;    // pushed bytes that did not match their id, or did not decode
  uint64_t repair_rounds = 0;     // repair rounds finished
  uint64_t repair_copies = 0;     // copies pushed by repair
  uint64_t repair_handoffs = 0;   // local copies dropped because R closer nodes hold them
  uint64_t repair_pending = 0;    // copies the current round still has to push
  uint64_t chunks_collected = 0;  // chunks no live dataset version references any more
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, StorageStatus& x) {
  return f(caf::meta::type_name("StorageStatus"), x.datasets, x.chunks, x.bytes, x.dataset_names,
           x.pushes_sent, x.pushes_failed, x.pushes_received, x.pushes_refused, x.repair_rounds,
           x.repair_copies, x.repair_handoffs, x.repair_pending, x.chunks_collected);
}

// What the query planner is doing.
struct PlannerStatus {
  uint64_t queries_running = 0;    // queries this node plans, started and not yet answered
  uint64_t queries_waiting = 0;    // admitted, waiting for a running one to end
  uint64_t fragments_serving = 0;  // peers' fragments this node runs or streams back
  uint64_t cached_answers = 0;     // answers in the result cache
  uint64_t cached_bytes = 0;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, PlannerStatus& x) {
  return f(caf::meta::type_name("PlannerStatus"), x.queries_running, x.queries_waiting,
           x.fragments_serving, x.cached_answers, x.cached_bytes);
}

// An upload: a CSV the gateway has spooled to a file of the data directory, to be stored as
// dataset `name`. The keeper deletes the file when the upload ends.
struct UploadRequest {
  std::string name;
  std::string csv_path;
};
// What an upload stored (local only: it never crosses the wire).
struct UploadReceipt {
  Id dataset_id;  // the manifest's id
  std::string name;
  uint64_t version = 0;
  uint64_t rows = 0;
  Schema columns;
  uint64_t chunks = 0;
  uint64_t bytes = 0;         // encoded chunk bytes
  uint64_t source_bytes = 0;  // CSV bytes read
  uint32_t replicas_min = 0;  // the fewest durable copies any chunk (or the manifest) reached
  uint32_t replicas_target = 0;
  double elapsed_ms = 0;
};

// An upload's outcome. `status` is OK or the failure; a malformed CSV is InvalidArgument with
// its 1-based `line` and `column` set (nothing of it is stored anywhere).
struct UploadOutcome {
  Status status;
  uint64_t line = 0;
  uint64_t column = 0;
  UploadReceipt receipt;
};

// One dataset as every node lists it (local only).
struct DatasetSummary {
  store::Manifest manifest;
  Id manifest_id;
};

// One dataset in detail: its manifest and, per chunk, the nodes confirmed to hold it right now
// (asked when the request came; local only).
struct DatasetDetail {
  store::Manifest manifest;
  Id manifest_id;
  std::vector<std::vector<NodeId>> holders;  // by chunk, in manifest order
  uint32_t replicas_target = 0;
};

// From the gateway to its planner: one SQL text to answer (the answer of its last statement).
struct QueryRequest {
  std::string sql;
  bool allow_partial = false;  // answer with the chunks reachable instead of failing
  bool use_cache = true;       // false: run it even if the result cache has the answer
  // Set by the gateway when its client went away: the planner then cancels the query.
  std::shared_ptr<const std::atomic<bool>> abandoned;
};

// How a query ran, for /api/query's "stats".
struct QueryStats {
  uint64_t chunks_total = 0;       // chunks of the tables read
  uint64_t chunks_scanned = 0;     // read by some holder
  uint64_t chunks_pruned = 0;      // ruled out by zone maps (at the planner or a holder)
  uint64_t nodes_contacted = 0;    // holders sent a fragment, this node included
  uint64_t retries = 0;            // fragments sent again to another replica
  uint64_t bytes_transferred = 0;  // fragment requests and partial results over the network
  uint64_t rows_covered = 0;       // rows of the chunks answered for
  uint64_t rows_total = 0;         // rows of the chunks the query had to read
  bool cached = false;             // answered from the query cache
};

// A query's answer (its errors travel as actors/errors.h errors). Local only (never crosses the
// wire: holders ship msgpack-encoded fragments and partial results, /lake/query/1).
struct QueryAnswer {
  sql::QueryResult result;
  double execution_ms = 0;
  QueryStats stats;
};

// What the executor runs: a fragment of this node's share of a query, or a peer's.
struct FragmentJob {
  // The pinned version: the planner's own fragments pass the manifest it holds; a peer's
  // fragment names its id only.
  std::shared_ptr<const store::Manifest> manifest;
  Id manifest_id;
  Bytes request;  // an encoded sql::FragmentRequest
  std::shared_ptr<const std::atomic<bool>> cancel;
  // A broadcast join's fragment: the chunks of the versions it joins with that this node lacked,
  // fetched for it (null: none).
  std::shared_ptr<const store::ChunkStore> gathered;
};

// From the planner to its executor: a statement that reads several datasets, to run over the
// versions it pinned, this node's chunks and the chunks fetched for it
// (local/gathered_statement.h).
struct GatheredStatement {
  std::shared_ptr<const sql::Statement> statement;
  std::shared_ptr<const local::GatherPlan> plan;
  std::shared_ptr<const store::ChunkStore> chunks;  // every chunk of plan->missing
};

// From an upload job to its keeper: push objects this node holds to their R closest nodes.
struct ReplicateRequest {
  dht::ObjectKind kind = dht::ObjectKind::kChunk;
  std::vector<Id> ids;
};

// From an upload job to its keeper: commit the replicated upload here and announce it.
struct PublishRequest {
  store::StagedImport staged;
  store::Manifest manifest;  // staged.manifest with its version
  Bytes encoded;             // the manifest's encoding, named by pointer.manifest_id
  dht::DatasetPointer pointer;
};

// --- Actor protocols ----------------------------------------------------------------------------

// The peer transport (actors/peer_transport.h over TCP; an in-memory one in the actor tests) is a
// broker, so its handle is untyped. It accepts:
//   (send_atom, NodeId to, std::string address, Bytes payload)  from the router: deliver one
//       payload, dialing `address` first if no session with `to` is open.
//   (dial_atom, std::string address)  from the router: connect to a seed whose id is unknown.
//   (close_atom, NodeId peer)  from the router or keeper: end that session (a malformed frame).
//   (attach_atom, std::string protocol, caf::actor handler)  from node assembly: deliver that
//       protocol's payloads to `handler` (the router gets /lake/kad/1), and tell it of
//       unreachable peers.
//   (consumed_atom, NodeId peer, uint64_t bytes)  from the router or an attached handler: it has
//       processed that many bytes of `peer`'s payloads (reading from a peer pauses while too
//       many wait).
//   (stats_atom) -> TransportStats  from the gateway.
// and sends the router deliver/peer_up/peer_down/unreach messages (DhtRouterActor below), and
// attached handlers deliver/unreach messages.
using TransportActor = caf::actor;

using DhtRouterActor = caf::typed_actor<
    // from node assembly: the transport to send through, and the address it listens on.
    caf::reacts_to<attach_atom, TransportActor, std::string>,
    // from the transport: an authenticated payload from `from`.
    caf::reacts_to<deliver_atom, NodeId, Bytes>,
    // from the transport: a session with `peer` (listening at `address` if we dialed it) is up.
    caf::reacts_to<peer_up_atom, NodeId, std::string, bool>,
    // from the transport: the session with `peer` closed; `lost` unless we closed it to free
    // its slot (the peer itself is fine then).
    caf::reacts_to<peer_down_atom, NodeId, bool>,
    // from the transport: `peer` could not be dialed.
    caf::reacts_to<unreach_atom, NodeId>,
    // from the transport: a dial of `peer` was turned away, which a busy node does too.
    caf::reacts_to<turned_away_atom, NodeId>,
    // from itself: time for DhtCore::OnTimer.
    caf::reacts_to<tick_atom>,
    // from anyone: every value stored under a key (all k closest nodes asked).
    caf::replies_to<get_atom, Id>::with<std::vector<Bytes>>,
    // from anyone: the values of the first node found holding any (for immutable records).
    caf::replies_to<get_first_atom, Id>::with<std::vector<Bytes>>,
    // from anyone: store a value on the closest nodes; replies with how many acknowledged.
    caf::replies_to<put_atom, Id, Bytes>::with<uint64_t>,
    // from anyone: the k closest live nodes to an id (this node included).
    caf::replies_to<find_atom, Id>::with<std::vector<PeerInfo>>,
    // from the gateway: the routing table.
    caf::replies_to<peers_atom>::with<std::vector<PeerInfo>>,
    caf::replies_to<status_atom>::with<RouterStatus>>;

// The chunk keeper: the store's owner, chunk placement and transfer (/lake/chunk/1), the catalog
// of datasets every node lists, and repair.
using ChunkKeeperActor = caf::typed_actor<
    // from node assembly: where to send payloads and whom to ask for contacts, and its address.
    caf::reacts_to<attach_atom, TransportActor, DhtRouterActor, std::string>,
    // from the transport: an authenticated /lake/chunk/1 payload from `from`.
    caf::reacts_to<deliver_atom, NodeId, Bytes>,
    // from the transport: `peer` could not be reached.
    caf::reacts_to<unreach_atom, NodeId>,
    // from itself: time to check deadlines, gossip the catalog, and run repair.
    caf::reacts_to<tick_atom>,
    // from itself: make the chunks peers pushed since the last sync durable, then ack them.
    caf::reacts_to<sync_atom>,
    // from the gateway: store a spooled CSV as a dataset in the network. Answers when every chunk
    // and the manifest are durable on W of their R holders, or with the failure.
    caf::replies_to<upload_atom, UploadRequest>::with<UploadOutcome>,
    // from an upload job: push its objects to their R closest nodes; answers, per object, its
    // durable copies there (this node's own included when it is one of the R).
    caf::replies_to<replicate_atom, ReplicateRequest>::with<std::vector<uint32_t>>,
    // from an upload job: commit the upload on this node and announce it to the network.
    caf::replies_to<publish_atom, PublishRequest>::with<bool>,
    // from an upload job: its outcome, the answer to the upload request `upload_id`.
    caf::reacts_to<upload_atom, uint64_t, UploadOutcome>,
    // from the gateway: every live dataset, by name.
    caf::replies_to<datasets_atom>::with<std::vector<DatasetSummary>>,
    // from the gateway: one dataset with its chunks' holders (NotFound if unknown or deleted).
    caf::replies_to<dataset_atom, std::string>::with<DatasetDetail>,
    // from the gateway: delete a dataset network-wide; answers the tombstone's version (the
    // dataset's next version, which every node adopts).
    caf::replies_to<delete_atom, std::string>::with<uint64_t>,
    // from the planner: fetch chunks this node does not hold from their holders, each verified
    // against its id, for one query; answers them in a store of their own (in memory, not kept
    // here), or Unavailable naming the first chunk no holder gave.
    caf::replies_to<fetch_atom,
                    std::vector<ChunkId>>::with<std::shared_ptr<const store::ChunkStore>>,
    caf::replies_to<status_atom>::with<StorageStatus>>;

using QueryExecutorActor = caf::typed_actor<
    // from the planner: run a fragment; answers the encoded partial result (errors: see
    // FragmentHost::Run).
    caf::replies_to<run_atom, FragmentJob>::with<Bytes>,
    // from the planner: run its own share of a query; answers the partial result unencoded
    // (shared: messages are copyable, partial results are not).
    caf::replies_to<scan_atom, FragmentJob>::with<std::shared_ptr<sql::PartialResult>>,
    // from the planner: merge a distributed SELECT that is done (or past its deadline).
    caf::replies_to<merge_atom, std::shared_ptr<local::DistributedSelect>>::with<
        local::DistributedSelect::Answer>,
    // from the planner: one statement that reads no dataset's chunks.
    caf::replies_to<query_atom, std::shared_ptr<const sql::Statement>>::with<sql::QueryResult>,
    // from the planner: one statement that reads several datasets, their chunks gathered.
    caf::replies_to<query_atom, GatheredStatement>::with<sql::QueryResult>>;

// The query planner (actors/query_planner.h).
using QueryPlannerActor = caf::typed_actor<
    // from node assembly: where to send payloads and whom to ask for contacts.
    caf::reacts_to<attach_atom, TransportActor, DhtRouterActor>,
    // from the transport: an authenticated /lake/query/1 payload from `from`.
    caf::reacts_to<deliver_atom, NodeId, Bytes>,
    // from the transport: `peer` could not be reached, or its session closed.
    caf::reacts_to<unreach_atom, NodeId>,
    // from itself: time to check deadlines and abandoned clients.
    caf::reacts_to<tick_atom>,
    // from the gateway: runs one SQL text (the answer of its last statement). Errors: the SQL's
    // own (InvalidArgument with its position), chunks no replica could scan (Unavailable,
    // naming them), too many queries running (Unavailable, "busy"), past
    // analytics.maxQueryTime (Timeout), the store's (IOError, Corruption).
    caf::replies_to<query_atom, QueryRequest>::with<QueryAnswer>,
    caf::replies_to<status_atom>::with<PlannerStatus>>;

}  // namespace lake::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lake::actors::QueryAnswer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lake::actors::QueryRequest)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lake::actors::FragmentJob)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lake::actors::GatheredStatement)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<const lake::store::ChunkStore>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<lake::sql::PartialResult>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<lake::local::DistributedSelect>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lake::local::DistributedSelect::Answer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<const lake::sql::Statement>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lake::sql::QueryResult)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lake::actors::UploadRequest)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lake::actors::UploadOutcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lake::actors::ReplicateRequest)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lake::actors::PublishRequest)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lake::actors::DatasetDetail)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<lake::actors::DatasetSummary>)
