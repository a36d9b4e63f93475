// SimCluster: many nodes running the production DhtCore over a SimNetwork, on one EventLoop,
// each driven by the production CoreDriver (so seed dials, heartbeats and timers run as in the
// real node; a seed dial is answered after a round trip if the seed is running).
// Each node's randomness is a child of the master seed (adding nodes never reshuffles the
// others), every message really goes through the wire encoding (EncodeMessage/DecodeMessage),
// and every delivered message is folded into a trace hash (as are the events a scenario adds
// with FoldIntoTrace): the same seed gives the same hash.
// Crash and restart keep a node's identity and address; a restarted node starts with an empty
// table and bootstraps again.
// Thread-safety: not thread-safe; the simulation is one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "common/rng.h"
#include "dht/core_driver.h"
#include "dht/dht_core.h"
#include "dht/placement.h"
#include "sim/event_loop.h"
#include "sim/sim_network.h"
#include "sim/trace.h"

namespace lake::sim {

class SimCluster {
 public:
  using OperationDone = std::function<void(const dht::DhtCore::OperationResult&)>;

  SimCluster(uint64_t seed, const dht::DhtOptions& dht_options,
             const NetworkOptions& network_options);

  // Creates a node (not running yet) and returns its index.
  size_t AddNode();
  // Starts (or restarts) node `i`, joining through the running nodes in `seeds` (dialled by
  // address, as the real node does).
  void Start(size_t i, const std::vector<size_t>& seeds);
  // Stops node `i` at once and silently (nobody is told): messages to it are lost, its timers
  // never fire.
  void Crash(size_t i);

  void FindNode(size_t i, const Id& target, OperationDone done);
  void Get(size_t i, const Id& key, OperationDone done);
  void Put(size_t i, const Id& key, const Bytes& value, OperationDone done);

  size_t size() const { return nodes_.size(); }
  bool running(size_t i) const { return nodes_[i].driver != nullptr; }
  bool running(const NodeId& id) const;
  const NodeId& id(size_t i) const { return nodes_[i].id; }
  TimePoint started_at(size_t i) const { return nodes_[i].started_at; }
  // REQUIRES: running(i).
  const dht::DhtCore& core(size_t i) const { return nodes_[i].driver->core(); }
  // The running nodes, in no particular order (a crash moves the last one into the gap), so that
  // picking one at random costs O(1) at any size.
  const std::vector<size_t>& RunningNodes() const { return running_; }
  // The `n` running nodes closest to `target` (among those `eligible`, if given): the ground
  // truth lookups are judged against.
  std::vector<NodeId> TrueClosest(
      const Id& target, size_t n,
      const std::function<bool(const NodeId&, TimePoint started_at)>& eligible = nullptr) const;

  EventLoop& loop() { return loop_; }
  SimNetwork& network() { return network_; }
  Rng& rng() { return scenario_rng_; }  // for the scenario's own random choices

  uint64_t messages_delivered() const { return messages_delivered_; }
  uint64_t bytes_delivered() const { return bytes_delivered_; }
  // Folds an event of the scenario's own (one that is no message, e.g. a chunk copied by a
  // repair round) into the trace hash, with the current time.
  void FoldIntoTrace(ByteView event);
  // Hash of every delivery (time, sender, receiver, bytes) and folded event so far, as hex.
  std::string TraceHash() const;

 private:
  struct Node {
    NodeId id;
    std::string address;
    Rng rng{0};
    uint64_t generation = 0;  // bumped by Crash: stale timers and deliveries are ignored
    TimePoint started_at{};
    std::unique_ptr<dht::CoreDriver> driver;  // owns the core; null while not running
    size_t running_slot = 0;                  // its place in running_, while running
  };
  // A message on the wire. The event that delivers it names its slot: a closure small enough
  // for std::function to hold without allocating, where one holding the bytes allocated.
  struct InFlight {
    size_t from = 0;
    size_t to = 0;
    uint64_t to_generation = 0;
    Bytes bytes;
  };

  // Node `i`'s links to the network and the loop, for its life `generation`.
  dht::CoreDriver::Callbacks DriverCallbacks(size_t i, uint64_t generation);
  void Deliver(uint32_t slot);
  size_t IndexOf(const std::string& address) const;
  void Track(size_t i, dht::DhtCore::OperationId op, OperationDone done);

  const dht::DhtOptions dht_options_;
  Rng master_;
  Rng scenario_rng_;
  EventLoop loop_;
  SimNetwork network_;
  std::vector<Node> nodes_;
  std::vector<size_t> running_;
  std::vector<InFlight> in_flight_;   // by slot
  std::vector<uint32_t> free_slots_;  // of in_flight_
  std::unordered_map<NodeId, size_t> index_of_;
  // Every id added, for TrueClosest: most of them sorted, the newest in a short unsorted tail
  // (merged in once it holds a sixteenth as many), so a question costs O(log n) at any size.
  dht::SortedNodes sorted_ids_{{}};
  std::vector<NodeId> unsorted_ids_;
  Trace trace_;
  uint64_t messages_delivered_ = 0;
  uint64_t bytes_delivered_ = 0;
};

}  // namespace lake::sim
