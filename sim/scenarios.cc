#include "sim/scenarios.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <optional>
#include <set>

#include "sim/query_scenario.h"
#include "sim/repair_scenario.h"
#include "sim/scenario_support.h"
#include "sim/sim_cluster.h"

namespace lake::sim {
namespace {

constexpr Duration kLookupSpacing = std::chrono::milliseconds(2);
constexpr Duration kJoinTime = std::chrono::seconds(10);
constexpr Duration kRemovalPoll = std::chrono::milliseconds(50);

// The longest a message takes: base latency and 50 mean jitters (a longer transit has
// probability e^-50).
Duration MaxTransit(const NetworkOptions& network) {
  return network.base_latency + 50 * network.mean_jitter;
}

// A random running node that started at least kJoinTime ago, if any. Only they issue lookups and
// gets: a node knows nobody until one of its seeds answers its dial, and a lookup from it before
// then finds only itself. Drawn by rejection from the running nodes (nearly all of them have
// joined, even under churn), so a pick costs O(1) where listing the joined ones cost O(N).
std::optional<size_t> PickJoined(SimCluster& cluster) {
  constexpr int kAttempts = 64;
  const std::vector<size_t>& running = cluster.RunningNodes();
  const auto joined = [&](size_t i) {
    return cluster.started_at(i) + kJoinTime <= cluster.loop().now();
  };
  for (int attempt = 0; attempt < kAttempts && !running.empty(); ++attempt) {
    const size_t i = Pick(cluster.rng(), running);
    if (joined(i)) return i;
  }
  std::vector<size_t> all;
  std::copy_if(running.begin(), running.end(), std::back_inserter(all), joined);
  if (all.empty()) return std::nullopt;
  return Pick(cluster.rng(), all);
}

// Lookup outcomes, judged against the simulator's ground truth when each lookup finishes.
class LookupJudge {
 public:
  LookupJudge(SimCluster& cluster, size_t k) : cluster_(cluster), k_(k) {}

  // Starts a lookup of a random id from a random joined node.
  void Issue() {
    const std::optional<size_t> from = PickJoined(cluster_);
    if (!from) return;
    const Id target = cluster_.rng().NextId();
    ++outstanding_;
    const TimePoint issued = cluster_.loop().now();
    cluster_.FindNode(
        *from, target, [this, target, issued](const dht::DhtCore::OperationResult& r) {
          --outstanding_;
          // Judged against the running nodes, leaving out those still joining when the lookup began
          // (a join takes a few round trips, more under churn when it meets crashed nodes) unless
          // the lookup found them anyway. Exact: the running nodes it returned are precisely that
          // many closest ones (a node that answered and then crashed is not held against it).
          std::set<NodeId> found;
          for (const dht::Contact& c : r.closest) {
            if (cluster_.running(c.id)) found.insert(c.id);
          }
          const size_t expected = r.closest.size() < k_ ? k_ : found.size();
          const std::vector<NodeId> truth =
              cluster_.TrueClosest(target, expected, [&](const NodeId& id, TimePoint started_at) {
                return started_at + kJoinTime <= issued || found.count(id) != 0;
              });
          size_t hits = 0;
          for (const NodeId& id : truth) hits += found.count(id);
          ++lookups_;
          exact_ += hits == truth.size();
          fraction_sum_ += truth.empty() ? 1.0 : static_cast<double>(hits) / truth.size();
          hops_.push_back(r.hops);
        });
  }
  // Issues `count` lookups, one every kLookupSpacing, starting now.
  void IssueSpaced(size_t count) {
    for (size_t i = 0; i < count; ++i) {
      cluster_.loop().After(kLookupSpacing * static_cast<int64_t>(i), [this] { Issue(); });
    }
  }
  void RunUntilDone() {
    cluster_.loop().RunWhile([this] { return outstanding_ > 0 || pending_issue_(); });
  }
  void Fill(SimReport* report) {
    report->lookups = lookups_;
    report->lookups_exact = exact_;
    report->success_rate = lookups_ == 0 ? 0 : static_cast<double>(exact_) / lookups_;
    report->closest_found = lookups_ == 0 ? 0 : fraction_sum_ / lookups_;
    std::sort(hops_.begin(), hops_.end());
    auto percentile = [&](double p) {
      if (hops_.empty()) return 0.0;
      return static_cast<double>(
          hops_[std::min(hops_.size() - 1, static_cast<size_t>(p * hops_.size()))]);
    };
    report->hops_p50 = percentile(0.50);
    report->hops_p99 = percentile(0.99);
  }
  size_t outstanding() const { return outstanding_; }
  void set_pending_issue(std::function<bool()> f) { pending_issue_ = std::move(f); }

 private:
  SimCluster& cluster_;
  const size_t k_;
  size_t outstanding_ = 0;
  size_t lookups_ = 0;
  size_t exact_ = 0;
  double fraction_sum_ = 0;
  std::vector<int> hops_;
  std::function<bool()> pending_issue_ = [] { return false; };
};

SimReport RunLookup(const SimConfig& config) {
  SimCluster cluster(config.seed, config.dht, config.network);
  const TimePoint start = cluster.loop().now();
  JoinNodes(cluster, config.nodes);
  LookupJudge judge(cluster, config.dht.k);
  judge.IssueSpaced(config.lookups);
  const TimePoint last_issue =
      cluster.loop().now() + kLookupSpacing * static_cast<int64_t>(config.lookups);
  judge.set_pending_issue([&] { return cluster.loop().now() <= last_issue; });
  judge.RunUntilDone();
  SimReport report;
  judge.Fill(&report);
  FillCommon(config, cluster, start, &report);
  return report;
}

SimReport RunChurn(SimConfig config) {
  // Republish often enough that records outlive the churn of the run.
  config.dht.republish_interval = std::chrono::minutes(5);
  SimCluster cluster(config.seed, config.dht, config.network);
  const TimePoint start = cluster.loop().now();
  JoinNodes(cluster, config.nodes);

  SimReport report;
  std::vector<std::pair<Id, Bytes>> stored;
  for (size_t r = 0; r < config.records; ++r) {
    const Id key = cluster.rng().NextId();
    Bytes value(32);
    for (uint8_t& b : value) b = static_cast<uint8_t>(cluster.rng().Next());
    const size_t from = Pick(cluster.rng(), cluster.RunningNodes());
    cluster.Put(from, key, value, [](const dht::DhtCore::OperationResult&) {});
    stored.emplace_back(key, value);
  }
  cluster.loop().RunUntil(cluster.loop().now() + std::chrono::seconds(30));

  LookupJudge judge(cluster, config.dht.k);
  size_t gets_outstanding = 0;
  const size_t lookups_per_minute = std::max<size_t>(1, config.lookups / config.churn_minutes);
  const size_t gets_per_minute = std::max<size_t>(1, config.records / 2);
  const size_t replaced_per_minute =
      static_cast<size_t>(std::llround(config.churn_per_minute * config.nodes));
  for (size_t minute = 0; minute < config.churn_minutes; ++minute) {
    // Spread this minute's crashes and joins evenly over it.
    const Duration step = std::chrono::minutes(1) / std::max<size_t>(1, replaced_per_minute);
    for (size_t c = 0; c < replaced_per_minute; ++c) {
      cluster.loop().After(step * static_cast<int64_t>(c), [&cluster] {
        CrashRandomNode(cluster);
        StartFreshNode(cluster);
      });
    }
    const Duration lookup_step = std::chrono::minutes(1) / static_cast<int64_t>(lookups_per_minute);
    for (size_t l = 0; l < lookups_per_minute; ++l) {
      cluster.loop().After(lookup_step * static_cast<int64_t>(l), [&judge] { judge.Issue(); });
    }
    const Duration get_step = std::chrono::minutes(1) / static_cast<int64_t>(gets_per_minute);
    for (size_t g = 0; g < gets_per_minute; ++g) {
      cluster.loop().After(get_step * static_cast<int64_t>(g), [&] {
        const std::optional<size_t> from = PickJoined(cluster);
        if (!from) return;
        const auto& [key, value] = Pick(cluster.rng(), stored);
        ++gets_outstanding;
        cluster.Get(*from, key, [&, value](const dht::DhtCore::OperationResult& r) {
          --gets_outstanding;
          ++report.gets;
          report.gets_found += std::find(r.values.begin(), r.values.end(), value) != r.values.end();
        });
      });
    }
    cluster.loop().RunUntil(cluster.loop().now() + std::chrono::minutes(1));
  }
  cluster.loop().RunWhile([&] { return judge.outstanding() > 0 || gets_outstanding > 0; });
  judge.Fill(&report);
  FillCommon(config, cluster, start, &report);
  return report;
}

SimReport RunPartition(const SimConfig& config) {
  SimCluster cluster(config.seed, config.dht, config.network);
  const TimePoint start = cluster.loop().now();
  JoinNodes(cluster, config.nodes);
  std::vector<int> side(cluster.size());
  for (int& s : side) s = static_cast<int>(cluster.rng().Uniform(2));
  cluster.network().Partition(side);
  // Traffic during the split makes each side forget the other.
  LookupJudge during(cluster, config.dht.k);
  during.IssueSpaced(config.lookups / 4);
  cluster.loop().RunUntil(cluster.loop().now() + config.partition_length);
  cluster.network().Heal();
  // Give the overlay a few maintenance rounds to find the other side again, then judge.
  cluster.loop().RunUntil(cluster.loop().now() + 5 * config.dht.maintenance_interval);
  LookupJudge after(cluster, config.dht.k);
  after.IssueSpaced(config.lookups);
  const TimePoint last_issue =
      cluster.loop().now() + kLookupSpacing * static_cast<int64_t>(config.lookups);
  after.set_pending_issue([&] { return cluster.loop().now() <= last_issue; });
  after.RunUntilDone();
  SimReport report;
  after.Fill(&report);
  FillCommon(config, cluster, start, &report);
  return report;
}

// Crashes a few nodes once the network has settled and times, on every running node, the
// removal of each crashed node from its routing table. A node that takes a crashed one back
// (from a bucket's replacement slot) holds it again until it drops it again.
SimReport RunHeartbeat(const SimConfig& config) {
  SimCluster cluster(config.seed, config.dht, config.network);
  const TimePoint start = cluster.loop().now();
  JoinNodes(cluster, config.nodes);

  std::vector<NodeId> dead;
  while (dead.size() < config.crashes) {
    const std::optional<size_t> crashed = CrashRandomNode(cluster);
    if (!crashed) break;
    dead.push_back(cluster.id(*crashed));
  }
  const std::vector<size_t> running = cluster.RunningNodes();
  const TimePoint crashed_at = cluster.loop().now();

  SimReport report;
  report.crashed = dead.size();
  const Duration bound = HeartbeatBound(config);
  std::vector<std::set<size_t>> holders(dead.size());  // running nodes holding each dead node
  std::vector<double> removal_s;
  // A crashed node sends nothing once its last message has arrived, and a table only takes a
  // node it hears from: from then on only a node holding it, in its table or as its bucket's
  // replacement, can hold it again. So the polls after that watch those nodes alone, not every
  // table (at 100,000 nodes polling every table was three quarters of the run).
  std::vector<std::vector<size_t>> watched(dead.size(), running);
  bool narrowed = false;
  const auto may_hold = [&](size_t r, const NodeId& id) {
    const dht::RoutingTable& table = cluster.core(r).table();
    const std::optional<dht::Contact> waiting = table.Replacement(id);
    return table.Contains(id) || (waiting && waiting->id == id);
  };
  // Each poll compares the watched nodes' tables with the holders seen at the previous one.
  auto poll = [&] {
    if (!narrowed && cluster.loop().now() >= crashed_at + MaxTransit(config.network)) {
      for (size_t j = 0; j < dead.size(); ++j) {
        std::erase_if(watched[j], [&](size_t r) { return !may_hold(r, dead[j]); });
      }
      narrowed = true;
    }
    const double since_crash =
        std::chrono::duration<double>(cluster.loop().now() - crashed_at).count();
    bool any = false;
    for (size_t j = 0; j < dead.size(); ++j) {
      for (size_t r : watched[j]) {
        const bool holds = cluster.core(r).table().Contains(dead[j]);
        if (holds && holders[j].insert(r).second) ++report.removals;
        if (!holds && holders[j].erase(r) != 0) removal_s.push_back(since_crash);
      }
      any |= !holders[j].empty();
    }
    return any;
  };
  // Twice the bound: a late removal is measured rather than cut off at the bound.
  while (poll() && cluster.loop().now() < crashed_at + 2 * bound) {
    cluster.loop().RunUntil(cluster.loop().now() + kRemovalPoll);
  }
  for (const std::set<size_t>& h : holders) report.removals_missing += h.size();

  std::sort(removal_s.begin(), removal_s.end());
  if (!removal_s.empty()) {
    report.removal_p50_s = removal_s[removal_s.size() / 2];
    report.removal_max_s = removal_s.back();
  }
  report.removal_bound_s = std::chrono::duration<double>(bound).count();
  report.removed_within_bound =
      report.removals_missing == 0 && report.removal_max_s <= report.removal_bound_s;
  FillCommon(config, cluster, start, &report);
  return report;
}

}  // namespace

Duration HeartbeatBound(const SimConfig& config) {
  const Duration transit = MaxTransit(config.network);
  // A crashed node is pinged again at once after each unanswered ping, and leaves a table at the
  // max_failures-th timeout.
  return 2 * config.dht.heartbeat_interval +
         static_cast<int64_t>(config.dht.max_failures) * config.dht.request_timeout + transit +
         kRemovalPoll;
}

Result<SimReport> RunScenario(const SimConfig& config) {
  if (config.nodes < 2) return Status::InvalidArgument("a scenario needs at least 2 nodes");
  if (config.scenario == "lookup") return RunLookup(config);
  if (config.scenario == "churn") {
    if (config.churn_minutes == 0 || config.records == 0) {
      return Status::InvalidArgument("churn needs at least one minute and one record");
    }
    return RunChurn(config);
  }
  if (config.scenario == "partition") return RunPartition(config);
  if (config.scenario == "heartbeat") {
    if (config.crashes == 0 || config.crashes >= config.nodes) {
      return Status::InvalidArgument("heartbeat needs at least one crash and one node left");
    }
    return RunHeartbeat(config);
  }
  if (config.scenario == "repair") {
    if (config.replication == 0) return Status::InvalidArgument("repair needs replication >= 1");
    if (config.crashes_per_round >= config.replication) {
      return Status::InvalidArgument(
          "repair needs fewer crashes per round than copies of a chunk (replication)");
    }
    if (config.crashes_per_round >= config.nodes) {
      return Status::InvalidArgument("repair needs fewer crashes per round than nodes");
    }
    if (config.repair_interval <= Duration::zero()) {
      return Status::InvalidArgument("repair needs a positive interval between rounds");
    }
    return RunRepair(config);
  }
  if (config.scenario == "query") {
    if (config.replication == 0 || config.runs == 0) {
      return Status::InvalidArgument("query needs replication >= 1 and at least one run");
    }
    if (config.fault_rate < 0 || config.fault_rate > 1) {
      return Status::InvalidArgument("query needs a fault rate between 0 and 1");
    }
    return RunQueries(config);
  }
  return Status::InvalidArgument("unknown scenario '" + config.scenario +
                                 "' (lookup, churn, partition, heartbeat, repair, query)");
}

}  // namespace lake::sim
