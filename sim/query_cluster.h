// QueryCluster: simulated nodes answering distributed SELECTs with the production pieces on
// virtual time. Each node has its own store::MemChunkStore; the datasets of a source store are
// placed once: each chunk on the R nodes whose ids (drawn from the seed) are XOR-closest to it,
// and every node given every manifest object, as the network catalog keeps them. A query is
// planned at one node by local::DistributedSelect, the replicas of a chunk being the R closest
// nodes the planner believes alive, closest first. Its fragments travel as /lake/query/1
// messages through the SimNetwork, on session streams (in order). A holder answers with
// local::FragmentHost after its work time, in PARTIAL pieces, a window of them unacknowledged at
// a time; the planner joins them with a dht::PartialAssembly, acknowledging each piece but the
// last and cancelling a fragment whose pieces it refuses, as the node's query planner does. The
// planner runs its own share itself. The driver calls OnTimer at NextDeadline(), calls Finish
// once done() or at the query's deadline, and then cancels what is still outstanding.
// Faults: nodes crash (silently, or noticed by the planner, who then leaves them out of its
// replicas), are cut off from the rest, work past the fragment deadline, or answer as a hostile
// holder (sim/hostile_holder.h); the network loses and delays messages as its options say.
// Every delivery, fault and answer is folded into the Trace given: a run is a pure function of
// its seed. Thread-safety: not thread-safe; the simulation is one thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/id.h"
#include "common/result.h"
#include "common/rng.h"
#include "common/task_runner.h"
#include "dht/chunk_messages.h"
#include "dht/partial_assembly.h"
#include "dht/query_messages.h"
#include "local/chunk_gather.h"
#include "local/distributed_select.h"
#include "local/fragment_host.h"
#include "local/gathered_statement.h"
#include "sim/event_loop.h"
#include "sim/hostile_holder.h"
#include "sim/sim_network.h"
#include "sim/trace.h"
#include "sql/engine.h"
#include "sql/scatter_gather.h"
#include "store/chunk_store.h"
#include "store/manifest.h"
#include "store/mem_chunk_store.h"

namespace lake::sim {

struct QueryClusterOptions {
  size_t nodes = 20;
  size_t replication = 3;                              // R: copies of each chunk
  size_t piece_bytes = 4096;                           // of a PARTIAL piece
  size_t piece_window = 2;                             // pieces sent and not yet acknowledged
  size_t max_partial_bytes = 1 << 20;                  // the planner's limit on one answer
  Duration work_time = std::chrono::milliseconds(2);   // a holder's time to run a fragment
  Duration query_deadline = std::chrono::seconds(20);  // Finish then, done or not
  local::JoinStrategy join_strategy = local::JoinStrategy::kAuto;  // as analytics.joinStrategy
  size_t fetch_cache_bytes = size_t{64} << 20;  // each node's, as analytics.fetchCacheSize
  sql::ScatterGather::Options scatter = DefaultScatter();  // fragment deadline and attempts
  NetworkOptions network;

  static sql::ScatterGather::Options DefaultScatter() {
    sql::ScatterGather::Options options;
    options.fragment_timeout = std::chrono::seconds(2);
    options.max_attempts_per_chunk = 3;
    return options;
  }
};

// One query's end, as the planner saw it.
struct QueryOutcome {
  Status status;  // OK: `result` is the answer
  sql::QueryResult result;
  std::vector<ChunkId> chunks;   // of the datasets the statement read (empty if not planned)
  size_t fragments_sent = 0;     // the first ones and those sent again
  size_t fragments_retried = 0;  // of those, sent to take over failed fragments' chunks
  Duration elapsed{};            // from planning to the answer
};

class QueryCluster {
 public:
  // Places every dataset of `source` (see above) on `options.nodes` nodes whose ids, latencies
  // and hostile bytes come from `seed`. Errors: reading `source`.
  // REQUIRES: `trace` outlives the cluster; options.nodes >= 1, options.replication >= 1.
  static Result<std::unique_ptr<QueryCluster>> Create(const store::ChunkStore& source,
                                                      uint64_t seed,
                                                      const QueryClusterOptions& options,
                                                      Trace* trace);

  // Plans `sql` at node `planner` and runs the loop until it is answered (at the latest at the
  // query's deadline). A SELECT over one dataset is scattered to the holders; one that reads
  // several (a join, a subquery, a WITH query) is scattered as a broadcast join when
  // local::DistributedSelect::PlanBroadcast says so (each holder fetching the joined tables'
  // chunks it lacks first), and otherwise gathers the chunks the planner lacks and runs there
  // whole, as a node's planner does. Chunks travel as FETCH messages (/lake/chunk/1,
  // local::ChunkGather).
  // A statement that is not one SELECT, or does not bind, is the error.
  // REQUIRES: planner < size() and it is running.
  QueryOutcome Query(size_t planner, const std::string& sql);

  // Faults, from now on. A crashed node receives nothing and finishes no work; `noticed`: the
  // planner knows and leaves it out of the replicas it picks.
  void Crash(size_t node, bool noticed);
  // Cuts `nodes` off from the others (both ways) until Heal().
  void CutOff(const std::vector<size_t>& nodes);
  void Heal();
  void SetWorkTime(size_t node, Duration work_time);
  void SetBehaviour(size_t node, HolderBehaviour behaviour);

  size_t size() const { return nodes_.size(); }
  const NodeId& id(size_t node) const { return nodes_[node].id; }
  bool running(size_t node) const { return nodes_[node].running; }
  // Whether `node` was given chunk `chunk` when the datasets were placed.
  bool Holds(size_t node, const ChunkId& chunk) const;
  EventLoop& loop() { return loop_; }
  SimNetwork& network() { return network_; }
  uint64_t messages_delivered() const { return messages_delivered_; }
  uint64_t bytes_delivered() const { return bytes_delivered_; }

 private:
  struct Dataset {
    store::Manifest manifest;
    Id manifest_id;
  };
  struct Node {
    NodeId id;
    Rng rng{0};  // a hostile holder's bytes
    std::unique_ptr<store::MemChunkStore> store;
    std::unique_ptr<local::FragmentHost> host;
    std::unique_ptr<local::FetchedChunks> fetched;  // chunks it fetched, for its next gathers
    bool running = true;
    bool noticed_down = false;
    Duration work_time{};
    HolderBehaviour behaviour = HolderBehaviour::kHonest;
    // Planners' fragments this node runs, then streams back, by wire request id.
    struct Serving {
      std::vector<dht::QueryMessage> pieces;  // once run
      size_t sent = 0;
      size_t acked = 0;
    };
    std::map<uint64_t, Serving> serving;
  };
  // A fragment sent and not answered yet, by wire request id (unique in the cluster, while the
  // DistributedSelect numbers its own from 1 each query).
  struct Pending {
    uint64_t query = 0;
    uint64_t request_id = 0;  // the DistributedSelect's
    size_t holder = 0;
    dht::PartialAssembly assembly;
  };
  // Chunks a node fetches for a query: the planner's for a gathered statement, or a holder's
  // for a broadcast join's fragment. `done` runs once the gather finished.
  struct Gathering {
    uint64_t query = 0;
    size_t node = 0;  // the node gathering
    std::unique_ptr<local::ChunkGather> chunks;
    std::function<void(const local::ChunkGather&)> done;
  };
  // A FETCH sent for a gather and not answered yet, by wire request id.
  struct Fetching {
    uint64_t gather = 0;  // in gathers_
    ChunkId chunk;
    size_t node = 0;  // asked
  };
  // The query being answered.
  struct Active {
    uint64_t query = 0;
    size_t planner = 0;
    std::unique_ptr<local::DistributedSelect> select;  // a SELECT over one dataset, or
    std::unique_ptr<sql::Statement> statement;         // a gathered statement, with
    local::GatherPlan plan;                            //   its pinned versions and
    uint64_t gather = 0;                               //   the fetch of what it lacks
    TimePoint started;
    TimePoint timer_at = TimePoint::max();  // the OnTimer armed
    QueryOutcome outcome;
    bool finished = false;
  };

  QueryCluster(uint64_t seed, const QueryClusterOptions& options, Trace* trace);
  Status Place(const store::ChunkStore& source);
  // The dataset `sql` reads, bound against every dataset as the planner knows them.
  Result<const Dataset*> DatasetOf(size_t planner, const std::string& sql) const;

  // The answer to a statement that cannot be planned: its error, at once.
  QueryOutcome Refuse(const Status& error);
  // The nodes the planner believes alive: all but those it saw go down.
  std::vector<NodeId> PlannerView() const;
  // Finishes the query at its deadline if it is still running then.
  void ArmDeadline();
  // A statement that reads several datasets: scattered as a broadcast join, or gathered.
  QueryOutcome Join(sql::Statement statement, const std::string& sql);
  // Scatters the query's DistributedSelect and runs the loop until the answer.
  QueryOutcome Scatter(std::unique_ptr<local::DistributedSelect> select);
  // The gathered statement's path: fetch, then run at the planner.
  QueryOutcome Gather(sql::Statement statement, local::GatherPlan plan);
  // Starts `node`'s fetch of `chunks` for the query running; `done` runs once it finished (at
  // once if there is nothing to fetch), unless the query ends first. Returns the gather's id.
  uint64_t StartGather(size_t node, std::vector<ChunkId> chunks,
                       std::function<void(const local::ChunkGather&)> done);
  void SendFetches(uint64_t gather, const std::vector<local::ChunkGather::Ask>& asks);
  // The gather finished: forgets it and runs its `done`.
  void EndGather(uint64_t gather);
  // Forgets the gathers of query `query` and their fetches.
  void DropGathers(uint64_t query);
  void SendChunkMessage(size_t from, size_t to, const dht::ChunkMessage& message);
  void DeliverChunkMessage(size_t from, size_t to, const Bytes& bytes);
  // The answer to FETCH `wire_id`: the bytes given, or nullptr (an error, its deadline).
  void OnFetched(uint64_t wire_id, const Bytes* bytes);
  // The gathered statement's end: it runs over what `gather` fetched, or fails naming what it
  // could not (at the query's deadline, a chunk still missing).
  void FinishGathered(const local::ChunkGather& gather);

  void Send(size_t from, size_t to, const dht::QueryMessage& message);
  void Deliver(size_t from, size_t to, const Bytes& bytes);
  // The holder's side: a FRAGMENT, CANCEL or ACK from `planner`.
  void OnServing(size_t holder, size_t planner, const dht::QueryMessage& message);
  // The holder's work on a fragment, once its time passed: it gathers what a broadcast join
  // reads that it lacks, then runs it.
  void StartWork(size_t holder, size_t planner, uint64_t wire_id, const Id& manifest_id,
                 const Bytes& request);
  // `gathered`: the chunks fetched for it, or why they could not be (null: none needed).
  void FinishWork(size_t holder, size_t planner, uint64_t wire_id, const Id& manifest_id,
                  const Bytes& request,
                  const Result<std::shared_ptr<const store::ChunkStore>>& gathered);
  // Gathers what the fragment `request` reads that `node` lacks, for the query running, then
  // calls `then` with it (null: nothing to gather) or why it could not.
  void GatherForFragment(
      size_t node, const Bytes& request,
      std::function<void(const Result<std::shared_ptr<const store::ChunkStore>>&)> then);
  // Sends the pieces the window admits.
  void SendPieces(size_t holder, size_t planner, uint64_t wire_id);
  void OnReply(size_t from, const dht::QueryMessage& message);

  // Sends the DistributedSelect's fragments (`retry`: they take over failed ones' chunks).
  void Dispatch(const std::vector<local::DistributedSelect::Send>& sends, bool retry);
  void RunOwn(uint64_t wire_id, const Bytes& request);
  void FinishOwn(uint64_t wire_id, const Bytes& request,
                 const Result<std::shared_ptr<const store::ChunkStore>>& gathered);
  // After every event of the query: Finish once done, else arm the timer.
  void Advance();
  void Finish();
  void Fold(char tag, size_t node, const Status& status = Status::OK());

  const QueryClusterOptions options_;
  Trace* const trace_;
  Rng master_;
  EventLoop loop_;
  SimNetwork network_;
  InlineTaskRunner runner_;
  std::vector<Node> nodes_;
  std::unordered_map<NodeId, size_t> index_of_;
  std::vector<Dataset> datasets_;
  std::map<uint64_t, Pending> pending_;
  std::map<uint64_t, Gathering> gathers_;  // by id, from 1
  std::map<uint64_t, Fetching> fetching_;
  std::unique_ptr<Active> active_;
  uint64_t next_gather_ = 1;
  uint64_t next_query_ = 1;
  uint64_t next_wire_id_ = 1;
  uint64_t messages_delivered_ = 0;
  uint64_t bytes_delivered_ = 0;
};

}  // namespace lake::sim
