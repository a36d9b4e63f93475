#include "sim/scenario_support.h"

namespace lake::sim {
namespace {

constexpr Duration kJoinSpacing = std::chrono::milliseconds(50);
constexpr Duration kSettle = std::chrono::minutes(2);

}  // namespace

std::vector<size_t> PickSeeds(SimCluster& cluster) {
  const std::vector<size_t> running = cluster.RunningNodes();
  std::vector<size_t> seeds;
  for (int i = 0; i < 3 && !running.empty(); ++i) seeds.push_back(Pick(cluster.rng(), running));
  return seeds;
}

void JoinNodes(SimCluster& cluster, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const size_t index = cluster.AddNode();
    cluster.loop().After(kJoinSpacing * static_cast<int64_t>(i),
                         [&cluster, index] { cluster.Start(index, PickSeeds(cluster)); });
  }
  cluster.loop().RunUntil(cluster.loop().now() + kJoinSpacing * static_cast<int64_t>(count) +
                          kSettle);
}

size_t StartFreshNode(SimCluster& cluster) {
  const size_t fresh = cluster.AddNode();
  cluster.Start(fresh, PickSeeds(cluster));
  return fresh;
}

std::optional<size_t> CrashRandomNode(SimCluster& cluster) {
  const std::vector<size_t> running = cluster.RunningNodes();
  if (running.size() <= 1) return std::nullopt;
  const size_t victim = Pick(cluster.rng(), running);
  cluster.Crash(victim);
  return victim;
}

void FillCommon(const SimConfig& config, const CommonFigures& figures, SimReport* report) {
  report->scenario = config.scenario;
  report->nodes = config.nodes;
  report->seed = config.seed;
  report->messages = figures.messages;
  report->bytes = figures.bytes;
  report->simulated_seconds = std::chrono::duration<double>(figures.simulated).count();
  report->trace_hash = figures.trace_hash;
}

void FillCommon(const SimConfig& config, SimCluster& cluster, TimePoint start, SimReport* report) {
  FillCommon(config,
             {cluster.messages_delivered(), cluster.bytes_delivered(), cluster.loop().now() - start,
              cluster.TraceHash()},
             report);
}

}  // namespace lake::sim
