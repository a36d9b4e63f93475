// The `repair` scenario: whether chunk repair keeps every chunk on R nodes while nodes come and
// go. N nodes join; `datasets` data sets of 1 to 20 chunks each are placed on the true R closest
// running nodes. Then `rounds` rounds, one every `repair_interval`: during each interval
// `crashes_per_round` (< R) random nodes crash at random moments, their stores with them, each
// replaced at once by a fresh node with an empty store, while the DHT's heartbeats and
// maintenance run; then every running node runs the production dht::RepairRound over its own
// view (itself plus its routing table, stale if a crash was recent), with HAVE answers from the
// asked node's true store (a crashed node fails), and applies its plan: a push copies the chunk
// to a running target, a drop removes the node's own copy. Two quiet rounds without crashes
// follow, and the end state is judged against the true R closest running nodes.
// Thread-safety: a run is one thread.
#pragma once

#include "sim/scenarios.h"

namespace lake::sim {

// REQUIRES: 1 <= config.replication, config.crashes_per_round < config.replication,
// config.crashes_per_round < config.nodes and a positive repair_interval (RunScenario checks
// these).
SimReport RunRepair(const SimConfig& config);

}  // namespace lake::sim
