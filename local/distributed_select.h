// DistributedSelect: the planner's side of one SELECT over a dataset spread across the network,
// as a sans-I/O machine. It binds the statement against the dataset version the planner pinned
// (its manifest), drops the chunks the manifest's zone maps rule out, and drives a
// sql::ScatterGather over the rest: one fragment request per holder, failed holders' chunks sent
// again to other replicas, every chunk counted once. Finish merges the partial results with the
// root stage (combine, finalize, HAVING, DISTINCT, ORDER BY, LIMIT).
// A join runs the same way as a broadcast join (PlanBroadcast): scattered over the chunks of the
// table that drives it, each holder joining its chunks with the other tables whole, which it
// gathers first (their versions travel in the fragment requests). Its partial aggregates, or
// rows, merge as a single table's do.
// Owned by whoever drives the query: the planner actor over real peers, the simulator over
// simulated ones. It sends what Start/OnFailure/OnTimer return, reports answers with `now`, and
// calls Finish once done() or at the query's deadline. No clock, no I/O.
// Thread-safety: not thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/id.h"
#include "common/result.h"
#include "common/task_runner.h"
#include "local/pinned_version.h"
#include "local/store_table_provider.h"
#include "sql/ast.h"
#include "sql/bound.h"
#include "sql/engine.h"
#include "sql/partial_result.h"
#include "sql/scatter_gather.h"
#include "store/chunk_store.h"
#include "store/manifest.h"

namespace lake::local {

// How a join runs in the network: scattered as a broadcast join, or gathered to the node asked
// (local/gathered_statement.h). kAuto broadcasts when the joined tables are small beside the one
// that drives the join (see PlanBroadcast); the others force one strategy where it applies.
enum class JoinStrategy { kAuto, kBroadcast, kGather };

class DistributedSelect {
 public:
  // The live holders of a chunk, closest first (this node among them if it is one).
  using ReplicaLookup = std::function<std::vector<NodeId>(const ChunkId&)>;

  // A fragment to send: `holder` runs `request` (an encoded sql::FragmentRequest) over the
  // version `manifest_id` and answers `request_id` before `deadline`.
  struct Send {
    uint64_t request_id = 0;
    NodeId holder;
    Id manifest_id;
    Bytes request;
    TimePoint deadline;
  };
  struct Answer {
    sql::QueryResult result;
    uint64_t chunks_total = 0;   // of the manifest
    uint64_t chunks_pruned = 0;  // by the zone maps, here or at a holder
    uint64_t rows_covered = 0;   // rows of the chunks answered for
    uint64_t rows_total = 0;     // rows of the chunks the query had to read
    sql::ScatterGather::Stats scatter;
  };

  // Plans `sql` (exactly one SELECT over dataset `manifest.name`) against `manifest`, whose
  // object id is `manifest_id`; `statement_time` (microseconds since the epoch, read from the
  // driver's clock) is NOW()'s value here and, through the requests, at every holder. Errors:
  // the statement's own (InvalidArgument with its position).
  // REQUIRES: `store` outlives this object (merging reads no chunk; binding reads the schema).
  static Result<std::unique_ptr<DistributedSelect>> Plan(
      std::string sql, store::Manifest manifest, const Id& manifest_id,
      const store::ChunkStore& store, const NodeId& self, const ReplicaLookup& replicas,
      sql::ScatterGather::Options options, std::optional<int64_t> statement_time = std::nullopt);

  // Plans `statement` (one SELECT, whose text is `sql`) as a broadcast join over `versions`, the
  // pinned versions of the datasets it reads (others are ignored); nullptr when it should be
  // gathered instead:
  // `strategy` is kGather; the statement is no plain join of stored tables (sql::JoinedTables);
  // its driving table is read twice (a self-join) or through a FULL join, whose unmatched rows
  // need the whole table at once; or, under kAuto, the driving table has fewer than
  // kBroadcastRowRatio times the rows of the others together (then each holder would build and
  // gather about as much as it probes). Errors: the statement's own.
  static Result<std::unique_ptr<DistributedSelect>> PlanBroadcast(
      std::string sql, const sql::Statement& statement, std::vector<PinnedVersion> versions,
      const store::ChunkStore& store, const NodeId& self, const ReplicaLookup& replicas,
      sql::ScatterGather::Options options, int64_t statement_time, JoinStrategy strategy);
  static constexpr uint64_t kBroadcastRowRatio = 4;

  // See sql::ScatterGather for the rules; these wrap its calls in fragment requests.
  std::vector<Send> Start(TimePoint now);
  // `from`'s partial result (untrusted): one that does not decode, or accounts for other than
  // the fragment's number of chunks (scanned or pruned), fails `from` as an error reply would,
  // and the fragments returned take over its chunks.
  std::vector<Send> OnPartial(uint64_t request_id, const NodeId& from, ByteView partial,
                              TimePoint now);
  // OnPartial in two steps, so that drivers can decode answers side by side: Decode reads only
  // what Plan fixed, and may run on any thread while this object is otherwise in use;
  // OnDecoded takes its result (a decoding error fails `from` as OnPartial would).
  Result<sql::PartialResult> Decode(ByteView partial) const;
  std::vector<Send> OnDecoded(uint64_t request_id, const NodeId& from,
                              Result<sql::PartialResult> partial, TimePoint now);
  std::vector<Send> OnFailure(uint64_t request_id, const NodeId& from, const Status& error,
                              TimePoint now);
  std::vector<Send> OnTimer(TimePoint now);
  bool done() const { return scatter_->done(); }
  TimePoint NextDeadline() const { return scatter_->NextDeadline(); }

  // The merged answer, or the error: the statement's own, a partial result that does not decode
  // (Corruption), or the chunks not covered (see ScatterGather::Finish). REQUIRES: called once.
  Result<Answer> Finish(TaskRunner* runner);

  // The version of the table the query is scattered over.
  const store::Manifest& manifest() const { return versions_[driving_].manifest; }
  // The manifest ids of the versions a broadcast join's holders join their chunks with (empty
  // for a query over one dataset).
  const std::vector<Id>& joins() const { return joins_; }
  const std::string& sql() const { return sql_; }

 private:
  DistributedSelect(std::string sql, std::vector<PinnedVersion> versions,
                    const store::ChunkStore& store, std::optional<int64_t> statement_time);
  // Binds the statement against every pinned version.
  Status Bind();
  // Makes the version of the bound query's table the driving one (InvalidArgument if none is);
  // the others become joins().
  Status Drive();
  // Prunes the driving version's chunks by its zone maps and scatters the rest.
  void Scatter(const NodeId& self, const ReplicaLookup& replicas,
               sql::ScatterGather::Options options);
  // Also notes how many chunks each fragment names.
  std::vector<Send> Requests(const std::vector<sql::ScatterGather::Fragment>& fragments);

  // Set by Plan, then immutable
  const std::string sql_;
  const std::vector<PinnedVersion> versions_;
  const std::optional<int64_t> statement_time_;
  size_t driving_ = 0;         // in versions_
  std::vector<Id> joins_;      // the other versions' manifest ids
  StoreTableProvider tables_;  // pinned to versions_
  sql::BoundSelect query_;
  uint64_t chunks_pruned_ = 0;

  // Mutable state
  std::unique_ptr<sql::ScatterGather> scatter_;
  std::map<uint64_t, sql::PartialResult> partials_;  // accepted answers, by request id
  std::map<uint64_t, uint64_t> chunks_asked_;        // chunks each fragment names, by request id
};

}  // namespace lake::local
