#include "local/distributed_select.h"

#include <strings.h>

#include <map>
#include <string>
#include <utility>

#include "sql/binder.h"
#include "sql/fragment_codec.h"
#include "sql/leaf_fragment.h"
#include "sql/parser.h"
#include "sql/root_stage.h"
#include "sql/zone_pruning.h"

namespace lake::local {

DistributedSelect::DistributedSelect(std::string sql, store::Manifest manifest,
                                     const Id& manifest_id, const store::ChunkStore& store)
    : sql_(std::move(sql)),
      manifest_(std::move(manifest)),
      manifest_id_(manifest_id),
      tables_(store) {
  tables_.Pin({manifest_});
}

Result<std::unique_ptr<DistributedSelect>> DistributedSelect::Plan(
    std::string sql, store::Manifest manifest, const Id& manifest_id,
    const store::ChunkStore& store, const NodeId& self, const ReplicaLookup& replicas,
    sql::ScatterGather::Options options, std::optional<int64_t> statement_time) {
  std::unique_ptr<DistributedSelect> plan(
      new DistributedSelect(std::move(sql), std::move(manifest), manifest_id, store));
  plan->statement_time_ = statement_time;
  LAKE_ASSIGN_OR_RETURN(std::vector<sql::Statement> statements, sql::Parse(plan->sql_));
  if (statements.size() != 1 || statements[0].kind != sql::Statement::Kind::kSelect) {
    return Status::InvalidArgument("a distributed query is exactly one SELECT");
  }
  LAKE_ASSIGN_OR_RETURN(sql::BoundStatement bound,
                        sql::Bind(statements[0], plan->tables_, nullptr, statement_time));
  plan->query_ = std::move(bound.select);
  const sql::BoundSelect& q = plan->query_;
  if (strcasecmp(q.table.c_str(), plan->manifest_.name.c_str()) != 0) {
    return Status::InvalidArgument("the statement reads " + q.table + ", not dataset " +
                                   plan->manifest_.name);
  }
  std::vector<sql::ScatterGather::Chunk> chunks;
  for (size_t i = 0; i < plan->manifest_.chunks.size(); ++i) {
    const store::ChunkRef& chunk = plan->manifest_.chunks[i];
    if (q.filter && !sql::ChunkMayMatch(*q.filter, [&](size_t scan_column) {
          return plan->tables_.ChunkRange(q.table, i, q.scan_columns[scan_column]);
        })) {
      ++plan->chunks_pruned_;
      continue;
    }
    chunks.push_back({i, chunk.id, chunk.rows, replicas(chunk.id)});
  }
  plan->scatter_ = std::make_unique<sql::ScatterGather>(self, std::move(chunks), options);
  return plan;
}

std::vector<DistributedSelect::Send> DistributedSelect::Requests(
    const std::vector<sql::ScatterGather::Fragment>& fragments) {
  std::vector<Send> sends;
  for (const sql::ScatterGather::Fragment& f : fragments) {
    chunks_asked_[f.request_id] = f.chunks.size();
    sql::FragmentRequest request{sql_, {}, statement_time_};
    request.chunks.assign(f.chunks.begin(), f.chunks.end());
    sends.push_back(
        {f.request_id, f.holder, manifest_id_, sql::EncodeFragmentRequest(request), f.deadline});
  }
  return sends;
}

std::vector<DistributedSelect::Send> DistributedSelect::Start(TimePoint now) {
  return Requests(scatter_->Start(now));
}

std::vector<DistributedSelect::Send> DistributedSelect::OnPartial(uint64_t request_id,
                                                                  const NodeId& from,
                                                                  ByteView partial, TimePoint now) {
  return OnDecoded(request_id, from, Decode(partial), now);
}

Result<sql::PartialResult> DistributedSelect::Decode(ByteView partial) const {
  return sql::DecodePartialResult(partial, query_);
}

std::vector<DistributedSelect::Send> DistributedSelect::OnDecoded(
    uint64_t request_id, const NodeId& from, Result<sql::PartialResult> decoded, TimePoint now) {
  // Decoded on arrival, so a holder whose answer does not decode is failed like one that
  // errs, while its chunks can still go to another replica.
  if (!decoded.ok()) return OnFailure(request_id, from, decoded.status(), now);
  // A well-formed answer from a holder that skipped chunks would leave them uncounted: every
  // chunk a fragment names is scanned or pruned there, once.
  auto asked = chunks_asked_.find(request_id);
  const uint64_t accounted = decoded->chunks_scanned + decoded->chunks_pruned;
  if (asked != chunks_asked_.end() && accounted != asked->second) {
    return OnFailure(request_id, from,
                     Status::Corruption("partial result accounts for " + std::to_string(accounted) +
                                        " chunks of " + std::to_string(asked->second)),
                     now);
  }
  if (scatter_->OnPartial(request_id, from, Bytes())) {
    partials_.emplace(request_id, std::move(decoded).value());
  }
  return {};
}

std::vector<DistributedSelect::Send> DistributedSelect::OnFailure(uint64_t request_id,
                                                                  const NodeId& from,
                                                                  const Status& error,
                                                                  TimePoint now) {
  return Requests(scatter_->OnFailure(request_id, from, error, now));
}

std::vector<DistributedSelect::Send> DistributedSelect::OnTimer(TimePoint now) {
  return Requests(scatter_->OnTimer(now));
}

Result<DistributedSelect::Answer> DistributedSelect::Finish(TaskRunner* runner) {
  LAKE_ASSIGN_OR_RETURN(sql::ScatterGather::Outcome outcome, scatter_->Finish());
  std::vector<sql::PartialResult> partials;
  for (uint64_t request_id : outcome.request_ids) {
    partials.push_back(std::move(partials_.at(request_id)));
  }
  partials_.clear();
  if (partials.empty()) {
    // Nothing to scan (every chunk pruned, or none reachable and that allowed): the leaf over no
    // chunk gives the root its empty input, so COUNT(*) is 0 as on one node.
    LAKE_ASSIGN_OR_RETURN(sql::PartialResult empty,
                          sql::RunLeafFragment(query_, tables_, runner, {}));
    partials.push_back(std::move(empty));
  }
  Answer answer;
  LAKE_ASSIGN_OR_RETURN(answer.result, sql::RunRootStage(query_, std::move(partials), runner));
  answer.result.chunks_pruned += chunks_pruned_;
  answer.chunks_total = manifest_.chunks.size();
  answer.chunks_pruned = answer.result.chunks_pruned;
  answer.rows_covered = outcome.rows_covered;
  answer.rows_total = outcome.rows_total;
  answer.scatter = scatter_->stats();
  return answer;
}

}  // namespace lake::local
