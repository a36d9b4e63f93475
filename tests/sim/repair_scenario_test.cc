// The repair scenario: chunks placed on the R closest nodes survive rounds of crashes and joins
// with every node running dht::RepairRound over its own routing table; the run is a pure
// function of its seed; configs that could lose data by construction are refused.
#include "sim/repair_scenario.h"

#include <catch2/catch.hpp>

#include "sim/scenarios.h"

namespace lake::sim {
namespace {

SimConfig RepairConfig(uint64_t seed) {
  SimConfig config;
  config.scenario = "repair";
  config.nodes = 100;
  config.datasets = 50;
  config.replication = 3;
  config.rounds = 20;
  config.crashes_per_round = 1;
  config.seed = seed;
  return config;
}

TEST_CASE("Repair over 100 nodes loses no chunk and restores R copies on the R closest",
          "[sim][repair]") {
  const SimConfig config = RepairConfig(1);
  INFO("replay: p2plake sim --scenario repair --nodes 100 --datasets 50 --seed 1");
  Result<SimReport> report = RunScenario(config);
  REQUIRE(report.ok());
  CHECK(report->scenario == "repair");
  CHECK(report->replication == 3);
  CHECK(report->rounds == 20);
  CHECK(report->chunks >= 50);    // at least one chunk a data set
  CHECK(report->chunks <= 1000);  // at most 20
  CHECK(report->crashed == 20);
  CHECK(report->joins == 20);
  // Crashes cost copies and joins move the closest nodes: both kinds of work were done.
  CHECK(report->pushes > 0);
  CHECK(report->drops > 0);
  CHECK(report->have_queries > 0);
  CHECK(report->chunks_lost == 0);
  CHECK(report->under_replicated == 0);
  // A node far from a chunk knows only k nodes of its far buckets and may keep a surplus copy
  // (see the hand-off lookup case below); a handful at most.
  CHECK(report->misplaced * 100 <= report->chunks * config.replication);
  CHECK(report->messages > 0);

  Result<SimReport> again = RunScenario(config);
  REQUIRE(again.ok());
  CHECK(again->trace_hash == report->trace_hash);
  CHECK(again->chunks == report->chunks);
  CHECK(again->pushes == report->pushes);
  CHECK(again->drops == report->drops);
  CHECK(again->messages == report->messages);

  Result<SimReport> other = RunScenario(RepairConfig(2));
  REQUIRE(other.ok());
  CHECK(other->trace_hash != report->trace_hash);
  CHECK(other->chunks_lost == 0);
  CHECK(other->under_replicated == 0);
}

TEST_CASE("Five nodes with R = 3 lose nothing when two crash one after another", "[sim][repair]") {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    SimConfig config = RepairConfig(seed);
    config.nodes = 5;
    config.datasets = 10;
    config.rounds = 2;
    INFO("replay: p2plake sim --scenario repair --nodes 5 --datasets 10 --rounds 2 --seed "
         << seed);
    Result<SimReport> report = RunScenario(config);
    REQUIRE(report.ok());
    CHECK(report->crashed == 2);
    CHECK(report->joins == 2);
    // Each node holds about 3/5 of the chunks: every crash costs copies that must be pushed.
    CHECK(report->pushes > 0);
    CHECK(report->chunks_lost == 0);
    CHECK(report->under_replicated == 0);
  }
}

TEST_CASE("Ten nodes with R = 3 and two crashes a round lose nothing", "[sim][repair]") {
  // Crashes just before a round leave their nodes in the routing tables: repair must not count
  // on them (their chunks go to the next closest nodes), or a chunk is down to one copy when
  // the next interval's crashes come.
  SimConfig config = RepairConfig(1);
  config.nodes = 10;
  config.crashes_per_round = 2;
  INFO("replay: p2plake sim --scenario repair --nodes 10 --crashes-per-round 2 --seed 1");
  Result<SimReport> report = RunScenario(config);
  REQUIRE(report.ok());
  CHECK(report->crashed == 40);
  CHECK(report->have_failed > 0);  // some views were stale
  CHECK(report->chunks_lost == 0);
  CHECK(report->under_replicated == 0);
  CHECK(report->misplaced * 100 <= report->chunks * config.replication);
}

TEST_CASE("With hand-off lookups the nodes agree where every chunk belongs", "[sim][repair]") {
  // Without the lookups this run ends with copies pushed to nodes outside the R closest and
  // dropped by them again every round (p2plake sim --scenario repair --crashes-per-round 2
  // --seed 4 reports them as misplaced and in the last round's pushes and drops).
  SimConfig config = RepairConfig(4);
  config.crashes_per_round = 2;
  config.handoff_lookups = true;
  INFO("replay: p2plake sim --scenario repair --crashes-per-round 2 --seed 4 --handoff-lookups");
  Result<SimReport> report = RunScenario(config);
  REQUIRE(report.ok());
  CHECK(report->crashed == 40);
  CHECK(report->chunks_lost == 0);
  CHECK(report->under_replicated == 0);
  CHECK(report->misplaced == 0);
  CHECK(report->final_round_pushes == 0);
  CHECK(report->final_round_drops == 0);
}

TEST_CASE("The repair scenario refuses configs that could lose chunks by construction",
          "[sim][repair]") {
  SimConfig config = RepairConfig(1);
  config.crashes_per_round = 3;  // as many as the copies: every copy of a chunk may go at once
  Result<SimReport> report = RunScenario(config);
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().IsInvalidArgument());
  config.crashes_per_round = 4;
  CHECK(RunScenario(config).status().IsInvalidArgument());

  config.replication = 0;
  config.crashes_per_round = 0;
  CHECK(RunScenario(config).status().IsInvalidArgument());

  config.nodes = 2;
  config.replication = 5;
  config.crashes_per_round = 2;  // below R, but every node
  CHECK(RunScenario(config).status().IsInvalidArgument());
}

}  // namespace
}  // namespace lake::sim
