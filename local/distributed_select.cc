#include "local/distributed_select.h"

#include <strings.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "sql/binder.h"
#include "sql/fragment_codec.h"
#include "sql/join_plan.h"
#include "sql/leaf_fragment.h"
#include "sql/parser.h"
#include "sql/root_stage.h"
#include "sql/table_references.h"
#include "sql/zone_pruning.h"

namespace lake::local {

DistributedSelect::DistributedSelect(std::string sql, std::vector<PinnedVersion> versions,
                                     const store::ChunkStore& store,
                                     std::optional<int64_t> statement_time)
    : sql_(std::move(sql)),
      versions_(std::move(versions)),
      statement_time_(statement_time),
      tables_(store) {
  std::vector<store::Manifest> manifests;
  for (const PinnedVersion& version : versions_) manifests.push_back(version.manifest);
  tables_.Pin(std::move(manifests));
}

Status DistributedSelect::Bind() {
  LAKE_ASSIGN_OR_RETURN(std::vector<sql::Statement> statements, sql::Parse(sql_));
  if (statements.size() != 1 || statements[0].kind != sql::Statement::Kind::kSelect) {
    return Status::InvalidArgument("a distributed query is exactly one SELECT");
  }
  LAKE_ASSIGN_OR_RETURN(sql::BoundStatement bound,
                        sql::Bind(statements[0], tables_, nullptr, statement_time_));
  query_ = std::move(bound.select);
  return Status::OK();
}

Status DistributedSelect::Drive() {
  for (size_t i = 0; i < versions_.size(); ++i) {
    if (strcasecmp(query_.table.c_str(), versions_[i].manifest.name.c_str()) == 0) driving_ = i;
  }
  if (strcasecmp(query_.table.c_str(), manifest().name.c_str()) != 0) {
    return Status::InvalidArgument("the statement reads " + query_.table + ", not dataset " +
                                   manifest().name);
  }
  for (size_t i = 0; i < versions_.size(); ++i) {
    if (i != driving_) joins_.push_back(versions_[i].id);
  }
  return Status::OK();
}

void DistributedSelect::Scatter(const NodeId& self, const ReplicaLookup& replicas,
                                sql::ScatterGather::Options options) {
  const sql::BoundSelect& q = query_;
  std::vector<sql::ScatterGather::Chunk> chunks;
  for (size_t i = 0; i < manifest().chunks.size(); ++i) {
    const store::ChunkRef& chunk = manifest().chunks[i];
    if (q.filter && !sql::ChunkMayMatch(*q.filter, [&](size_t scan_column) {
          return tables_.ChunkRange(q.table, i, q.scan_columns[scan_column]);
        })) {
      ++chunks_pruned_;
      continue;
    }
    chunks.push_back({i, chunk.id, chunk.rows, replicas(chunk.id)});
  }
  scatter_ = std::make_unique<sql::ScatterGather>(self, std::move(chunks), options);
}

Result<std::unique_ptr<DistributedSelect>> DistributedSelect::Plan(
    std::string sql, store::Manifest manifest, const Id& manifest_id,
    const store::ChunkStore& store, const NodeId& self, const ReplicaLookup& replicas,
    sql::ScatterGather::Options options, std::optional<int64_t> statement_time) {
  std::vector<PinnedVersion> versions;
  versions.push_back({std::move(manifest), manifest_id, true});
  std::unique_ptr<DistributedSelect> plan(
      new DistributedSelect(std::move(sql), std::move(versions), store, statement_time));
  LAKE_RETURN_IF_ERROR(plan->Bind());
  LAKE_RETURN_IF_ERROR(plan->Drive());
  plan->Scatter(self, replicas, options);
  return plan;
}

Result<std::unique_ptr<DistributedSelect>> DistributedSelect::PlanBroadcast(
    std::string sql, const sql::Statement& statement, std::vector<PinnedVersion> versions,
    const store::ChunkStore& store, const NodeId& self, const ReplicaLookup& replicas,
    sql::ScatterGather::Options options, int64_t statement_time, JoinStrategy strategy) {
  using Gathered = std::unique_ptr<DistributedSelect>;  // none: gather the statement instead
  const std::optional<std::vector<std::string>> joined = sql::JoinedTables(statement);
  if (strategy == JoinStrategy::kGather || !joined) return Gathered();
  // Only the versions the statement joins travel to the holders.
  std::erase_if(versions, [&](const PinnedVersion& version) {
    return std::none_of(joined->begin(), joined->end(), [&](const std::string& table) {
      return strcasecmp(table.c_str(), version.manifest.name.c_str()) == 0;
    });
  });
  std::unique_ptr<DistributedSelect> plan(
      new DistributedSelect(std::move(sql), std::move(versions), store, statement_time));
  LAKE_RETURN_IF_ERROR(plan->Bind());
  const sql::BoundSelect& q = plan->query_;
  if (!q.join || !plan->Drive().ok()) return Gathered();
  const auto reads_driving = [&](const std::string& table) {
    return strcasecmp(table.c_str(), q.table.c_str()) == 0;
  };
  if (std::count_if(joined->begin(), joined->end(), reads_driving) != 1) return Gathered();
  for (const sql::JoinStep& step : q.join->steps) {
    if (step.kind == sql::JoinKind::kFull) return Gathered();
  }
  if (strategy == JoinStrategy::kAuto) {
    uint64_t joined_rows = 0;
    for (size_t i = 0; i < plan->versions_.size(); ++i) {
      if (i != plan->driving_) joined_rows += plan->versions_[i].manifest.total_rows;
    }
    if (plan->manifest().total_rows < kBroadcastRowRatio * joined_rows) return Gathered();
  }
  plan->Scatter(self, replicas, options);
  return plan;
}

std::vector<DistributedSelect::Send> DistributedSelect::Requests(
    const std::vector<sql::ScatterGather::Fragment>& fragments) {
  std::vector<Send> sends;
  for (const sql::ScatterGather::Fragment& f : fragments) {
    chunks_asked_[f.request_id] = f.chunks.size();
    sql::FragmentRequest request{sql_, {}, statement_time_, joins_};
    request.chunks.assign(f.chunks.begin(), f.chunks.end());
    sends.push_back({f.request_id, f.holder, versions_[driving_].id,
                     sql::EncodeFragmentRequest(request), f.deadline});
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
  answer.chunks_total = manifest().chunks.size();
  answer.chunks_pruned = answer.result.chunks_pruned;
  answer.rows_covered = outcome.rows_covered;
  answer.rows_total = outcome.rows_total;
  answer.scatter = scatter_->stats();
  return answer;
}

}  // namespace lake::local
