// `p2plake sim`: runs a simulator scenario and prints its figures.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "cli/command.h"
#include "sim/scenarios.h"

namespace lake::cli {
namespace {

struct SimArgs {
  sim::SimConfig config;
  double loss = 0;
  double heartbeat_s = 0;  // 0: the default heartbeat interval
  bool json = false;
};

// What a run cost this process. CPU time (user + system) beside the wall time: on a shared
// machine it is the steadier figure of the two.
struct ProcessCost {
  double cpu_ms = 0;
  double peak_rss_mb = 0;
};

ProcessCost MeasureCost() {
  struct rusage usage;
  ::getrusage(RUSAGE_SELF, &usage);
  const auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  return {ms(usage.ru_utime) + ms(usage.ru_stime), usage.ru_maxrss / 1024.0};
}

int RunSim(SimArgs args) {
  args.config.network.loss = args.loss;
  if (args.heartbeat_s > 0) {
    args.config.dht.heartbeat_interval =
        std::chrono::duration_cast<Duration>(std::chrono::duration<double>(args.heartbeat_s));
  }
  const auto start = std::chrono::steady_clock::now();
  Result<sim::SimReport> report = sim::RunScenario(args.config);
  const double wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const ProcessCost cost = MeasureCost();
  if (!report.ok()) {
    std::fprintf(stderr, "p2plake sim: %s\n", report.status().message().c_str());
    return kExitFailure;
  }
  const sim::SimReport& r = *report;
  if (args.json) {
    nlohmann::json out = {{"scenario", r.scenario},
                          {"nodes", r.nodes},
                          {"seed", r.seed},
                          {"lookups", r.lookups},
                          {"success_rate", r.success_rate},
                          {"closest_found", r.closest_found},
                          {"hops_p50", r.hops_p50},
                          {"hops_p99", r.hops_p99},
                          {"messages", r.messages},
                          {"bytes", r.bytes},
                          {"simulated_s", r.simulated_seconds},
                          {"wall_ms", wall_ms},
                          {"cpu_ms", cost.cpu_ms},
                          {"peak_rss_mb", cost.peak_rss_mb},
                          {"trace_hash", r.trace_hash}};
    if (r.gets > 0) {
      out["gets"] = r.gets;
      out["get_success_rate"] = static_cast<double>(r.gets_found) / r.gets;
    }
    if (r.scenario == "heartbeat") {
      out["crashed"] = r.crashed;
      out["removals"] = r.removals;
      out["removals_missing"] = r.removals_missing;
      out["removal_p50_s"] = r.removal_p50_s;
      out["removal_max_s"] = r.removal_max_s;
      out["removal_bound_s"] = r.removal_bound_s;
      out["removed_within_bound"] = r.removed_within_bound;
    }
    if (r.scenario == "repair") {
      out["chunks"] = r.chunks;
      out["replication"] = r.replication;
      out["rounds"] = r.rounds;
      out["crashes"] = r.crashed;
      out["joins"] = r.joins;
      out["chunks_lost"] = r.chunks_lost;
      out["under_replicated"] = r.under_replicated;
      out["misplaced"] = r.misplaced;
      out["have_queries"] = r.have_queries;
      out["have_failed"] = r.have_failed;
      out["pushes"] = r.pushes;
      out["pushes_failed"] = r.pushes_failed;
      out["drops"] = r.drops;
      out["final_round_pushes"] = r.final_round_pushes;
      out["final_round_drops"] = r.final_round_drops;
      out["handoff_lookups"] = args.config.handoff_lookups;
    }
    if (r.scenario == "query") {
      out["replication"] = r.replication;
      out["queries"] = r.queries;
      out["exact"] = r.queries_exact;
      out["failed_named"] = r.queries_failed_named;
      out["wrong"] = r.queries_wrong;
      out["retried"] = r.queries_retried;
      out["fragments_sent"] = r.fragments_sent;
      out["fragments_retried"] = r.fragments_retried;
      out["wrong_runs"] = r.wrong;
    }
    std::cout << out.dump() << "\n";
    return kExitOk;
  }
  std::printf("scenario     %s, %zu nodes, seed %llu\n", r.scenario.c_str(), r.nodes,
              static_cast<unsigned long long>(r.seed));
  // The heartbeat and repair scenarios issue no lookups.
  if (r.lookups > 0) {
    std::printf(
        "lookups      %zu, %.2f%% found exactly the true k closest (%.2f%% of them on "
        "average)\n",
        r.lookups, 100 * r.success_rate, 100 * r.closest_found);
    std::printf("hops         p50 %.0f, p99 %.0f\n", r.hops_p50, r.hops_p99);
  }
  if (r.gets > 0) {
    std::printf("record gets  %zu, %.2f%% found the value\n", r.gets,
                100.0 * r.gets_found / r.gets);
  }
  if (r.scenario == "heartbeat") {
    std::printf(
        "heartbeat    %zu crashed, %zu removals (%zu missing), p50 %.2f s, max %.2f s, bound "
        "%.2f s: %s\n",
        r.crashed, r.removals, r.removals_missing, r.removal_p50_s, r.removal_max_s,
        r.removal_bound_s, r.removed_within_bound ? "within" : "NOT within");
  }
  if (r.scenario == "repair") {
    std::printf("repair       %zu chunks, R = %zu, %zu rounds: %zu crashes, %zu joins\n", r.chunks,
                r.replication, r.rounds, r.crashed, r.joins);
    std::printf("             %zu lost, %zu under-replicated, %zu copies misplaced\n",
                r.chunks_lost, r.under_replicated, r.misplaced);
    std::printf("             %llu HAVE queries (%llu to crashed nodes)\n",
                static_cast<unsigned long long>(r.have_queries),
                static_cast<unsigned long long>(r.have_failed));
    std::printf("             %llu pushes (%llu to crashed nodes), %llu drops\n",
                static_cast<unsigned long long>(r.pushes),
                static_cast<unsigned long long>(r.pushes_failed),
                static_cast<unsigned long long>(r.drops));
    std::printf("             last round: %llu pushes, %llu drops%s\n",
                static_cast<unsigned long long>(r.final_round_pushes),
                static_cast<unsigned long long>(r.final_round_drops),
                args.config.handoff_lookups ? " (hand-off lookups)" : "");
  }
  if (r.scenario == "query") {
    std::printf(
        "queries      %zu over %zu nodes, R = %zu: %zu exact, %zu failed naming chunks, "
        "%zu wrong\n",
        r.queries, r.nodes, r.replication, r.queries_exact, r.queries_failed_named,
        r.queries_wrong);
    std::printf("             %zu runs retried; %llu fragments sent, %llu of them retries\n",
                r.queries_retried, static_cast<unsigned long long>(r.fragments_sent),
                static_cast<unsigned long long>(r.fragments_retried));
    for (const std::string& wrong : r.wrong) std::printf("WRONG        %s\n", wrong.c_str());
  }
  std::printf("messages     %llu (%.1f MB), %.0f s simulated\n",
              static_cast<unsigned long long>(r.messages), r.bytes / 1e6, r.simulated_seconds);
  std::printf("wall         %.0f ms (CPU %.0f ms), peak RSS %.0f MB\n", wall_ms, cost.cpu_ms,
              cost.peak_rss_mb);
  std::printf("trace hash   %s\n", r.trace_hash.c_str());
  return kExitOk;
}

}  // namespace

CommandRunner AddSimCommand(CLI::App& app) {
  auto args = std::make_shared<SimArgs>();
  if (const char* env_seed = std::getenv("LAKE_SIM_SEED")) {
    args->config.seed = std::strtoull(env_seed, nullptr, 10);
  }
  CLI::App* cmd = app.add_subcommand(
      "sim",
      "Run the deterministic network simulator: many nodes running the real Kademlia "
      "core (or the distributed query pieces) on virtual time; the same seed always gives the "
      "same trace hash");
  cmd->add_option("--scenario", args->config.scenario,
                  "lookup, churn, partition, heartbeat, repair or query")
      ->check(CLI::IsMember({"lookup", "churn", "partition", "heartbeat", "repair", "query"}))
      ->capture_default_str();
  CLI::Option* nodes = cmd->add_option("--nodes", args->config.nodes,
                                       "Number of nodes (default: 1000; repair: 100; query: 20)")
                           ->check(CLI::Range(size_t{2}, size_t{1'000'000}));
  cmd->add_option("--seed", args->config.seed, "Seed of every random choice (or $LAKE_SIM_SEED)")
      ->capture_default_str();
  CLI::Option* lookups =
      cmd->add_option("--lookups", args->config.lookups, "Lookups to judge (default: --nodes)");
  cmd->add_option("--churn", args->config.churn_per_minute,
                  "churn: fraction of nodes replaced per simulated minute")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--minutes", args->config.churn_minutes, "churn: simulated minutes of churn")
      ->capture_default_str();
  cmd->add_option("--records", args->config.records, "churn: records stored and read back")
      ->capture_default_str();
  cmd->add_option("--crashes", args->config.crashes, "heartbeat: nodes crashed silently")
      ->capture_default_str();
  cmd->add_option("--datasets", args->config.datasets,
                  "repair: data sets stored, each of 1 to 20 chunks")
      ->capture_default_str();
  cmd->add_option("--replication", args->config.replication,
                  "repair, query: copies of each chunk (R), on the R closest nodes")
      ->check(CLI::Range(size_t{1}, size_t{1000}))
      ->capture_default_str();
  cmd->add_option("--rounds", args->config.rounds,
                  "repair: rounds of crashes, joins and repair (then two quiet rounds)")
      ->capture_default_str();
  cmd->add_option("--crashes-per-round", args->config.crashes_per_round,
                  "repair: nodes crashed (and as many joined) between two rounds; below R")
      ->capture_default_str();
  cmd->add_flag("--handoff-lookups", args->config.handoff_lookups,
                "repair: before handing a chunk off, look up its closest nodes rather than trust "
                "the routing table");
  cmd->add_option("--runs", args->config.runs,
                  "query: runs, each one SELECT over a fresh cluster with random faults")
      ->check(CLI::Range(size_t{1}, size_t{100'000'000}))
      ->capture_default_str();
  cmd->add_option("--fault-rate", args->config.fault_rate,
                  "query: the most a run's probability that a node is faulty (crashed, cut off, "
                  "slow or hostile) may be; 0: no faulty nodes")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--heartbeat-s", args->heartbeat_s,
                  "Heartbeat interval in seconds (default: the node's, 10)")
      ->check(CLI::PositiveNumber);
  CLI::Option* loss = cmd->add_option("--loss", args->loss,
                                      "Probability that a message is lost (query: the most a "
                                      "run's may be; default 0.02 there, else 0)")
                          ->check(CLI::Range(0.0, 0.5));
  cmd->add_flag("--json", args->json, "Print one JSON object");
  return [args, nodes, lookups, loss] {
    if (nodes->count() == 0 && args->config.scenario == "repair") args->config.nodes = 100;
    if (args->config.scenario == "query") {
      if (nodes->count() == 0) args->config.nodes = 20;
      if (loss->count() == 0) args->loss = 0.02;
    }
    if (lookups->count() == 0) args->config.lookups = args->config.nodes;
    return RunSim(*args);
  };
}

}  // namespace lake::cli
