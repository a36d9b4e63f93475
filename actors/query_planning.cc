// The planning side of the query planner: queries this node answers, their statements one after
// the other, each SELECT over a dataset scattered to the holders of its chunks.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "actors/actor_clock.h"
#include "actors/errors.h"
#include "actors/node_events.h"
#include "actors/planner_ops.h"
#include "dht/placement.h"
#include "local/gathered_statement.h"
#include "local/pinned_version.h"
#include "sql/parser.h"
#include "sql/table_references.h"
#include "store/mem_chunk_store.h"

namespace lake::actors::planner {
namespace {

using Query = QueryPlannerState::Query;

using local::CurrentVersion;
using local::PinnedVersion;

void ArmTick(Self self) {
  auto& st = self->state;
  if (st.ticking || st.queries.empty()) return;
  st.ticking = true;
  self->delayed_send(self, st.options.tick, tick_atom::value);
}

// Stops everything still running for query `id`: its own fragment (the flag) and its peers'
// fragments (CANCEL), whose late answers are then dropped.
void CancelOutstanding(Self self, uint64_t id) {
  auto& st = self->state;
  auto q = st.queries.find(id);
  if (q != st.queries.end() && q->second.cancel) q->second.cancel->store(true);
  for (auto it = st.outstanding.begin(); it != st.outstanding.end();) {
    if (it->second.query != id) {
      ++it;
      continue;
    }
    dht::QueryMessage cancel;
    cancel.kind = dht::QueryMessageKind::kCancel;
    cancel.request_id = it->first;
    SendMessage(self, it->second.holder, "", cancel);
    it = st.outstanding.erase(it);
  }
}

double MillisSince(Self self, TimePoint start) {
  return std::chrono::duration<double, std::milli>(ActorNow(self) - start).count();
}

// query.done for the node's watchers; a long SQL text is cut to its first 200 bytes (whole
// UTF-8 characters).
void PublishQueryDone(Self self, const std::string& sql, const char* outcome, double ms,
                      uint64_t rows, uint64_t nodes_contacted) {
  size_t cut = std::min<size_t>(sql.size(), 200);
  while (cut < sql.size() && cut > 0 && (static_cast<uint8_t>(sql[cut]) & 0xC0) == 0x80) --cut;
  PublishEvent(self->system(), event_type::kQueryDone,
               {{"sql", sql.substr(0, cut)},
                {"outcome", outcome},
                {"ms", ms},
                {"rows", rows},
                {"nodesContacted", nodes_contacted}});
}

// How a failed query ended, as query.done names it.
const char* OutcomeOf(const Status& error) {
  switch (error.code()) {
    case Status::Code::kTimeout:
      return "timeout";
    case Status::Code::kUnavailable:
      return "unavailable";
    default:
      return "error";
  }
}

void RunNext(Self self, uint64_t id);

// Forgets a query that ended, and starts the queries waiting for its slot.
void Forget(Self self, std::map<uint64_t, Query>::iterator it) {
  auto& st = self->state;
  std::erase(st.waiting, it->first);  // a query may time out while it waits
  st.queries.erase(it);
  while (!st.waiting.empty() && st.queries.size() - st.waiting.size() < st.options.max_concurrent) {
    const uint64_t next = st.waiting.front();
    st.waiting.pop_front();
    RunNext(self, next);
  }
}

void Fail(Self self, uint64_t id, const Status& error) {
  auto& st = self->state;
  auto it = st.queries.find(id);
  if (it == st.queries.end()) return;
  CancelOutstanding(self, id);
  const double ms = MillisSince(self, it->second.started);
  spdlog::info("query {} failed after {:.1f} ms: {}", id, ms, error.ToString());
  PublishQueryDone(self, it->second.request.sql, OutcomeOf(error), ms, 0,
                   it->second.stats.nodes_contacted);
  it->second.promise.deliver(ToCafError(error));
  Forget(self, it);
}

void Complete(Self self, uint64_t id) {
  auto& st = self->state;
  auto it = st.queries.find(id);
  if (it == st.queries.end()) return;
  Query& q = it->second;
  QueryAnswer answer;
  answer.execution_ms = MillisSince(self, q.started);
  answer.stats = q.stats;
  answer.result = std::move(q.last);
  spdlog::info("query {} done in {:.1f} ms: {} rows, {} of {} chunks scanned on {} nodes{}", id,
               answer.execution_ms, answer.result.rows.size(), answer.stats.chunks_scanned,
               answer.stats.chunks_total, answer.stats.nodes_contacted,
               answer.stats.cached ? " (cached)" : "");
  PublishQueryDone(self, q.request.sql, "ok", answer.execution_ms, answer.result.rows.size(),
                   answer.stats.nodes_contacted);
  q.promise.deliver(std::move(answer));
  Forget(self, it);
}

void Dispatch(Self self, uint64_t id, std::vector<local::DistributedSelect::Send> sends);

void Merge(Self self, uint64_t id) {
  Query& q = self->state.queries.at(id);
  q.merging = true;
  std::shared_ptr<local::DistributedSelect> select = q.select;
  self->request(self->state.executor, caf::infinite, merge_atom::value, select)
      .then(
          [=](local::DistributedSelect::Answer& answer) {
            auto it = self->state.queries.find(id);
            if (it == self->state.queries.end() || it->second.select != select) return;
            Query& q = it->second;
            QueryStats& s = q.stats;
            s.chunks_total += answer.chunks_total;
            s.chunks_scanned += answer.result.chunks_scanned;
            s.chunks_pruned += answer.chunks_pruned;
            s.nodes_contacted =
                std::max<uint64_t>(s.nodes_contacted, answer.scatter.nodes_contacted);
            s.retries += answer.scatter.fragments_retried;
            s.rows_covered += answer.rows_covered;
            s.rows_total += answer.rows_total;
            s.cached = false;
            if (!q.cache_key.empty() && answer.rows_covered == answer.rows_total) {
              self->state.cache->Insert(q.cache_key, answer.result);
            }
            q.last = std::move(answer.result);
            q.select.reset();
            q.merging = false;
            RunNext(self, id);
          },
          [=](caf::error& error) { Fail(self, id, ToStatus(error)); });
}

void CheckDone(Self self, uint64_t id) {
  auto it = self->state.queries.find(id);
  if (it == self->state.queries.end()) return;
  Query& q = it->second;
  if (q.select && !q.merging && q.select->done()) Merge(self, id);
}

// This node's own share: run on the executor over the manifest the plan holds.
// The query `id` is still scattering `select`: an answer for it still counts.
bool Scattering(Self self, uint64_t id, const std::shared_ptr<local::DistributedSelect>& select) {
  auto it = self->state.queries.find(id);
  return it != self->state.queries.end() && it->second.select == select && !it->second.merging;
}

// A holder's answer for `select`'s fragment `request_id`, decoded or not.
void Accept(Self self, uint64_t id, const std::shared_ptr<local::DistributedSelect>& select,
            uint64_t request_id, const NodeId& from, Result<sql::PartialResult> partial) {
  if (!Scattering(self, id, select)) return;
  Dispatch(self, id, select->OnDecoded(request_id, from, std::move(partial), ActorNow(self)));
  CheckDone(self, id);
}

// Decodes one large partial result on a thread of its own and quits: answers arriving together
// decode side by side, and the planner keeps routing messages meanwhile. What it decodes comes as
// spawn arguments: CAF 0.17 spawns a function actor without arguments by dereferencing a null
// pointer to their empty tuple, which UBSan reports (and which stops a sanitized node).
caf::behavior PartialDecoder(caf::event_based_actor* self,
                             std::shared_ptr<local::DistributedSelect> select, Bytes partial) {
  return {
      [self, select = std::move(select), partial = std::move(partial)](
          decode_atom) -> caf::result<std::shared_ptr<sql::PartialResult>> {
        self->quit();
        Result<sql::PartialResult> decoded = select->Decode(partial);
        if (!decoded.ok()) return ToCafError(decoded.status());
        return std::make_shared<sql::PartialResult>(std::move(decoded).value());
      },
  };
}

// Small answers decode faster than a thread starts.
constexpr size_t kInlineDecodeBytes = size_t{256} << 10;

void Decode(Self self, uint64_t id, const std::shared_ptr<local::DistributedSelect>& select,
            uint64_t request_id, const NodeId& from, Bytes partial) {
  if (partial.size() < kInlineDecodeBytes) {
    return Accept(self, id, select, request_id, from, select->Decode(partial));
  }
  self->request(self->spawn<caf::detached>(PartialDecoder, select, std::move(partial)),
                caf::infinite, decode_atom::value)
      .then(
          [=](std::shared_ptr<sql::PartialResult>& decoded) {
            Accept(self, id, select, request_id, from, std::move(*decoded));
          },
          [=](caf::error& error) { Accept(self, id, select, request_id, from, ToStatus(error)); });
}

// This node's own share: run on the executor over the manifest the plan holds, its partial
// result handed over unencoded (a broadcast join's joined chunks this node lacks fetched first).
void RunOwn(Self self, uint64_t id, const local::DistributedSelect::Send& send) {
  Query& q = self->state.queries.at(id);
  std::shared_ptr<local::DistributedSelect> select = q.select;
  std::shared_ptr<std::atomic<bool>> cancel = q.cancel;
  const uint64_t request_id = send.request_id;
  const NodeId self_id = self->state.self_id;
  auto failed = [=](const Status& error) {
    if (!Scattering(self, id, select)) return;
    Dispatch(self, id, select->OnFailure(request_id, self_id, error, ActorNow(self)));
    CheckDone(self, id);
  };
  GatherJoinedChunks(
      self, send.request,
      [=, manifest_id = send.manifest_id,
       request = send.request](Result<std::shared_ptr<const store::ChunkStore>> gathered) {
        if (!Scattering(self, id, select)) return;
        if (!gathered.ok()) return failed(gathered.status());
        // Aliasing: the job's manifest lives as long as the plan that holds it.
        FragmentJob job{std::shared_ptr<const store::Manifest>(select, &select->manifest()),
                        manifest_id, request, cancel, std::move(gathered).value()};
        self->request(self->state.executor, caf::infinite, scan_atom::value, std::move(job))
            .then(
                [=](std::shared_ptr<sql::PartialResult>& partial) {
                  Accept(self, id, select, request_id, self_id, std::move(*partial));
                },
                [=](caf::error& error) { failed(ToStatus(error)); });
      });
}

void Dispatch(Self self, uint64_t id, std::vector<local::DistributedSelect::Send> sends) {
  auto& st = self->state;
  for (local::DistributedSelect::Send& send : sends) {
    Query& q = st.queries.at(id);
    if (send.holder == st.self_id) {
      RunOwn(self, id, send);
      continue;
    }
    const uint64_t wire_id = st.next_wire_id++;
    st.outstanding.emplace(wire_id, QueryPlannerState::Outstanding{
                                        id, send.request_id, send.holder,
                                        dht::PartialAssembly(st.options.max_partial_bytes)});
    dht::QueryMessage fragment;
    fragment.kind = dht::QueryMessageKind::kFragment;
    fragment.request_id = wire_id;
    fragment.manifest_id = send.manifest_id;
    fragment.data = std::move(send.request);
    q.stats.bytes_transferred += fragment.data.size();
    auto address = q.addresses.find(send.holder);
    SendMessage(self, send.holder, address == q.addresses.end() ? "" : address->second, fragment);
  }
}

// Where the chunks of `versions` live, as the holders' lookup of a DistributedSelect: a
// published version's chunk on the R nodes closest to it among this node and `peers`, a local
// import's here alone. Notes the peers' addresses for the fragments sent to them.
local::DistributedSelect::ReplicaLookup Replicas(Self self, uint64_t id,
                                                 const std::vector<PinnedVersion>& versions,
                                                 const std::vector<PeerInfo>& peers) {
  auto& st = self->state;
  Query& q = st.queries.at(id);
  std::vector<NodeId> nodes{st.self_id};
  for (const PeerInfo& peer : peers) {
    nodes.push_back(peer.id);
    q.addresses[peer.id] = peer.address;
  }
  auto local_only = std::make_shared<std::set<ChunkId>>();
  for (const PinnedVersion& version : versions) {
    if (version.replicated) continue;
    for (const store::ChunkRef& chunk : version.manifest.chunks) local_only->insert(chunk.id);
  }
  return [sorted = std::make_shared<const dht::SortedNodes>(std::move(nodes)), local_only,
          self_id = st.self_id, replication = st.options.replication](const ChunkId& chunk) {
    return local_only->count(chunk) ? std::vector<NodeId>{self_id}
                                    : sorted->Closest(chunk, replication);
  };
}

sql::ScatterGather::Options ScatterOptions(Self self, uint64_t id) {
  auto& st = self->state;
  sql::ScatterGather::Options options;
  options.fragment_timeout =
      std::max<Duration>(std::chrono::seconds(1), st.options.max_query_time / 3);
  options.max_attempts_per_chunk = std::max<size_t>(1, st.options.replication);
  options.allow_partial = st.queries.at(id).request.allow_partial;
  return options;
}

// Sends the first fragments of `select`, the statement query `id` runs now.
void StartScatter(Self self, uint64_t id, std::unique_ptr<local::DistributedSelect> select) {
  Query& q = self->state.queries.at(id);
  q.select = std::move(select);
  q.cancel = std::make_shared<std::atomic<bool>>(false);
  Dispatch(self, id, q.select->Start(ActorNow(self)));
  CheckDone(self, id);
}

void Scatter(Self self, uint64_t id, std::string sql, PinnedVersion version,
             const std::vector<PeerInfo>& peers) {
  auto& st = self->state;
  local::DistributedSelect::ReplicaLookup replicas = Replicas(self, id, {version}, peers);
  Result<std::unique_ptr<local::DistributedSelect>> plan = local::DistributedSelect::Plan(
      std::move(sql), std::move(version.manifest), version.id, *st.store, st.self_id, replicas,
      ScatterOptions(self, id), ToMicros(ActorNow(self)));
  if (!plan.ok()) return Fail(self, id, plan.status());
  StartScatter(self, id, std::move(plan).value());
}

// The statement `id` is running ended with `result`: on to the next one.
void StatementDone(Self self, uint64_t id, sql::QueryResult result) {
  auto it = self->state.queries.find(id);
  if (it == self->state.queries.end()) return;
  QueryStats& s = it->second.stats;
  s.chunks_total += result.chunks_scanned + result.chunks_pruned;
  s.chunks_scanned += result.chunks_scanned;
  s.chunks_pruned += result.chunks_pruned;
  s.nodes_contacted = std::max<uint64_t>(s.nodes_contacted, 1);
  s.cached = false;
  it->second.last = std::move(result);
  RunNext(self, id);
}

// Runs a statement whole on the executor: `job` is one that reads no dataset's chunks (SHOW,
// DESCRIBE), or a GatheredStatement.
template <class Job>
void RunOnExecutor(Self self, uint64_t id, Job job) {
  self->request(self->state.executor, caf::infinite, query_atom::value, std::move(job))
      .then([=](sql::QueryResult& result) { StatementDone(self, id, std::move(result)); },
            [=](caf::error& error) { Fail(self, id, ToStatus(error)); });
}

// The SQL a statement of `q` travels as: the whole text for a single statement, so that
// positions in errors are the text's own.
std::string TextOf(const Query& q, const sql::Statement& statement) {
  return q.statements.size() == 1 ? q.request.sql : statement.text;
}

// Runs the statement here whole, over the chunks this node holds and those the keeper fetches
// for it (the gather strategy, local/gathered_statement.h), within analytics.maxGatherBytes.
void GatherHere(Self self, uint64_t id, std::shared_ptr<const sql::Statement> statement,
                local::GatherPlan plan) {
  auto shared = std::make_shared<const local::GatherPlan>(std::move(plan));
  FetchMissing(self, *shared, "query " + std::to_string(id),
               [=](Result<std::shared_ptr<const store::ChunkStore>> chunks) {
                 auto it = self->state.queries.find(id);
                 if (it == self->state.queries.end()) return;
                 if (!chunks.ok()) return Fail(self, id, chunks.status());
                 it->second.stats.bytes_transferred += shared->missing_bytes;
                 GatheredStatement gathered{
                     statement, shared,
                     *chunks ? *chunks : std::make_shared<const store::MemChunkStore>()};
                 RunOnExecutor(self, id, std::move(gathered));
               });
}

// Scatters a join as a broadcast join (local::DistributedSelect::PlanBroadcast says when), or
// else gathers it here. Every holder may need the joined tables whole: those beyond
// analytics.maxGatherBytes are gathered here instead (which fails with that bound's error if
// this node lacks too much of them).
void Broadcast(Self self, uint64_t id, std::shared_ptr<const sql::Statement> statement,
               local::GatherPlan plan, const std::vector<PeerInfo>& peers) {
  auto& st = self->state;
  Query& q = st.queries.at(id);
  uint64_t joined_bytes = 0;
  for (const PinnedVersion& version : plan.versions) joined_bytes += version.manifest.total_bytes;
  local::DistributedSelect::ReplicaLookup replicas = Replicas(self, id, plan.versions, peers);
  Result<std::unique_ptr<local::DistributedSelect>> select =
      local::DistributedSelect::PlanBroadcast(
          TextOf(q, *statement), *statement, plan.versions, *st.store, st.self_id, replicas,
          ScatterOptions(self, id), ToMicros(ActorNow(self)), st.options.join_strategy);
  if (!select.ok()) return Fail(self, id, select.status());
  const bool broadcast =
      *select && joined_bytes - (*select)->manifest().total_bytes <= st.options.max_gather_bytes;
  if (!broadcast) return GatherHere(self, id, std::move(statement), std::move(plan));
  spdlog::info("query {}: a broadcast join over the chunks of {}", id, (*select)->manifest().name);
  q.cache_key.clear();  // as a gathered statement's, its answer is not cached
  StartScatter(self, id, std::move(select).value());
}

// The statement reads several datasets, or one through a subquery or a WITH query: a plain join
// may be broadcast; the rest runs here whole.
void Gather(Self self, uint64_t id, std::shared_ptr<const sql::Statement> statement) {
  auto& st = self->state;
  Result<local::GatherPlan> plan = local::PlanGather(*st.store, *statement);
  if (!plan.ok()) return Fail(self, id, plan.status());
  if (st.options.join_strategy == local::JoinStrategy::kGather || !sql::JoinedTables(*statement)) {
    return GatherHere(self, id, std::move(statement), std::move(plan).value());
  }
  self->request(st.router, caf::infinite, peers_atom::value)
      .then(
          [=, plan = std::move(plan).value()](std::vector<PeerInfo>& peers) mutable {
            if (!self->state.queries.count(id)) return;
            Broadcast(self, id, statement, std::move(plan), peers);
          },
          [=](caf::error& error) { Fail(self, id, ToStatus(error)); });
}

void RunNext(Self self, uint64_t id) {
  auto& st = self->state;
  auto it = st.queries.find(id);
  if (it == st.queries.end()) return;
  Query& q = it->second;
  if (q.next_statement == q.statements.size()) return Complete(self, id);
  std::shared_ptr<const sql::Statement> next = q.statements[q.next_statement++];
  const sql::Statement& statement = *next;
  if (statement.kind != sql::Statement::Kind::kSelect) return RunOnExecutor(self, id, next);
  if (statement.select.table.empty()) return Gather(self, id, next);
  Result<std::optional<PinnedVersion>> version = CurrentVersion(*st.store, statement.select.table);
  if (!version.ok()) return Fail(self, id, version.status());
  if (!*version) return RunOnExecutor(self, id, next);  // the engine names what is unknown
  std::string sql = TextOf(q, statement);
  q.cache_key.clear();
  if (q.request.use_cache) {
    q.cache_key = local::ResultCache::Key(sql, {(*version)->id});
    if (std::optional<sql::QueryResult> hit = st.cache->Find(q.cache_key)) {
      q.last = std::move(*hit);
      q.stats.cached = true;
      return RunNext(self, id);
    }
  }
  self->request(st.router, caf::infinite, peers_atom::value)
      .then(
          [=, version = std::move(**version)](std::vector<PeerInfo>& peers) mutable {
            if (!self->state.queries.count(id)) return;
            Scatter(self, id, std::move(sql), std::move(version), peers);
          },
          [=](caf::error& error) { Fail(self, id, ToStatus(error)); });
}

}  // namespace

caf::result<QueryAnswer> StartQuery(Self self, QueryRequest request) {
  auto& st = self->state;
  const size_t running = st.queries.size() - st.waiting.size();
  const bool must_wait = running >= st.options.max_concurrent;
  if (must_wait && st.waiting.size() >= st.options.max_queued) {
    PublishQueryDone(self, request.sql, "busy", 0, 0, 0);
    return ToCafError(Status::Unavailable(
        "busy: " + std::to_string(running) + " queries running (analytics.maxConcurrentQueries) " +
        "and " + std::to_string(st.waiting.size()) +
        " waiting (analytics.maxQueuedQueries); try again shortly"));
  }
  Result<std::vector<sql::Statement>> statements = sql::Parse(request.sql);
  if (!statements.ok()) {
    PublishQueryDone(self, request.sql, "error", 0, 0, 0);
    return ToCafError(statements.status());
  }
  if (statements->empty()) return ToCafError(Status::InvalidArgument("no statement to run"));
  const uint64_t id = st.next_query++;
  Query& q = st.queries[id];
  q.request = std::move(request);
  q.promise = self->make_response_promise<QueryAnswer>();
  for (sql::Statement& statement : *statements) {
    q.statements.push_back(std::make_shared<const sql::Statement>(std::move(statement)));
  }
  q.started = ActorNow(self);
  q.deadline = q.started + st.options.max_query_time;
  // Copied first: the query may end (and be erased) before this returns.
  caf::typed_response_promise<QueryAnswer> promise = q.promise;
  // A waiting query's time counts against its deadline: its client waits for it all the same.
  if (must_wait) {
    st.waiting.push_back(id);
    ArmTick(self);
    return promise;
  }
  RunNext(self, id);
  ArmTick(self);
  return promise;
}

void OnAnswer(Self self, const NodeId& from, dht::QueryMessage message) {
  auto& st = self->state;
  auto it = st.outstanding.find(message.request_id);
  if (it == st.outstanding.end() || it->second.holder != from) return;  // late or stray
  QueryPlannerState::Outstanding& fragment = it->second;
  auto q = st.queries.find(fragment.query);
  if (q == st.queries.end() || !q->second.select || q->second.merging) {
    st.outstanding.erase(it);
    return;
  }
  const uint64_t id = fragment.query;
  const uint64_t request_id = fragment.request_id;
  std::shared_ptr<local::DistributedSelect> select = q->second.select;
  const TimePoint now = ActorNow(self);
  if (message.kind == dht::QueryMessageKind::kError) {
    st.outstanding.erase(it);
    Dispatch(self, id, select->OnFailure(request_id, from, message.error, now));
    return CheckDone(self, id);
  }
  q->second.stats.bytes_transferred += message.data.size();
  Result<std::optional<Bytes>> joined = fragment.answer.Add(message);
  if (!joined.ok()) {
    dht::QueryMessage cancel;
    cancel.kind = dht::QueryMessageKind::kCancel;
    cancel.request_id = message.request_id;
    SendMessage(self, from, "", cancel);
    st.outstanding.erase(it);
    Dispatch(self, id, select->OnFailure(request_id, from, joined.status(), now));
    return CheckDone(self, id);
  }
  if (!*joined) {
    dht::QueryMessage ack;
    ack.kind = dht::QueryMessageKind::kAck;
    ack.request_id = message.request_id;
    ack.piece = message.piece;
    SendMessage(self, from, "", ack);
    return;
  }
  Bytes partial = std::move(**joined);
  st.outstanding.erase(it);
  Decode(self, id, select, request_id, from, std::move(partial));
}

void OnPeerLost(Self self, const NodeId& peer) {
  auto& st = self->state;
  std::vector<std::pair<uint64_t, uint64_t>> lost;  // (query, request id)
  for (auto it = st.outstanding.begin(); it != st.outstanding.end();) {
    if (it->second.holder == peer) {
      lost.emplace_back(it->second.query, it->second.request_id);
      it = st.outstanding.erase(it);
    } else {
      ++it;
    }
  }
  const TimePoint now = ActorNow(self);
  for (const auto& [id, request_id] : lost) {
    auto q = st.queries.find(id);
    if (q == st.queries.end() || !q->second.select || q->second.merging) continue;
    std::shared_ptr<local::DistributedSelect> select = q->second.select;
    Dispatch(self, id,
             select->OnFailure(request_id, peer, Status::Unavailable("peer unreachable"), now));
    CheckDone(self, id);
  }
}

void OnTick(Self self) {
  auto& st = self->state;
  st.ticking = false;
  const TimePoint now = ActorNow(self);
  std::vector<uint64_t> ids;
  for (const auto& [id, q] : st.queries) ids.push_back(id);
  for (uint64_t id : ids) {
    auto it = st.queries.find(id);
    if (it == st.queries.end()) continue;
    Query& q = it->second;
    if (q.request.abandoned && q.request.abandoned->load()) {
      Fail(self, id, Status::Timeout("the client went away"));
      continue;
    }
    const bool scattering = q.select && !q.merging;
    if (now >= q.deadline) {
      if (scattering) {
        // The merge reports the chunks still pending (or, if allowed, answers without them).
        CancelOutstanding(self, id);
        Merge(self, id);
        continue;
      }
      // A merge under way (the one started at the deadline too: it waits for this node's
      // cancelled fragment to stop) gets a moment more; anything else is cut off now.
      if (q.merging && now < q.deadline + st.options.merge_grace) continue;
      Fail(self, id, Status::Timeout("query ran past analytics.maxQueryTime"));
      continue;
    }
    if (scattering) {
      std::shared_ptr<local::DistributedSelect> select = q.select;
      Dispatch(self, id, select->OnTimer(now));
      CheckDone(self, id);
    }
  }
  ArmTick(self);
}

}  // namespace lake::actors::planner
