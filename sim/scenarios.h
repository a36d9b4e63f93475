// The simulator's scenarios, each a workload plus its invariant check:
//   lookup     N nodes join through seeds; then random lookups from random nodes, each judged
//              against the true k closest running nodes the simulator knows (under churn,
//              nodes that joined less than 10 s before the lookup began may be missed, and
//              only nodes that joined at least 10 s before issue lookups and gets).
//   churn      N nodes join and store records; then every simulated minute a fraction of the
//              nodes crash and as many new ones join, while lookups and gets run.
//   partition  N nodes join; the network splits in two for a while, then heals; lookups after
//              the heal must find the true k closest across the whole network again.
//   heartbeat  N nodes join; a few crash silently (nobody is told); every running node's
//              heartbeat must drop them from its routing table within HeartbeatBound().
//   repair     N nodes join; data sets of chunks are placed on the R closest nodes; then rounds
//              of a dht::RepairRound on every node over its own routing table, with fewer than R
//              crashes (and as many joins) at random moments between rounds; no chunk may be
//              lost, and after two quiet rounds every chunk is back on R nodes
//              (sim/repair_scenario.h).
//   query      runs of one distributed SELECT each over N nodes holding a dataset's chunks on
//              the R closest, with random faults (crashes, cut-off, slow and hostile holders,
//              lost messages); every answer must equal the embedded engine's, or fail naming
//              the chunks it could not read (sim/query_scenario.h).
// A scenario is a pure function of its config: same seed, same report (trace hash included).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "dht/dht_core.h"
#include "sim/sim_network.h"

namespace lake::sim {

struct SimConfig {
  std::string scenario = "lookup";
  size_t nodes = 1000;
  uint64_t seed = 1;
  size_t lookups = 1000;
  double churn_per_minute = 0.10;  // churn: fraction of nodes replaced each simulated minute
  size_t churn_minutes = 10;
  size_t records = 200;  // churn: records stored before the churn starts
  Duration partition_length = std::chrono::minutes(10);
  size_t crashes = 3;            // heartbeat: nodes crashed at once
  size_t datasets = 50;          // repair: data sets, each of 1 to 20 chunks
  size_t replication = 3;        // repair: R, the copies a chunk should have
  size_t rounds = 20;            // repair: rounds with crashes and joins, before two quiet ones
  size_t crashes_per_round = 1;  // repair: crashed (and as many joined) between two rounds
  // repair: between rounds. Longer than HeartbeatBound() with the default heartbeat, so only the
  // nodes that crashed since the previous round can still be in routing tables.
  Duration repair_interval = std::chrono::seconds(30);
  // repair: a node about to hand a chunk off (outside its R closest by its routing table) looks
  // the chunk's closest nodes up first. A table knows only k nodes of each far bucket, so a node
  // far from a chunk can misjudge its closest nodes and push copies that they drop, every round.
  bool handoff_lookups = false;
  size_t runs = 1000;       // query: runs, each one query over a fresh cluster
  double fault_rate = 0.3;  // query: the most a run's per-node fault probability may be
  dht::DhtOptions dht;
  NetworkOptions network;  // query: its loss is the most a run's loss may be
};

struct SimReport {
  std::string scenario;
  size_t nodes = 0;
  uint64_t seed = 0;
  size_t lookups = 0;
  size_t lookups_exact = 0;  // found exactly the true k closest
  double success_rate = 0;   // lookups_exact / lookups
  double closest_found = 0;  // mean fraction of the true k closest found
  double hops_p50 = 0;
  double hops_p99 = 0;
  size_t gets = 0;  // churn: record reads
  size_t gets_found = 0;
  // heartbeat: one removal is one running node dropping one crashed node from its table, timed
  // from the crash.
  size_t crashed = 0;           // heartbeat: at once; repair: over all rounds
  size_t removals = 0;          // holdings seen (a node that takes a crashed one back counts again)
  size_t removals_missing = 0;  // of those, still held when the scenario gave up
  double removal_p50_s = 0;
  double removal_max_s = 0;
  double removal_bound_s = 0;  // HeartbeatBound()
  bool removed_within_bound = false;
  // repair: the end state is judged against the true R closest running nodes.
  size_t chunks = 0;
  size_t replication = 0;
  size_t rounds = 0;
  size_t joins = 0;
  size_t chunks_lost = 0;       // held by no running node
  size_t under_replicated = 0;  // held by fewer than R running nodes (or all, if fewer run)
  size_t misplaced = 0;         // copies on running nodes outside the chunk's true R closest
  uint64_t have_queries = 0;    // one per node asked per round
  uint64_t have_failed = 0;     // of those, to nodes that had crashed (stale routing tables)
  uint64_t pushes = 0;          // copies sent
  uint64_t pushes_failed = 0;   // of those, to nodes that had crashed (sent on to the next)
  uint64_t drops = 0;           // copies dropped by a node outside the R closest
  // In the last round: none once the nodes agree where every chunk belongs.
  uint64_t final_round_pushes = 0;
  uint64_t final_round_drops = 0;
  // query: each run's answer judged against the embedded engine's (sim/query_judge.h).
  size_t queries = 0;
  size_t queries_exact = 0;
  size_t queries_failed_named = 0;  // Unavailable or Timeout naming a chunk
  size_t queries_wrong = 0;         // anything else
  size_t queries_retried = 0;       // runs that sent a fragment again
  uint64_t fragments_sent = 0;
  uint64_t fragments_retried = 0;
  std::vector<std::string> wrong;  // the first few wrong runs, described
  uint64_t messages = 0;           // delivered
  uint64_t bytes = 0;
  double simulated_seconds = 0;
  std::string trace_hash;
};

// The latest a crashed node may leave a running node's table, counted from the crash. The
// crashed node was last heard from at most one message transit after the crash (transits longer
// than base latency + 50 mean jitters have probability e^-50). A heartbeat sweep, one every
// heartbeat_interval, pings a contact quiet for at least an interval, so the first sweep that
// pings it comes before last heard + 2 intervals; the ping fails request_timeout later, and the
// scenario looks every 50 ms: 2 * heartbeat_interval + request_timeout + transit + 50 ms.
Duration HeartbeatBound(const SimConfig& config);

// InvalidArgument for an unknown scenario or a config it cannot run.
Result<SimReport> RunScenario(const SimConfig& config);

}  // namespace lake::sim
