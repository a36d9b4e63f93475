#include "sim/scenario_support.h"

#include <algorithm>

namespace lake::sim {
namespace {

constexpr Duration kWave = std::chrono::seconds(5);
constexpr Duration kSettle = std::chrono::seconds(30);

std::vector<size_t> PickSeeds(Rng& rng, const std::vector<size_t>& running) {
  std::vector<size_t> seeds;
  for (int i = 0; i < 3 && !running.empty(); ++i) seeds.push_back(Pick(rng, running));
  return seeds;
}

}  // namespace

std::vector<size_t> PickSeeds(SimCluster& cluster) {
  return PickSeeds(cluster.rng(), cluster.RunningNodes());
}

void JoinNodes(SimCluster& cluster, size_t count) {
  size_t started = 0;
  while (started < count) {
    // Seeds come from earlier waves: a node of this wave may not have joined yet.
    const std::vector<size_t> established = cluster.RunningNodes();
    const size_t wave = std::min(count - started, std::max<size_t>(1, established.size()));
    const TimePoint begin = cluster.loop().now();
    for (size_t j = 0; j < wave; ++j) {
      const size_t index = cluster.AddNode();
      cluster.loop().At(begin + kWave * static_cast<int64_t>(j) / static_cast<int64_t>(wave),
                        [&cluster, index, seeds = PickSeeds(cluster.rng(), established)] {
                          cluster.Start(index, seeds);
                        });
    }
    started += wave;
    cluster.loop().RunUntil(begin + kWave);
  }
  cluster.loop().RunUntil(cluster.loop().now() + kSettle);
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
