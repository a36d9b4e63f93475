// Distributed SQL in the simulator under faults: 1,000 seeded runs of the query scenario give
// the embedded engine's answer or an error naming the chunks not read, never another answer;
// the runs are a pure function of their seed; hostile holders (garbage, truncated, out of
// sequence, an extra column, oversized, skipping chunks) are refused and their chunks read
// elsewhere; and the judge itself tells a wrong answer from a right one.
#include "sim/query_scenario.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "local/store_table_provider.h"
#include "sim/hostile_holder.h"
#include "sim/query_cluster.h"
#include "sim/query_judge.h"
#include "sim/trace.h"
#include "sql/binder.h"
#include "sql/fragment_codec.h"
#include "sql/parser.h"
#include "sql/table_references.h"
#include "store/catalog.h"

namespace lake::sim {
namespace {

SimConfig QueryConfig(uint64_t seed, size_t runs) {
  SimConfig config;
  config.scenario = "query";
  config.nodes = 20;
  config.replication = 3;
  config.runs = runs;
  config.fault_rate = 0.3;
  config.network.loss = 0.02;
  config.seed = seed;
  return config;
}

std::unique_ptr<QueryWorkload> Workload() {
  Result<std::unique_ptr<QueryWorkload>> workload = QueryWorkload::Create();
  REQUIRE(workload.ok());
  for (const QueryWorkload::Query& q : (*workload)->queries()) REQUIRE(q.expected.ok());
  return std::move(workload).value();
}

TEST_CASE("1,000 runs with faults give the exact answer or name the chunks missing, never another",
          "[sim][query]") {
  INFO("replay: p2plake sim --scenario query --nodes 20 --seed 1 --runs 1000");
  const auto start = std::chrono::steady_clock::now();
  Result<SimReport> report = RunScenario(QueryConfig(1, 1000));
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(report.ok());
  for (const std::string& wrong : report->wrong) std::cout << "wrong: " << wrong << "\n";
  std::cout << "query scenario: " << report->queries << " runs, " << report->queries_exact
            << " exact, " << report->queries_failed_named << " failed naming chunks, "
            << report->queries_wrong << " wrong, " << report->queries_retried << " retried, in "
            << wall_s << " s\n";
  CHECK(report->queries == 1000);
  CHECK(report->queries_wrong == 0);
  CHECK(report->queries_exact + report->queries_failed_named == report->queries);
  // The faults bite: some runs lose every replica of a chunk or run out of time, and many
  // more are saved by sending fragments again.
  CHECK(report->queries_exact > 500);
  CHECK(report->queries_failed_named > 0);
  CHECK(report->queries_retried > 100);
  CHECK(report->fragments_retried > 0);
  CHECK(report->messages > 0);
}

TEST_CASE("A query run replays from its seed: the same seed gives the same trace hash",
          "[sim][query]") {
  Result<SimReport> first = RunScenario(QueryConfig(5, 100));
  Result<SimReport> second = RunScenario(QueryConfig(5, 100));
  Result<SimReport> other = RunScenario(QueryConfig(6, 100));
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  REQUIRE(other.ok());
  CHECK(first->trace_hash == second->trace_hash);
  CHECK(first->messages == second->messages);
  CHECK(first->bytes == second->bytes);
  CHECK(first->queries_exact == second->queries_exact);
  CHECK(first->fragments_retried == second->fragments_retried);
  CHECK(first->simulated_seconds == second->simulated_seconds);
  CHECK(other->trace_hash != first->trace_hash);
}

TEST_CASE("The query scenario refuses configs it cannot run", "[sim][query]") {
  SimConfig no_runs = QueryConfig(1, 0);
  CHECK(RunScenario(no_runs).status().IsInvalidArgument());
  SimConfig no_copies = QueryConfig(1, 10);
  no_copies.replication = 0;
  CHECK(RunScenario(no_copies).status().IsInvalidArgument());
  SimConfig bad_rate = QueryConfig(1, 10);
  bad_rate.fault_rate = 1.5;
  CHECK(RunScenario(bad_rate).status().IsInvalidArgument());
}

// The node holding the most chunks: a hostile holder there is surely asked.
size_t BusiestHolder(QueryCluster& cluster, const store::Manifest& manifest) {
  size_t busiest = 0, most = 0;
  for (size_t node = 0; node < cluster.size(); ++node) {
    size_t held = 0;
    for (const store::ChunkRef& chunk : manifest.chunks) held += cluster.Holds(node, chunk.id);
    if (held > most) {
      most = held;
      busiest = node;
    }
  }
  return busiest;
}

TEST_CASE("A hostile holder's answers are refused, its chunks read elsewhere, the answer exact",
          "[sim][query][hostile]") {
  const std::unique_ptr<QueryWorkload> workload = Workload();
  Result<std::optional<store::Manifest>> events = store::LoadManifest(workload->store(), "events");
  REQUIRE(events.ok());
  REQUIRE(events->has_value());
  const store::Manifest& manifest = **events;
  // An oversized answer is refused for its size, which no honest one comes near: not even one
  // holder's answer for every chunk.
  QueryClusterOptions options;
  options.max_partial_bytes = 256 << 10;
  local::StoreTableProvider tables(workload->store());
  REQUIRE(tables.Refresh().ok());
  InlineTaskRunner runner;
  sql::Engine engine(tables, &runner);
  std::vector<uint64_t> every_chunk(manifest.chunks.size());
  for (size_t i = 0; i < every_chunk.size(); ++i) every_chunk[i] = i;
  for (const QueryWorkload::Query& q : workload->queries()) {
    Result<Bytes> whole = engine.RunFragment(sql::EncodeFragmentRequest({q.sql, every_chunk}));
    REQUIRE(whole.ok());
    REQUIRE(whole->size() * 4 < options.max_partial_bytes);
  }
  const struct {
    HolderBehaviour behaviour;
    const char* name;
  } hostile[] = {
      {HolderBehaviour::kGarbage, "garbage bytes"},
      {HolderBehaviour::kTruncated, "a truncated partial"},
      {HolderBehaviour::kWrongSequence, "pieces out of sequence"},
      {HolderBehaviour::kExtraColumn, "an extra column"},
      {HolderBehaviour::kOversized, "an oversized partial"},
      {HolderBehaviour::kSkipsChunks, "a well-formed partial of no chunk"},
  };
  for (const auto& [behaviour, name] : hostile) {
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      INFO("a hostile holder answering with " << name << ", seed " << seed);
      Trace trace;
      Result<std::unique_ptr<QueryCluster>> cluster =
          QueryCluster::Create(workload->store(), seed, options, &trace);
      REQUIRE(cluster.ok());
      const size_t liar = BusiestHolder(**cluster, manifest);
      (*cluster)->SetBehaviour(liar, behaviour);
      const size_t planner = (liar + 1 + seed) % (*cluster)->size();
      size_t retried = 0;
      for (const QueryWorkload::Query& q : workload->queries()) {
        INFO(q.sql);
        const QueryOutcome outcome = (*cluster)->Query(planner, q.sql);
        const Judgement judgement =
            JudgeAnswer(q.expected, outcome.status, outcome.result, outcome.chunks, q.ordered);
        INFO(outcome.status.ToString() << " " << judgement.why);
        CHECK(judgement.verdict == Verdict::kExact);
        retried += outcome.fragments_retried;
      }
      CHECK(retried > 0);  // the liar was asked, refused, and replaced
    }
  }
}

TEST_CASE("A partial result with an extra column no longer decodes for its query",
          "[sim][query][hostile]") {
  const std::unique_ptr<QueryWorkload> workload = Workload();
  local::StoreTableProvider tables(workload->store());
  REQUIRE(tables.Refresh().ok());
  InlineTaskRunner runner;
  sql::Engine engine(tables, &runner);
  for (const QueryWorkload::Query& q : workload->queries()) {
    INFO(q.sql);
    Result<std::vector<sql::Statement>> parsed = sql::Parse(q.sql);
    REQUIRE(parsed.ok());
    // Gathered statements send no partial results; a join's fragments run over events' chunks.
    if (parsed->front().select.table.empty() && !sql::JoinedTables(parsed->front())) continue;
    Result<sql::BoundStatement> bound = sql::Bind(parsed->front(), tables);
    REQUIRE(bound.ok());
    Result<Bytes> honest = engine.RunFragment(sql::EncodeFragmentRequest({q.sql, {0, 1}}));
    REQUIRE(honest.ok());
    CHECK(sql::DecodePartialResult(*honest, bound->select).ok());
    const Bytes extended = WithExtraColumn(*honest);
    CHECK(extended != *honest);
    CHECK(sql::DecodePartialResult(extended, bound->select).status().IsCorruption());
  }
}

TEST_CASE("The judge tells exact answers, named failures and wrong answers apart",
          "[sim][query][judge]") {
  sql::QueryResult expected;
  expected.names = {"country", "mean"};
  expected.types = {LogicalType::kVarchar, LogicalType::kDouble};
  expected.rows = {{sql::Value::Varchar("DE"), sql::Value::Double(0.1 + 0.2)},
                   {sql::Value::Varchar("US"), sql::Value::Double(2.5)}};
  const std::vector<ChunkId> chunks = {Id::FromHex(std::string(64, 'a')).value(),
                                       Id::FromHex(std::string(64, 'b')).value()};
  auto judge = [&](const Status& status, const sql::QueryResult& actual, bool ordered) {
    return JudgeAnswer(expected, status, actual, chunks, ordered).verdict;
  };

  sql::QueryResult swapped = expected;
  std::swap(swapped.rows[0], swapped.rows[1]);
  swapped.rows[1][1] = sql::Value::Double(0.3);  // the same sum added in another order
  CHECK(judge(Status::OK(), expected, true) == Verdict::kExact);
  CHECK(judge(Status::OK(), swapped, false) == Verdict::kExact);
  CHECK(judge(Status::OK(), swapped, true) == Verdict::kWrong);

  sql::QueryResult off = expected;
  off.rows[1][1] = sql::Value::Double(2.5000001);
  CHECK(judge(Status::OK(), off, false) == Verdict::kWrong);
  sql::QueryResult missing = expected;
  missing.rows.pop_back();
  CHECK(judge(Status::OK(), missing, false) == Verdict::kWrong);
  sql::QueryResult renamed = expected;
  renamed.names[1] = "avg";
  CHECK(judge(Status::OK(), renamed, false) == Verdict::kWrong);

  const std::string named = "chunk 1 (" + chunks[1].ToHex() + ")";
  CHECK(judge(Status::Unavailable("every replica failed for " + named), {}, false) ==
        Verdict::kFailedNamed);
  CHECK(judge(Status::Timeout("still pending: " + named), {}, false) == Verdict::kFailedNamed);
  CHECK(judge(Status::Unavailable("no replica answered"), {}, false) == Verdict::kWrong);
  CHECK(judge(Status::Corruption(named), {}, false) == Verdict::kWrong);

  // A statement's own error must be the embedded engine's, code and text.
  const Status division = Status::InvalidArgumentAt("division by zero", 12);
  const Result<sql::QueryResult> failing = division;
  CHECK(JudgeAnswer(failing, division, {}, chunks, false).verdict == Verdict::kExact);
  CHECK(JudgeAnswer(failing, Status::InvalidArgumentAt("division by zero", 13), {}, chunks, false)
            .verdict == Verdict::kWrong);
  CHECK(HasOrderBy("SELECT a FROM t ORDER BY a"));
  CHECK_FALSE(HasOrderBy("SELECT a FROM t"));
}

}  // namespace
}  // namespace lake::sim
