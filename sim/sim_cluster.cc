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
  unsorted_ids_.push_back(node.id);
  if (unsorted_ids_.size() >= std::max<size_t>(1024, sorted_ids_.ids().size() / 16)) {
    sorted_ids_.Insert(std::move(unsorted_ids_));
    unsorted_ids_.clear();
  }
  nodes_.push_back(std::move(node));
  return index;
}

void SimCluster::Start(size_t i, const std::vector<size_t>& seeds) {
  Node& node = nodes_[i];
  if (!running(i)) {
    node.running_slot = running_.size();
    running_.push_back(i);
  }
  ++node.generation;
  node.started_at = loop_.now();
  node.driver = std::make_unique<dht::CoreDriver>(
      std::make_unique<dht::DhtCore>(dht::Contact{node.id, node.address}, dht_options_,
                                     node.rng.Child(node.generation)),
      DriverCallbacks(i, node.generation));
  std::vector<std::string> addresses;
  for (size_t s : seeds) {
    const std::string& address = nodes_[s].address;
    if (s != i && running(s) &&
        std::find(addresses.begin(), addresses.end(), address) == addresses.end()) {
      addresses.push_back(address);
    }
  }
  node.driver->core().Join(loop_.now(), std::move(addresses));
  node.driver->Flush();
}

dht::CoreDriver::Callbacks SimCluster::DriverCallbacks(size_t i, uint64_t generation) {
  return {
      [this, i](const dht::Contact& to_contact, Bytes bytes) {
        const size_t to = IndexOf(to_contact.address);
        std::optional<Duration> transit = network_.Transit(i, to);
        if (!transit) return;
        InFlight message{i, to, to < nodes_.size() ? nodes_[to].generation : 0, std::move(bytes)};
        uint32_t slot;
        if (free_slots_.empty()) {
          slot = static_cast<uint32_t>(in_flight_.size());
          in_flight_.push_back(std::move(message));
        } else {
          slot = free_slots_.back();
          free_slots_.pop_back();
          in_flight_[slot] = std::move(message);
        }
        loop_.After(*transit, [this, slot] { Deliver(slot); });
      },
      // The transport's handshake takes a round trip; only a running seed completes it.
      [this, i, generation](const std::string& address) {
        const size_t to = IndexOf(address);
        std::optional<Duration> transit = network_.Transit(i, to);
        if (!transit) return;
        loop_.After(2 * *transit, [this, i, generation, to] {
          Node& node = nodes_[i];
          if (node.generation != generation || !node.driver || !running(to)) return;
          node.driver->core().OnDialed(loop_.now(),
                                       dht::Contact{nodes_[to].id, nodes_[to].address});
          node.driver->Flush();
        });
      },
      [this, i, generation](TimePoint when) {
        loop_.At(when, [this, i, generation] {
          Node& node = nodes_[i];
          if (node.generation == generation && node.driver) node.driver->OnWakeup(loop_.now());
        });
      },
  };
}

void SimCluster::Crash(size_t i) {
  Node& node = nodes_[i];
  if (running(i)) {
    const size_t last = running_.back();
    running_[node.running_slot] = last;
    nodes_[last].running_slot = node.running_slot;
    running_.pop_back();
  }
  ++node.generation;
  node.driver.reset();
}

void SimCluster::Track(size_t i, dht::DhtCore::OperationId op, OperationDone done) {
  nodes_[i].driver->Await(op, std::move(done));
}

void SimCluster::FindNode(size_t i, const Id& target, OperationDone done) {
  Track(i, nodes_[i].driver->core().FindNode(loop_.now(), target), std::move(done));
}

void SimCluster::Get(size_t i, const Id& key, OperationDone done) {
  Track(i, nodes_[i].driver->core().Get(loop_.now(), key), std::move(done));
}

void SimCluster::Put(size_t i, const Id& key, const Bytes& value, OperationDone done) {
  Track(i, nodes_[i].driver->core().Put(loop_.now(), key, value), std::move(done));
}

size_t SimCluster::IndexOf(const std::string& address) const {
  // Addresses are "sim:<index>", written by AddNode.
  return std::stoul(address.substr(sizeof(kAddressPrefix) - 1));
}

void SimCluster::Deliver(uint32_t slot) {
  const InFlight wire = std::move(in_flight_[slot]);
  free_slots_.push_back(slot);
  const auto& [from, to, generation, bytes] = wire;
  if (to >= nodes_.size()) return;
  Node& node = nodes_[to];
  // A message sent to an earlier life of the node is lost with it.
  if (!node.driver || node.generation != generation) return;
  ++messages_delivered_;
  bytes_delivered_ += bytes.size();
  trace_.Delivery(loop_.now(), from, to, bytes);
  Result<dht::Message> message = dht::DecodeMessage(bytes);
  if (!message.ok()) return;
  // Every message travels to the address it was sent to, so a response comes from the node at
  // the address it was asked at (as on a session the asker dialled); a request proves nothing
  // about the address it claims.
  const std::optional<std::string> verified =
      dht::IsRequest(message->kind) ? std::nullopt
                                    : std::optional<std::string>(nodes_[from].address);
  node.driver->core().OnMessage(loop_.now(), nodes_[from].id, *message, verified);
  node.driver->Flush();
}

bool SimCluster::running(const NodeId& id) const {
  auto it = index_of_.find(id);
  return it != index_of_.end() && running(it->second);
}

std::vector<NodeId> SimCluster::TrueClosest(
    const Id& target, size_t n,
    const std::function<bool(const NodeId&, TimePoint)>& eligible) const {
  const auto keep = [&](const NodeId& id) {
    const Node& node = nodes_[index_of_.at(id)];
    return node.driver != nullptr && (!eligible || eligible(id, node.started_at));
  };
  std::vector<NodeId> candidates = sorted_ids_.Closest(target, n, keep);
  for (const NodeId& id : unsorted_ids_) {
    if (keep(id)) candidates.push_back(id);
  }
  return dht::ClosestNodes(target, candidates, n);
}

void SimCluster::FoldIntoTrace(ByteView event) { trace_.Event(loop_.now(), event); }

std::string SimCluster::TraceHash() const { return trace_.Hash(); }

}  // namespace lake::sim
