// Building blocks the scenarios share: picking random nodes, growing a network through seeds,
// crashing and replacing nodes, and the figures every report carries. Every random choice
// comes from the cluster's scenario Rng, so a scenario stays a pure function of its seed.
// Thread-safety: as SimCluster (one thread).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/rng.h"
#include "sim/scenarios.h"
#include "sim/sim_cluster.h"

namespace lake::sim {

// REQUIRES: !items.empty().
template <class T>
const T& Pick(Rng& rng, const std::vector<T>& items) {
  return items[rng.Uniform(items.size())];
}

// Up to three running nodes to bootstrap through.
std::vector<size_t> PickSeeds(SimCluster& cluster);

// Starts `count` new nodes in waves 5 s apart, each wave as many nodes as already run (so the
// network doubles, in log2(count) waves) spread over its 5 s, each through seeds among the nodes
// of earlier waves; then runs the loop 30 s more, so the tables settle. One node at a
// time made the simulated time, and the heartbeats of everyone already running, grow with the
// count: the traffic of a join phase grew as its square.
void JoinNodes(SimCluster& cluster, size_t count);

// Adds a node and starts it now through seeds among the running ones; returns its index.
size_t StartFreshNode(SimCluster& cluster);

// Crashes a random running node, unless none or only one is running; returns its index.
std::optional<size_t> CrashRandomNode(SimCluster& cluster);

// The figures every report carries: the config's name, size and seed, the messages and bytes
// delivered, the simulated time and the trace hash.
struct CommonFigures {
  uint64_t messages = 0;
  uint64_t bytes = 0;
  Duration simulated{};
  std::string trace_hash;
};
void FillCommon(const SimConfig& config, const CommonFigures& figures, SimReport* report);
// The same for a scenario on one cluster, simulated since `start`.
void FillCommon(const SimConfig& config, SimCluster& cluster, TimePoint start, SimReport* report);

}  // namespace lake::sim
