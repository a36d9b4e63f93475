// The query planner actor: answers SQL for the gateway, with every node's chunks as one table.
// A SELECT over a dataset is planned here (local/distributed_select.h: the dataset's current
// version pinned, chunks pruned by zone maps, one fragment per holder, failed holders' chunks
// sent again to other replicas) and its fragments travel as /lake/query/1 FRAGMENT messages;
// this node's own share and the final merge run on the query executor
// (actors/query_executor.h). The planner is also the protocol's endpoint for peers' planners:
// it hands their fragments to the executor and streams the partial results back in pieces,
// a few unacknowledged at a time. Statements that read no chunks run on the executor whole.
// Bounds: analytics.maxQueryTime per query (then the holders are told to cancel), a number of
// queries at once (beyond it: Unavailable "busy"), a result cache keyed by the versions read.
// Thread-safety: an actor (event-based: it only routes messages, never scans).
#pragma once

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "actors/interfaces.h"
#include "dht/partial_assembly.h"
#include "dht/query_messages.h"
#include "local/distributed_select.h"
#include "local/result_cache.h"
#include "store/chunk_store.h"

namespace lake::actors {

struct QueryPlannerOptions {
  size_t replication = 3;  // holders per chunk (storage.replicationFactor)
  Duration max_query_time = std::chrono::seconds(30);
  size_t max_concurrent = 8;
  size_t max_queued = 64;  // admitted queries waiting for one of the max_concurrent to end
  size_t result_cache_bytes = size_t{64} << 20;
  Duration tick = std::chrono::milliseconds(50);  // deadlines and abandoned clients checked
  // A merge running at the deadline may finish within this (less than the gateway's margin).
  Duration merge_grace = std::chrono::seconds(1);
  size_t piece_window = 2;                     // unacknowledged pieces per partial result
  size_t max_partial_bytes = size_t{1} << 30;  // a larger partial result fails its holder
  // Chunks held elsewhere that a statement over several datasets may gather here
  // (analytics.maxGatherBytes): the bound that fails a join too large for this node's memory
  // with a clear error instead of swapping it to death.
  uint64_t max_gather_bytes = uint64_t{1} << 30;
  local::JoinStrategy join_strategy = local::JoinStrategy::kAuto;  // analytics.joinStrategy
};

struct QueryPlannerState {
  static inline const char* name = "query_planner";

  // One query this node plans: its statements run one after the other.
  struct Query {
    QueryRequest request;
    caf::typed_response_promise<QueryAnswer> promise;
    std::vector<std::shared_ptr<const sql::Statement>> statements;  // shared with the executor
    size_t next_statement = 0;
    TimePoint started;
    TimePoint deadline;
    // The statement being scattered, and what its holders are told to stop.
    std::shared_ptr<local::DistributedSelect> select;
    std::shared_ptr<std::atomic<bool>> cancel;
    std::map<NodeId, std::string> addresses;  // of the holders it may contact
    std::string cache_key;                    // of the statement running, "" = not cached
    bool merging = false;
    sql::QueryResult last;
    QueryStats stats;
  };
  // A fragment sent to a peer, until its answer is complete.
  struct Outstanding {
    uint64_t query = 0;
    uint64_t request_id = 0;  // the DistributedSelect's
    NodeId holder;
    dht::PartialAssembly answer;  // its pieces so far
  };
  // A peer's fragment this node runs, then streams back (until its last piece is sent).
  struct Serving {
    std::shared_ptr<std::atomic<bool>> cancel;
    std::vector<dht::QueryMessage> pieces;  // once the executor answered
    size_t sent = 0;
    size_t acked = 0;
  };

  QueryPlannerOptions options;
  NodeId self_id;
  std::shared_ptr<store::ChunkStore> store;
  QueryExecutorActor executor;
  ChunkKeeperActor keeper;  // fetches the chunks a gathered statement reads
  TransportActor transport;
  DhtRouterActor router;
  std::unique_ptr<local::ResultCache> cache;

  std::map<uint64_t, Query> queries;  // running or waiting
  std::deque<uint64_t> waiting;       // admitted, in arrival order, not started yet
  uint64_t next_query = 1;
  std::map<uint64_t, Outstanding> outstanding;  // by wire request id
  uint64_t next_wire_id = 1;
  std::map<std::pair<NodeId, uint64_t>, Serving> serving;  // by (planner, its request id)
  bool ticking = false;
};

QueryPlannerActor::behavior_type QueryPlanner(
    QueryPlannerActor::stateful_pointer<QueryPlannerState> self, QueryPlannerOptions options,
    NodeId self_id, std::shared_ptr<store::ChunkStore> store, QueryExecutorActor executor,
    ChunkKeeperActor keeper);

}  // namespace lake::actors
