// The simulator: the event loop's total order, the network's loss and partitions, and the
// scenarios' invariants (exact lookups, reads after churn, healing after a partition) and
// determinism (same seed, same trace hash).
#include "sim/scenarios.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/event_loop.h"
#include "sim/sim_network.h"

namespace lake::sim {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = FromMicros(1'767'225'600'000'000);

TEST_CASE("EventLoop runs events in time order, ties in scheduling order", "[sim][event_loop]") {
  EventLoop loop(kT0);
  std::vector<std::string> order;
  std::vector<TimePoint> times;
  auto record = [&](std::string name) {
    return [&, name] {
      order.push_back(name);
      times.push_back(loop.now());
    };
  };
  loop.At(kT0 + 30s, record("c"));
  loop.At(kT0 + 10s, record("a1"));
  loop.At(kT0 + 20s, record("b"));
  loop.At(kT0 + 10s, record("a2"));
  loop.After(10s, record("a3"));
  CHECK(loop.pending() == 5);
  loop.RunWhile([] { return true; });
  CHECK(order == std::vector<std::string>{"a1", "a2", "a3", "b", "c"});
  // Time jumps straight to each event.
  CHECK(times == std::vector<TimePoint>{kT0 + 10s, kT0 + 10s, kT0 + 10s, kT0 + 20s, kT0 + 30s});
  CHECK(loop.now() == kT0 + 30s);
  CHECK(loop.events_run() == 5);
  CHECK(loop.pending() == 0);
}

TEST_CASE("EventLoop orders events scheduled from inside events", "[sim][event_loop]") {
  EventLoop loop(kT0);
  std::vector<std::string> order;
  loop.At(kT0 + 1s, [&] {
    order.push_back("first");
    // Same time as an event already queued: runs after it.
    loop.At(kT0 + 2s, [&] { order.push_back("late tie"); });
    // In the past: runs at the current time, after everything already due now.
    loop.At(kT0, [&] { order.push_back("past"); });
  });
  loop.At(kT0 + 1s, [&] { order.push_back("second"); });
  loop.At(kT0 + 2s, [&] { order.push_back("early tie"); });
  loop.RunWhile([] { return true; });
  CHECK(order == std::vector<std::string>{"first", "second", "past", "early tie", "late tie"});
}

TEST_CASE("EventLoop RunUntil stops at the deadline and sets the time", "[sim][event_loop]") {
  EventLoop loop(kT0);
  int ran = 0;
  loop.At(kT0 + 5s, [&] { ++ran; });
  loop.At(kT0 + 10s, [&] { ++ran; });
  loop.At(kT0 + 11s, [&] { ++ran; });
  loop.RunUntil(kT0 + 10s);  // inclusive
  CHECK(ran == 2);
  CHECK(loop.now() == kT0 + 10s);
  CHECK(loop.pending() == 1);
  loop.RunUntil(kT0 + 10min);
  CHECK(ran == 3);
  CHECK(loop.now() == kT0 + 10min);
  // Running until an earlier time does not move the clock back.
  loop.RunUntil(kT0);
  CHECK(loop.now() == kT0 + 10min);
}

TEST_CASE("EventLoop RunWhile checks its condition before each event", "[sim][event_loop]") {
  EventLoop loop(kT0);
  int ran = 0;
  for (int i = 0; i < 10; ++i) loop.After(std::chrono::seconds(i), [&] { ++ran; });
  loop.RunWhile([&] { return ran < 4; });
  CHECK(ran == 4);
  CHECK(loop.pending() == 6);
  CHECK(loop.now() == kT0 + 3s);
}

TEST_CASE("SimNetwork with no loss delivers every message after at least the base latency",
          "[sim][network]") {
  NetworkOptions options;
  options.loss = 0.0;
  SimNetwork network(options, Rng(1));
  for (int i = 0; i < 10000; ++i) {
    const std::optional<Duration> transit = network.Transit(i % 7, (i + 1) % 7);
    REQUIRE(transit.has_value());
    CHECK(*transit >= options.base_latency);
  }
  CHECK(network.lost() == 0);
}

TEST_CASE("SimNetwork with loss 1 loses every message", "[sim][network]") {
  NetworkOptions options;
  options.loss = 1.0;
  SimNetwork network(options, Rng(2));
  for (int i = 0; i < 10000; ++i) CHECK_FALSE(network.Transit(i % 5, (i + 2) % 5).has_value());
  CHECK(network.lost() == 10000);
}

TEST_CASE("SimNetwork loses a fraction of messages close to its loss rate", "[sim][network]") {
  NetworkOptions options;
  options.loss = 0.25;
  SimNetwork network(options, Rng(3));
  int lost = 0;
  for (int i = 0; i < 20000; ++i) lost += !network.Transit(0, 1).has_value();
  CHECK(lost > 4500);
  CHECK(lost < 5500);
  CHECK(network.lost() == static_cast<uint64_t>(lost));
}

TEST_CASE("A partition drops only messages between its sides until healed", "[sim][network]") {
  SimNetwork network(NetworkOptions(), Rng(4));
  const std::vector<int> side = {0, 0, 1, 1, 0, 1};
  network.Partition(side);
  CHECK(network.partitioned());
  for (size_t from = 0; from < side.size(); ++from) {
    for (size_t to = 0; to < side.size(); ++to) {
      INFO(from << " -> " << to);
      CHECK(network.Transit(from, to).has_value() == (side[from] == side[to]));
    }
  }
  CHECK(network.lost() == 18);  // 3 x 3 pairs each way
  network.Heal();
  CHECK_FALSE(network.partitioned());
  for (size_t from = 0; from < side.size(); ++from) {
    for (size_t to = 0; to < side.size(); ++to) CHECK(network.Transit(from, to).has_value());
  }
  CHECK(network.lost() == 18);
}

TEST_CASE("SimNetwork draws the same latencies from the same seed", "[sim][network]") {
  SimNetwork a(NetworkOptions(), Rng(5));
  SimNetwork b(NetworkOptions(), Rng(5));
  SimNetwork c(NetworkOptions(), Rng(6));
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const std::optional<Duration> x = a.Transit(0, 1);
    CHECK(x == b.Transit(0, 1));
    differs |= x != c.Transit(0, 1);
  }
  CHECK(differs);
}

TEST_CASE("Messages on one stream arrive in the order sent, other links overtake them",
          "[sim][network]") {
  SimNetwork network(NetworkOptions(), Rng(7));
  TimePoint last = kT0;
  bool overtaken = false;  // a plain transit shorter than the stream's wait
  for (int i = 0; i < 1000; ++i) {
    const TimePoint sent = kT0 + std::chrono::milliseconds(i);
    const std::optional<TimePoint> arrival = network.StreamArrival(0, 1, sent);
    REQUIRE(arrival.has_value());
    CHECK(*arrival >= last);
    CHECK(*arrival >= sent + NetworkOptions().base_latency);
    last = *arrival;
    const std::optional<TimePoint> other = network.StreamArrival(1, 0, sent);
    REQUIRE(other.has_value());
    overtaken |= *other < *arrival;
  }
  CHECK(overtaken);
}

SimConfig LookupConfig(uint64_t seed) {
  SimConfig config;
  config.scenario = "lookup";
  config.nodes = 300;
  config.lookups = 300;
  config.seed = seed;
  return config;
}

TEST_CASE("Every lookup over 300 nodes finds the true k closest in a few hops", "[sim][scenario]") {
  Result<SimReport> report = RunScenario(LookupConfig(7));
  REQUIRE(report.ok());
  CHECK(report->scenario == "lookup");
  CHECK(report->nodes == 300);
  CHECK(report->lookups == 300);
  CHECK(report->lookups_exact == 300);
  CHECK(report->success_rate == 1.0);
  CHECK(report->closest_found == 1.0);
  CHECK(report->hops_p50 >= 1);
  CHECK(report->hops_p50 <= 3);
  CHECK(report->messages > 0);
  CHECK(report->simulated_seconds > 0);
  CHECK(report->trace_hash.size() > 0);
}

TEST_CASE("Every lookup over 1,000 nodes matches the brute-force k closest", "[sim][scenario]") {
  SimConfig config = LookupConfig(11);
  config.nodes = 1000;
  config.lookups = 1000;
  INFO("replay: p2plake sim --scenario lookup --nodes 1000 --lookups 1000 --seed 11");
  Result<SimReport> report = RunScenario(config);
  REQUIRE(report.ok());
  CHECK(report->lookups == 1000);
  CHECK(report->lookups_exact == 1000);
  CHECK(report->hops_p50 <= 3);
}

TEST_CASE("A scenario run twice with one seed gives the same report", "[sim][scenario]") {
  Result<SimReport> a = RunScenario(LookupConfig(7));
  Result<SimReport> b = RunScenario(LookupConfig(7));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->trace_hash == b->trace_hash);
  CHECK(a->lookups == b->lookups);
  CHECK(a->lookups_exact == b->lookups_exact);
  CHECK(a->success_rate == b->success_rate);
  CHECK(a->closest_found == b->closest_found);
  CHECK(a->hops_p50 == b->hops_p50);
  CHECK(a->hops_p99 == b->hops_p99);
  CHECK(a->messages == b->messages);
  CHECK(a->bytes == b->bytes);
  CHECK(a->simulated_seconds == b->simulated_seconds);

  Result<SimReport> other = RunScenario(LookupConfig(8));
  REQUIRE(other.ok());
  CHECK(other->trace_hash != a->trace_hash);
}

TEST_CASE("Lookups find the true k closest again after a partition heals", "[sim][scenario]") {
  SimConfig config;
  config.scenario = "partition";
  config.nodes = 300;
  config.lookups = 200;
  config.seed = 3;
  config.partition_length = 5min;
  Result<SimReport> report = RunScenario(config);
  REQUIRE(report.ok());
  CHECK(report->lookups == 200);
  CHECK(report->success_rate == 1.0);
}

TEST_CASE("Under 10% churn a minute every record stays readable", "[sim][scenario]") {
  SimConfig config;
  config.scenario = "churn";
  config.nodes = 300;
  config.seed = 5;
  config.churn_per_minute = 0.10;
  config.churn_minutes = 5;
  config.records = 50;
  config.lookups = 150;
  Result<SimReport> report = RunScenario(config);
  REQUIRE(report.ok());
  CHECK(report->gets > 0);
  CHECK(report->gets_found == report->gets);
  CHECK(report->lookups > 0);
  CHECK(report->success_rate >= 0.95);
}

SimConfig HeartbeatConfig(uint64_t seed) {
  SimConfig config;
  config.scenario = "heartbeat";
  config.nodes = 300;
  config.crashes = 3;
  config.seed = seed;
  return config;
}

TEST_CASE("Nodes crashed silently leave every routing table within the heartbeat bound",
          "[sim][scenario]") {
  const SimConfig config = HeartbeatConfig(9);
  INFO("replay: p2plake sim --scenario heartbeat --nodes 300 --crashes 3 --seed 9");
  Result<SimReport> report = RunScenario(config);
  REQUIRE(report.ok());
  CHECK(report->crashed == 3);
  CHECK(report->removals >= 3);  // each crashed node was in someone's table
  CHECK(report->removals_missing == 0);
  // Nobody is told of a crash: a removal takes at least a ping's timeout after a sweep.
  CHECK(report->removal_p50_s >= 2.0);
  CHECK(report->removal_max_s <= report->removal_bound_s);
  CHECK(report->removed_within_bound);
  // 2 heartbeat intervals + max_failures request timeouts + transit allowance + poll.
  CHECK(report->removal_bound_s == Approx(2 * 10 + 3 * 2 + (0.005 + 50 * 0.020) + 0.05));

  Result<SimReport> again = RunScenario(config);
  REQUIRE(again.ok());
  CHECK(again->trace_hash == report->trace_hash);
  CHECK(again->removal_max_s == report->removal_max_s);
  Result<SimReport> other = RunScenario(HeartbeatConfig(10));
  REQUIRE(other.ok());
  CHECK(other->trace_hash != report->trace_hash);
}

TEST_CASE("A shorter heartbeat interval removes crashed nodes sooner", "[sim][scenario]") {
  SimConfig config = HeartbeatConfig(9);
  config.dht.heartbeat_interval = 3s;
  Result<SimReport> report = RunScenario(config);
  REQUIRE(report.ok());
  CHECK(report->removed_within_bound);
  CHECK(report->removal_bound_s == Approx(2 * 3 + 3 * 2 + (0.005 + 50 * 0.020) + 0.05));
  CHECK(report->removal_max_s <= 2 * 3 + 3 * 2 + 1.055);
}

TEST_CASE("Scenario invariants hold over a sweep of seeds", "[.][sim-sweep]") {
  std::vector<uint64_t> failing;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SimConfig lookup = LookupConfig(seed);
    Result<SimReport> l = RunScenario(lookup);
    SimConfig churn;
    churn.scenario = "churn";
    churn.nodes = 300;
    churn.seed = seed;
    churn.churn_minutes = 5;
    churn.records = 50;
    churn.lookups = 150;
    Result<SimReport> c = RunScenario(churn);
    SimConfig partition = lookup;
    partition.scenario = "partition";
    partition.lookups = 200;
    partition.partition_length = 5min;
    Result<SimReport> p = RunScenario(partition);
    const bool ok = l.ok() && c.ok() && p.ok() && l->success_rate == 1.0 && l->hops_p50 <= 3 &&
                    c->gets_found == c->gets && c->success_rate >= 0.95 && p->success_rate == 1.0;
    if (!ok) {
      failing.push_back(seed);
      WARN("seed " << seed << ": lookup " << (l.ok() ? l->success_rate : -1) << ", churn gets "
                   << (c.ok() ? c->gets_found : 0) << "/" << (c.ok() ? c->gets : 0) << " lookups "
                   << (c.ok() ? c->success_rate : -1) << ", partition "
                   << (p.ok() ? p->success_rate : -1) << "; replay: p2plake sim --seed " << seed);
    }
  }
  CHECK(failing.empty());
}

TEST_CASE("RunScenario rejects an unknown scenario and impossible configs", "[sim][scenario]") {
  SimConfig config;
  config.nodes = 10;
  config.scenario = "stampede";
  Result<SimReport> unknown = RunScenario(config);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().IsInvalidArgument());

  config.scenario = "lookup";
  config.nodes = 1;
  CHECK(RunScenario(config).status().IsInvalidArgument());

  config.scenario = "churn";
  config.nodes = 10;
  config.records = 0;
  CHECK(RunScenario(config).status().IsInvalidArgument());

  config.scenario = "heartbeat";
  config.crashes = 0;
  CHECK(RunScenario(config).status().IsInvalidArgument());
  config.crashes = 10;
  CHECK(RunScenario(config).status().IsInvalidArgument());
}

}  // namespace
}  // namespace lake::sim
