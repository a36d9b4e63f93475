// The scenarios of the internet-scale runs (churn, placement and repair, heartbeat failure
// detection; lookups are in sim_test.cc) at 1,000 nodes, the size a CI run affords, with the
// workloads they run at 100,000 from the CLI: ten simulated minutes of 10% churn a minute, a
// thousand data sets at R = 3. Each case prints the command that replays it at any size.
#include <catch2/catch.hpp>

#include <string>

#include "sim/scenarios.h"

namespace lake::sim {
namespace {

SimConfig ScaleConfig(const std::string& scenario) {
  SimConfig config;
  config.scenario = scenario;
  config.nodes = 1000;
  config.seed = 1;
  return config;
}

TEST_CASE("At 1,000 nodes, ten minutes of 10% churn a minute keep every record readable",
          "[sim][scale]") {
  SimConfig config = ScaleConfig("churn");
  config.churn_per_minute = 0.10;
  config.churn_minutes = 10;
  config.records = 200;
  config.lookups = 1000;
  INFO("replay: p2plake sim --scenario churn --nodes 1000 --seed 1");
  Result<SimReport> report = RunScenario(config);
  REQUIRE(report.ok());
  CHECK(report->gets == 10 * 100);  // half the records read back each minute
  CHECK(report->gets_found == report->gets);
  CHECK(report->lookups == 1000);
  // A lookup may miss a node that joined while it ran; the rest are exact.
  CHECK(report->success_rate >= 0.95);
  CHECK(report->closest_found >= 0.99);
}

TEST_CASE("At 1,000 nodes, a thousand data sets at R = 3 lose no chunk to crashes between rounds",
          "[sim][scale]") {
  SimConfig config = ScaleConfig("repair");
  config.datasets = 1000;
  config.replication = 3;
  config.rounds = 20;
  config.crashes_per_round = 2;  // the most below R
  INFO(
      "replay: p2plake sim --scenario repair --nodes 1000 --datasets 1000 --crashes-per-round 2 "
      "--seed 1");
  Result<SimReport> report = RunScenario(config);
  REQUIRE(report.ok());
  CHECK(report->chunks >= 1000);
  CHECK(report->crashed == 40);
  CHECK(report->pushes > 0);
  CHECK(report->chunks_lost == 0);
  CHECK(report->under_replicated == 0);
  CHECK(report->misplaced * 100 <= report->chunks * config.replication);
}

TEST_CASE("At 1,000 nodes, ten nodes crashed silently leave every table within the bound",
          "[sim][scale]") {
  SimConfig config = ScaleConfig("heartbeat");
  config.crashes = 10;
  INFO("replay: p2plake sim --scenario heartbeat --nodes 1000 --crashes 10 --seed 1");
  Result<SimReport> report = RunScenario(config);
  REQUIRE(report.ok());
  CHECK(report->crashed == 10);
  CHECK(report->removals >= 10);
  CHECK(report->removals_missing == 0);
  CHECK(report->removal_max_s <= report->removal_bound_s);
  CHECK(report->removed_within_bound);
}

}  // namespace
}  // namespace lake::sim
