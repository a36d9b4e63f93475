#include "sim/sim_cluster.h"

#include <algorithm>
#include <cstring>

#include "dht/identity.h"
#include "dht/messages.h"
#include "dht/placement.h"

namespace lake::sim {
namespace {

// Child streams of the master seed: nodes use their index, the rest these (far above any index).
constexpr uint64_t kNetworkStream = 1ull << 62;
constexpr uint64_t kScenarioStream = (1ull << 62) + 1;
constexpr char kAddressPrefix[] = "sim:";

// The simulator starts its clock at a fixed, realistic instant.
constexpr int64_t kEpochMicros = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z

}  // namespace

SimCluster::SimCluster(uint64_t seed, const dht::DhtOptions& dht_options,
                       const NetworkOptions& network_options)
    : dht_options_(dht_options),
      master_(seed),
      scenario_rng_(master_.Child(kScenarioStream)),
      loop_(FromMicros(kEpochMicros)),
      network_(network_options, master_.Child(kNetworkStream)) {}

size_t SimCluster::AddNode() {
  const size_t index = nodes_.size();
  Node node;
  node.rng = master_.Child(index);
  node.id = dht::Identity(node.rng.NextId().bytes()).node_id();
  node.address = kAddressPrefix + std::to_string(index);
  index_of_.emplace(node.id, index);
  nodes_.push_back(std::move(node));
  return index;
}

void SimCluster::Start(size_t i, const std::vector<size_t>& seeds) {
  Node& node = nodes_[i];
  ++node.generation;
  node.waiting.clear();
  node.wakeup_scheduled = TimePoint{};
  node.started_at = loop_.now();
  node.core = std::make_unique<dht::DhtCore>(dht::Contact{node.id, node.address}, dht_options_,
                                             node.rng.Child(node.generation));
  std::vector<dht::Contact> contacts;
  for (size_t s : seeds) {
    if (s != i && running(s)) contacts.push_back(dht::Contact{nodes_[s].id, nodes_[s].address});
  }
  node.core->Bootstrap(loop_.now(), contacts);
  Flush(i);
}

void SimCluster::Crash(size_t i) {
  Node& node = nodes_[i];
  ++node.generation;
  node.core.reset();
  node.waiting.clear();
  node.wakeup_scheduled = TimePoint{};
}

void SimCluster::Track(size_t i, dht::DhtCore::OperationId op, OperationDone done) {
  nodes_[i].waiting.emplace(op, std::move(done));
  Flush(i);
}

void SimCluster::FindNode(size_t i, const Id& target, OperationDone done) {
  Track(i, nodes_[i].core->FindNode(loop_.now(), target), std::move(done));
}

void SimCluster::Get(size_t i, const Id& key, OperationDone done) {
  Track(i, nodes_[i].core->Get(loop_.now(), key), std::move(done));
}

void SimCluster::Put(size_t i, const Id& key, const Bytes& value, OperationDone done) {
  Track(i, nodes_[i].core->Put(loop_.now(), key, value), std::move(done));
}

size_t SimCluster::IndexOf(const std::string& address) const {
  // Addresses are "sim:<index>", written by AddNode.
  return std::stoul(address.substr(sizeof(kAddressPrefix) - 1));
}

void SimCluster::Flush(size_t i) {
  Node& node = nodes_[i];
  if (!node.core) return;
  dht::DhtCore::Outbox outbox = node.core->TakeOutbox();
  for (dht::DhtCore::Send& send : outbox.sends) {
    const size_t to = IndexOf(send.to.address);
    std::optional<Duration> transit = network_.Transit(i, to);
    if (!transit) continue;
    Bytes bytes = dht::EncodeMessage(send.message);
    const uint64_t generation = to < nodes_.size() ? nodes_[to].generation : 0;
    loop_.After(*transit, [this, i, to, generation, bytes = std::move(bytes)] {
      Deliver(i, to, generation, bytes);
    });
  }
  for (const dht::DhtCore::OperationResult& result : outbox.results) {
    auto it = node.waiting.find(result.id);
    if (it == node.waiting.end()) continue;  // maintenance lookups nobody waits for
    OperationDone done = std::move(it->second);
    node.waiting.erase(it);
    done(result);
  }
  ScheduleWakeup(i);
}

void SimCluster::ScheduleWakeup(size_t i) {
  Node& node = nodes_[i];
  if (!node.core) return;
  const TimePoint wake = node.core->NextWakeup();
  if (wake == TimePoint{}) return;
  if (node.wakeup_scheduled != TimePoint{} && node.wakeup_scheduled <= wake) return;
  node.wakeup_scheduled = wake;
  const uint64_t generation = node.generation;
  loop_.At(wake, [this, i, generation, wake] {
    Node& n = nodes_[i];
    if (n.generation != generation || !n.core) return;
    if (n.wakeup_scheduled == wake) n.wakeup_scheduled = TimePoint{};
    n.core->OnTimer(loop_.now());
    Flush(i);
  });
}

void SimCluster::Deliver(size_t from, size_t to, uint64_t generation, const Bytes& bytes) {
  if (to >= nodes_.size()) return;
  Node& node = nodes_[to];
  // A message sent to an earlier life of the node is lost with it.
  if (!node.core || node.generation != generation) return;
  ++messages_delivered_;
  bytes_delivered_ += bytes.size();
  uint64_t header[3] = {static_cast<uint64_t>(ToMicros(loop_.now())), from, to};
  trace_.Update(ByteView(reinterpret_cast<const uint8_t*>(header), sizeof header));
  trace_.Update(ByteView(bytes));
  Result<dht::Message> message = dht::DecodeMessage(bytes);
  if (!message.ok()) return;
  node.core->OnMessage(loop_.now(), nodes_[from].id, *message);
  Flush(to);
}

bool SimCluster::running(const NodeId& id) const {
  auto it = index_of_.find(id);
  return it != index_of_.end() && running(it->second);
}

std::vector<size_t> SimCluster::RunningNodes() const {
  std::vector<size_t> out;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (running(i)) out.push_back(i);
  }
  return out;
}

std::vector<NodeId> SimCluster::TrueClosest(
    const Id& target, size_t n,
    const std::function<bool(const NodeId&, TimePoint)>& eligible) const {
  std::vector<NodeId> ids;
  ids.reserve(nodes_.size());
  for (const Node& node : nodes_) {
    if (node.core && (!eligible || eligible(node.id, node.started_at))) ids.push_back(node.id);
  }
  return dht::ClosestNodes(target, ids, n);
}

std::string SimCluster::TraceHash() const {
  Blake2bHasher copy = trace_;
  return copy.Finish().ToHex();
}

}  // namespace lake::sim
