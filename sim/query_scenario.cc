#include "sim/query_scenario.h"

#include <array>
#include <string>
#include <utility>

#include "common/clock.h"
#include "common/rng.h"
#include "common/task_runner.h"
#include "local/store_table_provider.h"
#include "sim/query_cluster.h"
#include "sim/query_judge.h"
#include "sim/scenario_support.h"
#include "sim/trace.h"
#include "store/byte_source.h"
#include "store/importer.h"

namespace lake::sim {
namespace {

using std::chrono::milliseconds;

// 16 chunks: the importer cuts row groups at multiples of 1,024 rows, and a small target makes
// every group one chunk.
constexpr int kRows = 16 * 1024;
constexpr size_t kTargetChunkBytes = 2048;
constexpr size_t kWrongKept = 5;  // wrong runs described in the report

// Ids ascending (so a range of them prunes chunks), 400 users, five countries, amounts spread
// over -100..899 (so a filter on them keeps rows in every chunk), a flag on one row in three.
std::string EventsCsv() {
  const char* const countries[] = {"US", "DE", "FR", "JP", "BR"};
  std::string csv = "id,user_id,country,amount,flag\n";
  for (int i = 0; i < kRows; ++i) {
    csv += std::to_string(i) + "," + std::to_string((i * 7919) % 400) + "," +
           countries[(i * 31) % 5] + "," + std::to_string((i * 37) % 1000 - 100) + "," +
           (i % 3 == 0 ? "true" : "false") + "\n";
  }
  return csv;
}

// The five countries' regions: a table of one chunk to join events with.
std::string CountriesCsv() {
  return "code,region\nUS,americas\nDE,europe\nFR,europe\nJP,asia\nBR,americas\n";
}

const char* const kQueries[] = {
    // Partial aggregates combined across holders.
    "SELECT country, COUNT(*) AS n, SUM(amount) AS total, MIN(amount) AS low, "
    "MAX(amount) AS high, AVG(amount) AS mean FROM events GROUP BY country",
    "SELECT DISTINCT country, flag FROM events",
    // Top-N cut at the leaves; the id breaks ties, so the answer is one.
    "SELECT id, user_id, amount FROM events ORDER BY amount DESC, id LIMIT 10",
    "SELECT country, COUNT(DISTINCT user_id) AS users FROM events GROUP BY country",
    // The zone maps leave two chunks of sixteen.
    "SELECT COUNT(*) AS n, SUM(amount) AS total FROM events WHERE id BETWEEN 3000 AND 4999",
    // About 2,400 rows: partial results of many 4 KiB pieces.
    "SELECT id, country, amount FROM events WHERE amount > 850",
    // Every chunk pruned: answered with no fragment at all.
    "SELECT COUNT(*) AS n FROM events WHERE id < 0",
    // Gathered: the planner fetches the chunks it lacks (from the next node when one crashed, is
    // cut off or forges them) and runs the statement whole.
    "SELECT a.country, COUNT(*) AS pairs FROM events a JOIN events b ON a.id = b.id + 1 "
    "WHERE a.amount > 800 GROUP BY a.country",
    "SELECT COUNT(*) AS n, SUM(amount) AS total FROM events "
    "WHERE user_id IN (SELECT user_id FROM events WHERE amount > 890)",
    // Broadcast: scattered over the chunks of events, each holder fetching the countries chunk
    // (when it lacks it: from the next node when one crashed, is cut off or forges it) and
    // joining and aggregating its own chunks.
    "SELECT c.region, COUNT(*) AS n, SUM(e.amount) AS total FROM events e "
    "JOIN countries c ON e.country = c.code WHERE e.amount > 0 GROUP BY c.region",
};

// The faults a node may get in a run.
enum class Fault {
  kCrashBefore,         // silently: the planner still counts on it
  kCrashBeforeNoticed,  // the planner leaves it out of the replicas
  kCrashDuring,
  kCutOff,
  kSlow,
  kHostile,
};
constexpr uint64_t kFaults = 6;

// Draws a run's faults into `cluster` (see the header); `planner` is spared.
void InjectFaults(const SimConfig& config, Rng& rng, size_t planner, QueryCluster& cluster) {
  const double fault_probability = rng.UniformDouble() * config.fault_rate;
  const Duration fragment_timeout = QueryClusterOptions::DefaultScatter().fragment_timeout;
  const uint64_t timeout_us = static_cast<uint64_t>(fragment_timeout.count());
  std::vector<size_t> cut_off;
  for (size_t node = 0; node < cluster.size(); ++node) {
    if (node == planner || !rng.Bernoulli(fault_probability)) continue;
    switch (static_cast<Fault>(rng.Uniform(kFaults))) {
      case Fault::kCrashBefore:
        cluster.Crash(node, /*noticed=*/false);
        break;
      case Fault::kCrashBeforeNoticed:
        cluster.Crash(node, /*noticed=*/true);
        break;
      case Fault::kCrashDuring: {
        const Duration at(static_cast<int64_t>(rng.Uniform(2 * timeout_us)));
        cluster.loop().After(at, [&cluster, node] { cluster.Crash(node, /*noticed=*/false); });
        break;
      }
      case Fault::kCutOff:
        cut_off.push_back(node);
        break;
      case Fault::kSlow:
        cluster.SetWorkTime(
            node, fragment_timeout + Duration(static_cast<int64_t>(rng.Uniform(timeout_us))));
        break;
      case Fault::kHostile:
        cluster.SetBehaviour(node,
                             static_cast<HolderBehaviour>(1 + rng.Uniform(kHolderBehaviours - 1)));
        break;
    }
  }
  if (cut_off.empty()) return;
  cluster.CutOff(cut_off);
  if (rng.Bernoulli(0.5)) {
    const Duration heal(static_cast<int64_t>(rng.Uniform(3 * timeout_us)));
    cluster.loop().After(heal, [&cluster] { cluster.Heal(); });
  }
}

}  // namespace

Result<std::unique_ptr<QueryWorkload>> QueryWorkload::Create() {
  std::unique_ptr<QueryWorkload> workload(new QueryWorkload());
  ManualClock clock(FromMicros(1'000'000));
  InlineTaskRunner runner;
  store::ImportOptions options;
  options.name = "events";
  options.target_chunk_bytes = kTargetChunkBytes;
  store::ImportEnv env;
  env.clock = &clock;
  env.runner = &runner;
  LAKE_RETURN_IF_ERROR(
      store::ImportCsv(workload->store_, store::MemorySource(EventsCsv()), options, env).status());
  options.name = "countries";
  LAKE_RETURN_IF_ERROR(
      store::ImportCsv(workload->store_, store::MemorySource(CountriesCsv()), options, env)
          .status());
  local::StoreTableProvider tables(workload->store_);
  LAKE_RETURN_IF_ERROR(tables.Refresh());
  sql::Engine engine(tables, &runner);
  for (const char* sql : kQueries) {
    Result<std::vector<sql::QueryResult>> answer = engine.Run(sql);
    Result<sql::QueryResult> expected = answer.ok()
                                            ? Result<sql::QueryResult>(std::move(answer->back()))
                                            : Result<sql::QueryResult>(answer.status());
    workload->queries_.push_back({sql, HasOrderBy(sql), std::move(expected)});
  }
  return workload;
}

Result<SimReport> RunQueries(const SimConfig& config) {
  LAKE_ASSIGN_OR_RETURN(std::unique_ptr<QueryWorkload> workload, QueryWorkload::Create());
  const Rng master(config.seed);
  Trace trace;
  SimReport report;
  report.replication = config.replication;
  CommonFigures figures;
  for (size_t run = 0; run < config.runs; ++run) {
    Rng rng = master.Child(run);
    QueryClusterOptions options;
    options.nodes = config.nodes;
    options.replication = config.replication;
    options.network = config.network;
    options.network.loss = rng.UniformDouble() * config.network.loss;
    if (rng.Bernoulli(0.25)) {
      // Too short for three attempts at a chunk: some runs end with chunks still pending.
      options.query_deadline = milliseconds(2500 + rng.Uniform(3000));
    }
    LAKE_ASSIGN_OR_RETURN(std::unique_ptr<QueryCluster> cluster,
                          QueryCluster::Create(workload->store(), rng.Next(), options, &trace));
    const size_t planner = rng.Uniform(cluster->size());
    const QueryWorkload::Query& query = Pick(rng, workload->queries());
    InjectFaults(config, rng, planner, *cluster);
    const QueryOutcome outcome = cluster->Query(planner, query.sql);

    const Judgement judgement =
        JudgeAnswer(query.expected, outcome.status, outcome.result, outcome.chunks, query.ordered);
    const std::array<uint8_t, 1> verdict = {static_cast<uint8_t>(judgement.verdict)};
    trace.Event(cluster->loop().now(), verdict);
    ++report.queries;
    switch (judgement.verdict) {
      case Verdict::kExact:
        ++report.queries_exact;
        break;
      case Verdict::kFailedNamed:
        ++report.queries_failed_named;
        break;
      case Verdict::kWrong:
        ++report.queries_wrong;
        if (report.wrong.size() < kWrongKept) {
          report.wrong.push_back("run " + std::to_string(run) + ": " + query.sql + ": " +
                                 judgement.why);
        }
        break;
    }
    report.queries_retried += outcome.fragments_retried > 0;
    report.fragments_sent += outcome.fragments_sent;
    report.fragments_retried += outcome.fragments_retried;
    figures.messages += cluster->messages_delivered();
    figures.bytes += cluster->bytes_delivered();
    figures.simulated += outcome.elapsed;
  }
  figures.trace_hash = trace.Hash();
  FillCommon(config, figures, &report);
  return report;
}

}  // namespace lake::sim
