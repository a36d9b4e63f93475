#include "sim/query_cluster.h"

#include <strings.h>

#include <utility>

#include "common/hash.h"
#include "dht/placement.h"
#include "local/network_catalog.h"
#include "local/store_table_provider.h"
#include "sql/binder.h"
#include "sql/parser.h"
#include "store/catalog.h"

namespace lake::sim {
namespace {

// Child streams of the seed: nodes use their index, the network this one (far above any index).
constexpr uint64_t kNetworkStream = 1ull << 62;

// The simulator's clock starts at a fixed, realistic instant (as SimCluster's).
constexpr int64_t kEpochMicros = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z

// Chunks a gathered statement fetches at once, as the node's keeper does.
constexpr size_t kFetchWindow = 4;

}  // namespace

QueryCluster::QueryCluster(uint64_t seed, const QueryClusterOptions& options, Trace* trace)
    : options_(options),
      trace_(trace),
      master_(seed),
      loop_(FromMicros(kEpochMicros)),
      network_(options.network, master_.Child(kNetworkStream)) {
  for (size_t i = 0; i < options_.nodes; ++i) {
    Node node;
    node.rng = master_.Child(i);
    node.id = node.rng.NextId();
    node.store = std::make_unique<store::MemChunkStore>();
    node.host = std::make_unique<local::FragmentHost>(*node.store, nullptr, &runner_);
    node.fetched = std::make_unique<local::FetchedChunks>(options_.fetch_cache_bytes);
    node.work_time = options_.work_time;
    index_of_.emplace(node.id, i);
    nodes_.push_back(std::move(node));
  }
}

Result<std::unique_ptr<QueryCluster>> QueryCluster::Create(const store::ChunkStore& source,
                                                           uint64_t seed,
                                                           const QueryClusterOptions& options,
                                                           Trace* trace) {
  std::unique_ptr<QueryCluster> cluster(new QueryCluster(seed, options, trace));
  LAKE_RETURN_IF_ERROR(cluster->Place(source));
  return cluster;
}

Status QueryCluster::Place(const store::ChunkStore& source) {
  LAKE_ASSIGN_OR_RETURN(std::vector<store::Manifest> manifests, store::ListManifests(source));
  std::vector<NodeId> ids;
  for (const Node& node : nodes_) ids.push_back(node.id);
  const dht::SortedNodes sorted(ids);
  for (store::Manifest& manifest : manifests) {
    // The manifest object is the dataset record's bytes; its id is their hash.
    LAKE_ASSIGN_OR_RETURN(Bytes encoded, source.GetRecord(store::DatasetRecordKey(manifest.name)));
    const Id manifest_id = Blake2b256(encoded);
    // Every node knows every dataset, as one that adopted its pointer does: the manifest object,
    // and the dataset record a planner pins a gathered statement's versions from.
    for (Node& node : nodes_) {
      LAKE_RETURN_IF_ERROR(
          local::NetworkCatalog(*node.store).PutManifestObject(manifest_id, encoded));
      LAKE_RETURN_IF_ERROR(node.store->PutRecord(store::DatasetRecordKey(manifest.name), encoded));
    }
    for (const store::ChunkRef& chunk : manifest.chunks) {
      LAKE_ASSIGN_OR_RETURN(Bytes bytes, source.GetChunk(chunk.id));
      for (const NodeId& holder : sorted.Closest(chunk.id, options_.replication)) {
        LAKE_RETURN_IF_ERROR(nodes_[index_of_.at(holder)].store->PutChunk(chunk.id, bytes));
      }
    }
    datasets_.push_back({std::move(manifest), manifest_id});
  }
  return Status::OK();
}

bool QueryCluster::Holds(size_t node, const ChunkId& chunk) const {
  Result<bool> held = nodes_[node].store->HasChunk(chunk);
  return held.ok() && *held;
}

void QueryCluster::Crash(size_t node, bool noticed) {
  nodes_[node].running = false;
  nodes_[node].noticed_down = noticed;
  nodes_[node].serving.clear();
  Fold(noticed ? 'X' : 'C', node);
}

void QueryCluster::CutOff(const std::vector<size_t>& nodes) {
  std::vector<int> side(nodes_.size(), 0);
  for (size_t node : nodes) {
    side[node] = 1;
    Fold('P', node);
  }
  network_.Partition(std::move(side));
}

void QueryCluster::Heal() {
  network_.Heal();
  Fold('H', 0);
}

void QueryCluster::SetWorkTime(size_t node, Duration work_time) {
  nodes_[node].work_time = work_time;
}

void QueryCluster::SetBehaviour(size_t node, HolderBehaviour behaviour) {
  nodes_[node].behaviour = behaviour;
}

Result<const QueryCluster::Dataset*> QueryCluster::DatasetOf(size_t planner,
                                                             const std::string& sql) const {
  LAKE_ASSIGN_OR_RETURN(std::vector<sql::Statement> statements, sql::Parse(sql));
  if (statements.size() != 1 || statements[0].kind != sql::Statement::Kind::kSelect ||
      statements[0].select.table.empty()) {
    return Status::InvalidArgument("a distributed query is one SELECT over a dataset");
  }
  local::StoreTableProvider catalog(*nodes_[planner].store);
  std::vector<store::Manifest> manifests;
  for (const Dataset& d : datasets_) manifests.push_back(d.manifest);
  catalog.Pin(std::move(manifests));
  LAKE_ASSIGN_OR_RETURN(sql::BoundStatement bound, sql::Bind(statements[0], catalog));
  for (const Dataset& d : datasets_) {
    if (strcasecmp(d.manifest.name.c_str(), bound.select.table.c_str()) == 0) return &d;
  }
  return Status::InvalidArgument("no dataset " + bound.select.table);
}

QueryOutcome QueryCluster::Refuse(const Status& error) {
  Active& q = *active_;
  q.finished = true;
  q.outcome.status = error;
  Fold('F', q.planner, error);
  return std::move(q.outcome);
}

std::vector<NodeId> QueryCluster::PlannerView() const {
  std::vector<NodeId> live;
  for (const Node& node : nodes_) {
    if (!node.noticed_down) live.push_back(node.id);
  }
  return live;
}

void QueryCluster::ArmDeadline() {
  const uint64_t query = active_->query;
  loop_.After(options_.query_deadline, [this, query] {
    if (active_ && active_->query == query && !active_->finished) Finish();
  });
}

QueryOutcome QueryCluster::Query(size_t planner, const std::string& sql) {
  active_ = std::make_unique<Active>();
  Active& q = *active_;
  q.query = next_query_++;
  q.planner = planner;
  q.started = loop_.now();
  Result<std::vector<sql::Statement>> parsed = sql::Parse(sql);
  if (parsed.ok() && parsed->size() == 1 && parsed->front().kind == sql::Statement::Kind::kSelect &&
      parsed->front().select.table.empty()) {
    return Join(std::move(parsed->front()), sql);
  }
  Result<const Dataset*> dataset = DatasetOf(planner, sql);
  if (!dataset.ok()) return Refuse(dataset.status());
  for (const store::ChunkRef& chunk : (*dataset)->manifest.chunks) {
    q.outcome.chunks.push_back(chunk.id);
  }
  const dht::SortedNodes view(PlannerView());
  const size_t r = options_.replication;
  Result<std::unique_ptr<local::DistributedSelect>> select = local::DistributedSelect::Plan(
      sql, (*dataset)->manifest, (*dataset)->manifest_id, *nodes_[planner].store, id(planner),
      [&](const ChunkId& chunk) { return view.Closest(chunk, r); }, options_.scatter,
      ToMicros(loop_.now()));
  if (!select.ok()) return Refuse(select.status());
  return Scatter(std::move(select).value());
}

QueryOutcome QueryCluster::Join(sql::Statement statement, const std::string& sql) {
  Active& q = *active_;
  Result<local::GatherPlan> plan = local::PlanGather(*nodes_[q.planner].store, statement);
  if (!plan.ok()) return Refuse(plan.status());
  for (const local::PinnedVersion& version : plan->versions) {
    for (const store::ChunkRef& chunk : version.manifest.chunks) {
      q.outcome.chunks.push_back(chunk.id);
    }
  }
  const dht::SortedNodes view(PlannerView());
  const size_t r = options_.replication;
  Result<std::unique_ptr<local::DistributedSelect>> select =
      local::DistributedSelect::PlanBroadcast(
          sql, statement, plan->versions, *nodes_[q.planner].store, id(q.planner),
          [&](const ChunkId& chunk) { return view.Closest(chunk, r); }, options_.scatter,
          ToMicros(loop_.now()), options_.join_strategy);
  if (!select.ok()) return Refuse(select.status());
  if (*select) return Scatter(std::move(select).value());
  return Gather(std::move(statement), std::move(plan).value());
}

QueryOutcome QueryCluster::Scatter(std::unique_ptr<local::DistributedSelect> select) {
  Active& q = *active_;
  q.select = std::move(select);
  ArmDeadline();
  Dispatch(q.select->Start(loop_.now()), /*retry=*/false);
  Advance();
  loop_.RunWhile([this] { return !active_->finished; });
  return std::move(active_->outcome);
}

QueryOutcome QueryCluster::Gather(sql::Statement statement, local::GatherPlan plan) {
  Active& q = *active_;
  q.statement = std::make_unique<sql::Statement>(std::move(statement));
  q.plan = std::move(plan);
  ArmDeadline();
  q.gather = StartGather(q.planner, q.plan.MissingIds(),
                         [this](const local::ChunkGather& gather) { FinishGathered(gather); });
  loop_.RunWhile([this] { return !active_->finished; });
  return std::move(active_->outcome);
}

uint64_t QueryCluster::StartGather(size_t node, std::vector<ChunkId> chunks,
                                   std::function<void(const local::ChunkGather&)> done) {
  const uint64_t gather = next_gather_++;
  Gathering& g = gathers_[gather];
  g.query = active_->query;
  g.node = node;
  g.chunks = std::make_unique<local::ChunkGather>(std::move(chunks), PlannerView(), id(node),
                                                  options_.replication, kFetchWindow,
                                                  nodes_[node].fetched.get());
  g.done = std::move(done);
  SendFetches(gather, g.chunks->Start());
  if (g.chunks->finished()) EndGather(gather);
  return gather;
}

void QueryCluster::SendFetches(uint64_t gather, const std::vector<local::ChunkGather::Ask>& asks) {
  const size_t from = gathers_.at(gather).node;
  for (const local::ChunkGather::Ask& ask : asks) {
    const uint64_t wire_id = next_wire_id_++;
    const size_t node = index_of_.at(ask.node);
    fetching_.emplace(wire_id, Fetching{gather, ask.chunk, node});
    dht::ChunkMessage fetch;
    fetch.kind = dht::ChunkMessageKind::kFetch;
    fetch.request_id = wire_id;
    fetch.object = dht::ObjectKind::kChunk;
    fetch.id = ask.chunk;
    SendChunkMessage(from, node, fetch);
    // The keeper's request deadline, played by the fragment deadline.
    loop_.After(options_.scatter.fragment_timeout,
                [this, wire_id] { OnFetched(wire_id, nullptr); });
  }
}

void QueryCluster::EndGather(uint64_t gather) {
  auto it = gathers_.find(gather);
  if (it == gathers_.end()) return;
  Gathering ended = std::move(it->second);
  gathers_.erase(it);
  std::erase_if(fetching_, [&](const auto& entry) { return entry.second.gather == gather; });
  ended.done(*ended.chunks);
}

void QueryCluster::DropGathers(uint64_t query) {
  std::erase_if(gathers_, [&](const auto& entry) { return entry.second.query == query; });
  std::erase_if(fetching_, [&](const auto& entry) { return !gathers_.count(entry.second.gather); });
}

void QueryCluster::SendChunkMessage(size_t from, size_t to, const dht::ChunkMessage& message) {
  Bytes bytes = dht::EncodeChunkMessage(message);
  const std::optional<TimePoint> arrival = network_.StreamArrival(from, to, loop_.now());
  if (!arrival) return;
  loop_.At(*arrival,
           [this, from, to, bytes = std::move(bytes)] { DeliverChunkMessage(from, to, bytes); });
}

void QueryCluster::DeliverChunkMessage(size_t from, size_t to, const Bytes& bytes) {
  Node& node = nodes_[to];
  if (!node.running) return;
  ++messages_delivered_;
  bytes_delivered_ += bytes.size();
  trace_->Delivery(loop_.now(), from, to, bytes);
  Result<dht::ChunkMessage> message = dht::DecodeChunkMessage(bytes);
  if (!message.ok()) return;  // a node drops what it cannot read
  if (message->kind == dht::ChunkMessageKind::kFetch) {
    dht::ChunkMessage reply;
    reply.kind = dht::ChunkMessageKind::kFetchReply;
    reply.request_id = message->request_id;
    Result<Bytes> chunk = node.store->GetChunk(message->id);
    reply.ok = chunk.ok();
    if (chunk.ok()) {
      reply.data = std::move(chunk).value();
      // A hostile holder forges the chunk it gives: the planner must check it against its id.
      if (node.behaviour != HolderBehaviour::kHonest && !reply.data.empty()) {
        reply.data[node.rng.Uniform(reply.data.size())] ^= 1;
      }
    } else {
      reply.error = chunk.status().ToString();
    }
    SendChunkMessage(to, from, reply);
    return;
  }
  if (message->kind != dht::ChunkMessageKind::kFetchReply) return;
  auto it = fetching_.find(message->request_id);
  if (it == fetching_.end() || it->second.node != from) return;  // late, or a stray
  OnFetched(message->request_id, message->ok ? &message->data : nullptr);
}

void QueryCluster::OnFetched(uint64_t wire_id, const Bytes* bytes) {
  auto it = fetching_.find(wire_id);
  if (it == fetching_.end()) return;  // answered already (this is its deadline), or a stray
  const Fetching fetch = it->second;
  fetching_.erase(it);
  auto gather = gathers_.find(fetch.gather);
  if (gather == gathers_.end()) return;
  local::ChunkGather& chunks = *gather->second.chunks;
  SendFetches(fetch.gather, chunks.OnAnswer(fetch.chunk, id(fetch.node), bytes));
  if (chunks.finished()) EndGather(fetch.gather);
}

void QueryCluster::FinishGathered(const local::ChunkGather& gather) {
  Active& q = *active_;
  q.finished = true;
  q.outcome.elapsed = loop_.now() - q.started;
  if (!gather.finished()) {
    // The deadline: name a chunk not gathered, as the planner's timeout names its pending ones.
    for (const store::ChunkRef& chunk : q.plan.missing) {
      Result<bool> held = gather.chunks()->HasChunk(chunk.id);
      if (held.ok() && *held) continue;
      q.outcome.status = Status::Timeout("chunk " + chunk.id.ToHex() +
                                         " was not gathered before the query's deadline");
      break;
    }
  } else if (!gather.status().ok()) {
    q.outcome.status = gather.status();
  } else {
    Result<sql::QueryResult> answer =
        local::RunGathered(*q.statement, q.plan, *gather.chunks(), *nodes_[q.planner].store,
                           nullptr, &runner_, ToMicros(q.started));
    if (answer.ok()) {
      q.outcome.result = std::move(answer).value();
    } else {
      q.outcome.status = answer.status();
    }
  }
  Fold('F', q.planner, q.outcome.status);
  DropGathers(q.query);
}

void QueryCluster::GatherForFragment(
    size_t node, const Bytes& request,
    std::function<void(const Result<std::shared_ptr<const store::ChunkStore>>&)> then) {
  Result<local::GatherPlan> plan = local::PlanFragmentGather(*nodes_[node].store, request);
  if (!plan.ok()) return then(plan.status());
  if (plan->missing.empty()) return then(std::shared_ptr<const store::ChunkStore>());
  StartGather(node, plan->MissingIds(), [then](const local::ChunkGather& gather) {
    if (!gather.status().ok()) return then(gather.status());
    then(std::shared_ptr<const store::ChunkStore>(gather.chunks()));
  });
}

void QueryCluster::Dispatch(const std::vector<local::DistributedSelect::Send>& sends, bool retry) {
  Active& q = *active_;
  for (const local::DistributedSelect::Send& send : sends) {
    ++q.outcome.fragments_sent;
    q.outcome.fragments_retried += retry;
    const uint64_t wire_id = next_wire_id_++;
    const size_t holder = index_of_.at(send.holder);
    pending_.emplace(wire_id, Pending{q.query, send.request_id, holder,
                                      dht::PartialAssembly(options_.max_partial_bytes)});
    if (holder == q.planner) {
      // Its own share runs here, after the fragments sent to peers have left.
      loop_.After(Duration::zero(),
                  [this, wire_id, request = send.request] { RunOwn(wire_id, request); });
      continue;
    }
    dht::QueryMessage fragment;
    fragment.kind = dht::QueryMessageKind::kFragment;
    fragment.request_id = wire_id;
    fragment.manifest_id = send.manifest_id;
    fragment.data = send.request;
    Send(q.planner, holder, fragment);
  }
}

void QueryCluster::RunOwn(uint64_t wire_id, const Bytes& request) {
  auto it = pending_.find(wire_id);
  if (it == pending_.end() || !active_ || active_->finished || it->second.query != active_->query) {
    return;
  }
  GatherForFragment(active_->planner, request, [this, wire_id, request](const auto& gathered) {
    FinishOwn(wire_id, request, gathered);
  });
}

void QueryCluster::FinishOwn(uint64_t wire_id, const Bytes& request,
                             const Result<std::shared_ptr<const store::ChunkStore>>& gathered) {
  auto it = pending_.find(wire_id);
  if (it == pending_.end() || !active_ || active_->finished || it->second.query != active_->query) {
    return;
  }
  Active& q = *active_;
  const uint64_t request_id = it->second.request_id;
  pending_.erase(it);
  Result<Bytes> partial = gathered.ok() ? nodes_[q.planner].host->Run(q.select->manifest(), request,
                                                                      nullptr, gathered->get())
                                        : Result<Bytes>(gathered.status());
  if (partial.ok()) {
    Dispatch(q.select->OnPartial(request_id, id(q.planner), *partial, loop_.now()), true);
  } else {
    Dispatch(q.select->OnFailure(request_id, id(q.planner), partial.status(), loop_.now()), true);
  }
  Advance();
}

void QueryCluster::Send(size_t from, size_t to, const dht::QueryMessage& message) {
  Bytes bytes = dht::EncodeQueryMessage(message);
  const std::optional<TimePoint> arrival = network_.StreamArrival(from, to, loop_.now());
  if (!arrival) return;
  loop_.At(*arrival, [this, from, to, bytes = std::move(bytes)] { Deliver(from, to, bytes); });
}

void QueryCluster::Deliver(size_t from, size_t to, const Bytes& bytes) {
  if (!nodes_[to].running) return;
  ++messages_delivered_;
  bytes_delivered_ += bytes.size();
  trace_->Delivery(loop_.now(), from, to, bytes);
  Result<dht::QueryMessage> message = dht::DecodeQueryMessage(bytes);
  if (!message.ok()) return;  // a node drops what it cannot read
  switch (message->kind) {
    case dht::QueryMessageKind::kFragment:
    case dht::QueryMessageKind::kCancel:
    case dht::QueryMessageKind::kAck:
      OnServing(to, from, *message);
      return;
    case dht::QueryMessageKind::kPartial:
    case dht::QueryMessageKind::kError:
      OnReply(from, *message);
      return;
  }
}

void QueryCluster::OnServing(size_t holder, size_t planner, const dht::QueryMessage& message) {
  Node& node = nodes_[holder];
  auto it = node.serving.find(message.request_id);
  switch (message.kind) {
    case dht::QueryMessageKind::kFragment:
      if (it != node.serving.end()) return;  // a duplicate
      node.serving.emplace(message.request_id, Node::Serving{});
      loop_.After(node.work_time, [this, holder, planner, wire_id = message.request_id,
                                   manifest_id = message.manifest_id, request = message.data] {
        StartWork(holder, planner, wire_id, manifest_id, request);
      });
      return;
    case dht::QueryMessageKind::kCancel:
      if (it != node.serving.end()) node.serving.erase(it);  // no reply is expected
      return;
    case dht::QueryMessageKind::kAck:
      // Only the oldest piece not acknowledged may be: pieces travel in order.
      if (it == node.serving.end() || message.piece != it->second.acked ||
          it->second.acked >= it->second.sent) {
        return;
      }
      ++it->second.acked;
      SendPieces(holder, planner, message.request_id);
      return;
    default:
      return;
  }
}

void QueryCluster::StartWork(size_t holder, size_t planner, uint64_t wire_id, const Id& manifest_id,
                             const Bytes& request) {
  Node& node = nodes_[holder];
  if (!node.running || !node.serving.count(wire_id)) return;  // crashed, or cancelled meanwhile
  GatherForFragment(holder, request, [=, this](const auto& gathered) {
    FinishWork(holder, planner, wire_id, manifest_id, request, gathered);
  });
}

void QueryCluster::FinishWork(size_t holder, size_t planner, uint64_t wire_id,
                              const Id& manifest_id, const Bytes& request,
                              const Result<std::shared_ptr<const store::ChunkStore>>& gathered) {
  Node& node = nodes_[holder];
  auto it = node.serving.find(wire_id);
  if (!node.running || it == node.serving.end()) return;  // crashed, or cancelled meanwhile
  Result<Bytes> partial = gathered.ok()
                              ? node.host->Run(manifest_id, RequestRun(node.behaviour, request),
                                               nullptr, gathered->get())
                              : Result<Bytes>(gathered.status());
  if (!partial.ok()) {
    node.serving.erase(it);
    dht::QueryMessage error;
    error.kind = dht::QueryMessageKind::kError;
    error.request_id = wire_id;
    error.error = partial.status();
    Send(holder, planner, error);
    return;
  }
  it->second.pieces = HolderPieces(node.behaviour, wire_id, *partial, options_.piece_bytes,
                                   options_.max_partial_bytes + 1, node.rng);
  SendPieces(holder, planner, wire_id);
}

void QueryCluster::SendPieces(size_t holder, size_t planner, uint64_t wire_id) {
  Node& node = nodes_[holder];
  auto it = node.serving.find(wire_id);
  if (it == node.serving.end()) return;
  Node::Serving& serving = it->second;
  while (serving.sent < serving.pieces.size() &&
         serving.sent - serving.acked < options_.piece_window) {
    Send(holder, planner, serving.pieces[serving.sent++]);
  }
  // The last piece is not acknowledged: once it left, nothing is left to do.
  if (serving.sent == serving.pieces.size()) node.serving.erase(it);
}

void QueryCluster::OnReply(size_t from, const dht::QueryMessage& message) {
  auto it = pending_.find(message.request_id);
  // Replies to fragments answered, failed or of an earlier query, and strays, change nothing.
  if (it == pending_.end() || it->second.holder != from) return;
  if (!active_ || active_->finished || it->second.query != active_->query) {
    pending_.erase(it);
    return;
  }
  Active& q = *active_;
  const uint64_t request_id = it->second.request_id;
  const NodeId& holder = id(from);
  if (message.kind == dht::QueryMessageKind::kError) {
    pending_.erase(it);
    Dispatch(q.select->OnFailure(request_id, holder, message.error, loop_.now()), true);
    Advance();
    return;
  }
  Result<std::optional<Bytes>> joined = it->second.assembly.Add(message);
  if (!joined.ok()) {
    // Refused: the holder may stop sending.
    dht::QueryMessage cancel;
    cancel.kind = dht::QueryMessageKind::kCancel;
    cancel.request_id = message.request_id;
    Send(q.planner, from, cancel);
    pending_.erase(it);
    Dispatch(q.select->OnFailure(request_id, holder, joined.status(), loop_.now()), true);
  } else if (joined->has_value()) {
    const Bytes partial = std::move(**joined);
    pending_.erase(it);
    Dispatch(q.select->OnPartial(request_id, holder, partial, loop_.now()), true);
  } else {
    dht::QueryMessage ack;
    ack.kind = dht::QueryMessageKind::kAck;
    ack.request_id = message.request_id;
    ack.piece = message.piece;
    Send(q.planner, from, ack);
  }
  Advance();
}

void QueryCluster::Advance() {
  Active& q = *active_;
  if (q.finished) return;
  if (q.select->done()) {
    Finish();
    return;
  }
  const TimePoint deadline = q.select->NextDeadline();
  if (deadline == TimePoint::max() || deadline >= q.timer_at) return;
  q.timer_at = deadline;
  const uint64_t query = q.query;
  loop_.At(deadline, [this, query] {
    // Only the timer armed last fires; earlier ones were replaced.
    if (!active_ || active_->query != query || active_->finished ||
        active_->timer_at != loop_.now()) {
      return;
    }
    active_->timer_at = TimePoint::max();
    Dispatch(active_->select->OnTimer(loop_.now()), true);
    Advance();
  });
}

void QueryCluster::Finish() {
  if (active_->statement) return FinishGathered(*gathers_.at(active_->gather).chunks);
  Active& q = *active_;
  q.finished = true;
  Result<local::DistributedSelect::Answer> answer = q.select->Finish(&runner_);
  q.outcome.elapsed = loop_.now() - q.started;
  if (answer.ok()) {
    q.outcome.result = std::move(answer->result);
  } else {
    q.outcome.status = answer.status();
  }
  Fold('F', q.planner, q.outcome.status);
  DropGathers(q.query);
  // What is still outstanding is abandoned: its holders may stop.
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.query != q.query) {
      ++it;
      continue;
    }
    if (it->second.holder != q.planner) {
      dht::QueryMessage cancel;
      cancel.kind = dht::QueryMessageKind::kCancel;
      cancel.request_id = it->first;
      Send(q.planner, it->second.holder, cancel);
    }
    it = pending_.erase(it);
  }
}

void QueryCluster::Fold(char tag, size_t node, const Status& status) {
  std::string event(1, tag);
  event += id(node).ToHex();
  event += static_cast<char>(status.code());
  event += status.message();
  trace_->Event(loop_.now(), AsBytes(event));
}

}  // namespace lake::sim
