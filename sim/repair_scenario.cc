#include "sim/repair_scenario.h"

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "dht/placement.h"
#include "dht/repair_round.h"
#include "sim/scenario_support.h"
#include "sim/sim_cluster.h"

namespace lake::sim {
namespace {

constexpr size_t kQuietRounds = 2;
constexpr uint64_t kMaxChunksPerDataset = 20;

// What a round changed, folded into the trace hash as a tag and up to two ids.
enum class Event : uint8_t { kCrash = 'C', kJoin = 'J', kPush = 'P', kDrop = 'D' };

// The scenario's ground truth (which running node holds which chunk) and the steps that change
// it; the report's repair figures are counted as they happen.
class RepairRun {
 public:
  RepairRun(const SimConfig& config, SimCluster& cluster, SimReport& report)
      : config_(config), cluster_(cluster), report_(report) {}

  // Draws the data sets' chunks and stores each on the true R closest running nodes.
  void PlaceChunks() {
    for (size_t d = 0; d < config_.datasets; ++d) {
      const uint64_t count = 1 + cluster_.rng().Uniform(kMaxChunksPerDataset);
      for (uint64_t c = 0; c < count; ++c) {
        const ChunkId chunk = cluster_.rng().NextId();
        chunks_.push_back(chunk);
        for (const NodeId& node : cluster_.TrueClosest(chunk, config_.replication)) {
          stores_[node].insert(chunk);
        }
      }
    }
    report_.chunks = chunks_.size();
  }

  // Schedules crashes_per_round crashes in the coming interval, each at a random moment and
  // followed at once by a fresh node's start. A node that crashed just before the round is still
  // in routing tables (a stale view: HAVE queries to it fail, and its chunks go to the next
  // closest nodes); one that crashed long before has been dropped by the heartbeats.
  void ScheduleReplacements() {
    const uint64_t interval_us = static_cast<uint64_t>(config_.repair_interval.count());
    for (size_t c = 0; c < config_.crashes_per_round; ++c) {
      const Duration at(static_cast<int64_t>(cluster_.rng().Uniform(interval_us)));
      cluster_.loop().After(at, [this] { ReplaceNode(); });
    }
  }

  // One repair round on every running node; each sees the pushes and drops of the nodes that
  // finished before it. With handoff_lookups a node first looks up the chunks it would hand off
  // (those outside its own R closest, by its table), and repairs once its lookups are done.
  void RepairAll() {
    const uint64_t pushes_before = report_.pushes;
    const uint64_t drops_before = report_.drops;
    for (size_t node : cluster_.RunningNodes()) {
      auto own = stores_.find(cluster_.id(node));
      if (own == stores_.end() || own->second.empty()) continue;
      std::vector<NodeId> view = View(node);
      std::vector<ChunkId> handoffs;
      if (config_.handoff_lookups) handoffs = HandOffs(node, view, own->second);
      if (handoffs.empty()) {
        Repair(node, std::move(view));
      } else {
        LookUpThenRepair(node, std::move(view), handoffs);
      }
    }
    cluster_.loop().RunWhile([this] { return lookups_pending_ > 0; });
    report_.final_round_pushes = report_.pushes - pushes_before;
    report_.final_round_drops = report_.drops - drops_before;
  }

  // Counts lost, under-replicated and misplaced chunks against the true R closest running nodes.
  void Judge() {
    const size_t want = std::min(config_.replication, cluster_.RunningNodes().size());
    std::map<ChunkId, size_t> copies;
    for (const auto& [node, held] : stores_) {
      for (const ChunkId& chunk : held) ++copies[chunk];
    }
    for (const ChunkId& chunk : chunks_) {
      auto it = copies.find(chunk);
      const size_t n = it == copies.end() ? 0 : it->second;
      report_.chunks_lost += n == 0;
      report_.under_replicated += n < want;
    }
    std::map<ChunkId, std::vector<NodeId>> closest;
    for (const ChunkId& chunk : chunks_) {
      closest[chunk] = cluster_.TrueClosest(chunk, config_.replication);
    }
    for (const auto& [node, held] : stores_) {
      for (const ChunkId& chunk : held) {
        const std::vector<NodeId>& owners = closest.at(chunk);
        report_.misplaced += std::find(owners.begin(), owners.end(), node) == owners.end();
      }
    }
  }

 private:
  // Crashes a random node, its store with it, and starts a fresh node with an empty store.
  void ReplaceNode() {
    const std::optional<size_t> victim = CrashRandomNode(cluster_);
    if (!victim) return;  // one node left: RunScenario refuses configs that get here
    stores_.erase(cluster_.id(*victim));
    Fold(Event::kCrash, cluster_.id(*victim));
    Fold(Event::kJoin, cluster_.id(StartFreshNode(cluster_)));
    ++report_.crashed;
    ++report_.joins;
  }

  // Node `index`'s own view: itself and its routing table.
  std::vector<NodeId> View(size_t index) const {
    std::vector<NodeId> view = {cluster_.id(index)};
    for (const dht::Contact& contact : cluster_.core(index).table().All()) {
      view.push_back(contact.id);
    }
    return view;
  }

  // The chunks of `held` whose R closest nodes in `view` leave out node `index`.
  std::vector<ChunkId> HandOffs(size_t index, const std::vector<NodeId>& view,
                                const std::set<ChunkId>& held) const {
    const dht::SortedNodes sorted(view);
    std::vector<ChunkId> out;
    for (const ChunkId& chunk : held) {
      const std::vector<NodeId> closest = sorted.Closest(chunk, config_.replication);
      if (std::find(closest.begin(), closest.end(), cluster_.id(index)) == closest.end()) {
        out.push_back(chunk);
      }
    }
    return out;
  }

  // Looks up each chunk of `handoffs` from node `index` (a FIND_NODE through the DHT), adds the
  // nodes found to `view`, and repairs once every lookup is done.
  void LookUpThenRepair(size_t index, std::vector<NodeId> view,
                        const std::vector<ChunkId>& handoffs) {
    struct Pending {
      std::vector<NodeId> view;
      size_t lookups;
    };
    auto pending = std::make_shared<Pending>(Pending{std::move(view), handoffs.size()});
    ++lookups_pending_;
    for (const ChunkId& chunk : handoffs) {
      cluster_.FindNode(index, chunk,
                        [this, index, pending](const dht::DhtCore::OperationResult& r) {
                          for (const dht::Contact& contact : r.closest)
                            pending->view.push_back(contact.id);
                          if (--pending->lookups > 0) return;
                          --lookups_pending_;
                          Repair(index, std::move(pending->view));
                        });
    }
  }

  // Node `index` asks the nodes of `live` about its chunks, the asked nodes answer from their
  // true stores (a crashed one fails), and the plan is applied at once, as the chunk keeper
  // would.
  void Repair(size_t index, std::vector<NodeId> live) {
    const NodeId self = cluster_.id(index);
    auto own = stores_.find(self);
    if (own == stores_.end() || own->second.empty()) return;
    dht::RepairRound round(self, std::vector<ChunkId>(own->second.begin(), own->second.end()),
                           std::move(live), config_.replication);
    for (const auto& [peer, asked] : round.queries()) {
      ++report_.have_queries;
      if (!cluster_.running(peer)) {
        ++report_.have_failed;
        round.OnPeerFailed(peer);
        continue;
      }
      auto store = stores_.find(peer);
      std::vector<bool> have;
      have.reserve(asked.size());
      for (const ChunkId& chunk : asked) {
        have.push_back(store != stores_.end() && store->second.count(chunk) != 0);
      }
      round.OnHaveReply(peer, have);
    }
    // A push to a crashed node fails; the round then plans again without it, so the chunk goes
    // to the next closest node. Drops come from the last plan, which counts only copies
    // confirmed by a HAVE answer or an acknowledged push.
    dht::RepairPlan plan = round.Plan();
    bool any_failed = true;
    while (any_failed) {
      any_failed = false;
      for (const dht::RepairPlan::Push& push : plan.pushes) {
        ++report_.pushes;
        Fold(Event::kPush, push.chunk, push.to);
        if (cluster_.running(push.to)) {
          stores_[push.to].insert(push.chunk);
          round.OnPushed(push.chunk, push.to);
        } else {
          ++report_.pushes_failed;
          round.OnPeerFailed(push.to);
          any_failed = true;
        }
      }
      if (any_failed) plan = round.Plan();
    }
    for (const ChunkId& chunk : plan.droppable) {
      ++report_.drops;
      Fold(Event::kDrop, chunk, self);
      own->second.erase(chunk);
    }
  }

  void Fold(Event event, const Id& a, const Id& b = Id()) {
    std::array<uint8_t, 1 + 2 * Id::kBytes> bytes;
    bytes[0] = static_cast<uint8_t>(event);
    std::copy(a.bytes().begin(), a.bytes().end(), bytes.begin() + 1);
    std::copy(b.bytes().begin(), b.bytes().end(), bytes.begin() + 1 + Id::kBytes);
    cluster_.FoldIntoTrace(ByteView(bytes.data(), bytes.size()));
  }

  const SimConfig& config_;
  SimCluster& cluster_;
  SimReport& report_;
  std::vector<ChunkId> chunks_;
  std::map<NodeId, std::set<ChunkId>> stores_;  // by running node; a missing entry is empty
  size_t lookups_pending_ = 0;                  // nodes waiting for hand-off lookups
};

}  // namespace

SimReport RunRepair(const SimConfig& config) {
  SimCluster cluster(config.seed, config.dht, config.network);
  const TimePoint start = cluster.loop().now();
  JoinNodes(cluster, config.nodes);

  SimReport report;
  report.replication = config.replication;
  report.rounds = config.rounds;
  RepairRun run(config, cluster, report);
  run.PlaceChunks();
  for (size_t round = 0; round < config.rounds + kQuietRounds; ++round) {
    if (round < config.rounds) run.ScheduleReplacements();
    cluster.loop().RunUntil(cluster.loop().now() + config.repair_interval);
    run.RepairAll();
  }
  run.Judge();
  FillCommon(config, cluster, start, &report);
  return report;
}

}  // namespace lake::sim
