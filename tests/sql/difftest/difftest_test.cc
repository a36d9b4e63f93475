// The random differential tester (as SQLancer and SQLite's own random tests find logic bugs):
// from a seed it makes a table of every type with edge values (random_table.h) and random
// queries of our dialect, each also rendered for SQLite (query_generator.h), and checks
//  - SQLite's answers (sqlite_oracle.py, one python3 run per batch of queries) against our
//    engine's, whole and as the distributed engine runs it (a leaf fragment per chunk through
//    the wire encodings, reading through a column cache that hands out dictionary vectors);
//  - ternary logic partitioning: rows WHERE p, WHERE NOT p and WHERE p IS NULL together are
//    all rows, and COUNT/SUM/MIN/MAX over the three parts recombine to the whole table's;
//  - the same CSV imported with different chunk sizes gives the same answers.
// Dialect differences are handled where the queries are generated (query_generator.cc says
// why at each) or in the answer's common form (answer.h); none is hidden in the comparison.
//
// The default run is bounded for CI (fixed seeds, a few thousand queries). A long run:
//   LAKE_DIFFTEST_SEED=<first seed> LAKE_DIFFTEST_QUERIES=<count> build/tests/sql_difftest_tests
// Queries come in batches of 100, each batch over its own table drawn from seed, seed + 1, ...
// A failure prints its batch's seed and the query's number k in the batch: rerunning with
// LAKE_DIFFTEST_SEED=<that seed> LAKE_DIFFTEST_QUERIES=<k> replays it as the last query.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "local/local_engine.h"
#include "tests/sql/difftest/answer.h"
#include "tests/sql/difftest/query_generator.h"
#include "tests/sql/difftest/random_table.h"
#include "tests/support/run_in_fragments.h"

namespace lake::difftest {
namespace {

namespace fs = std::filesystem;

constexpr size_t kBatchQueries = 100;
constexpr size_t kMaxRows = 40;

struct Config {
  uint64_t seed = 1;
  size_t queries = 0;
};

// The run's seed and size: the environment's, else the bounded CI run's.
Config ReadConfig(size_t default_queries) {
  Config config;
  config.queries = default_queries;
  if (const char* seed = std::getenv("LAKE_DIFFTEST_SEED")) config.seed = std::strtoull(seed, nullptr, 10);
  if (const char* queries = std::getenv("LAKE_DIFFTEST_QUERIES")) {
    config.queries = std::strtoull(queries, nullptr, 10);
  }
  return config;
}

fs::path WorkDir() {
  const fs::path dir = fs::path(LAKE_BINARY_DIR) / "test-tmp" / ("difftest-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

// One table and the queries over it, all from one seed.
struct Batch {
  uint64_t seed = 0;
  RandomTable table;
  std::vector<GeneratedQuery> queries;
  fs::path csv;
};

Batch MakeBatch(uint64_t seed, size_t queries, const fs::path& dir) {
  Batch batch;
  batch.seed = seed;
  Rng rng(seed);
  batch.table = MakeRandomTable(rng, "t", kMaxRows);
  QueryGenerator generator(rng, batch.table);
  for (size_t i = 0; i < queries; ++i) batch.queries.push_back(generator.Next());
  batch.csv = dir / ("t-" + std::to_string(seed) + ".csv");
  std::ofstream(batch.csv, std::ios::binary) << batch.table.ToCsv();
  return batch;
}

std::unique_ptr<local::LocalEngine> EngineOver(const Batch& batch, uint64_t chunk_bytes,
                                               size_t cache_bytes) {
  local::LocalEngineOptions options;
  options.threads = 2;
  options.cache_bytes = cache_bytes;
  options.csv_chunk_bytes = chunk_bytes;
  auto engine = std::make_unique<local::LocalEngine>(options);
  ManualClock clock(FromMicros(1'700'000'000'000'000));
  const Status attached = engine->AttachCsv(batch.table.name, batch.csv.string(), clock);
  INFO(attached.ToString());
  REQUIRE(attached.ok());
  return engine;
}

// SQLite's answers to the batch's queries, from one oracle run.
std::vector<Answer> AskSqlite(const Batch& batch, const fs::path& dir) {
  nlohmann::json request;
  request["tables"] = {{{"name", batch.table.name}, {"csv", batch.csv.string()}}};
  request["queries"] = nlohmann::json::array();
  for (const GeneratedQuery& q : batch.queries) {
    request["queries"].push_back({{"sql", q.sqlite}, {"kinds", q.kinds}});
  }
  const fs::path in = dir / "batch.json", out = dir / "answers.jsonl";
  std::ofstream(in, std::ios::binary) << request.dump();
  const std::string command = "python3 " + std::string(LAKE_SOURCE_DIR) +
                              "/tests/sql/difftest/sqlite_oracle.py " + in.string() + " > " +
                              out.string();
  REQUIRE(std::system(command.c_str()) == 0);
  std::ifstream lines(out, std::ios::binary);
  std::vector<Answer> answers;
  std::string line;
  for (size_t i = 0; i < batch.queries.size() && std::getline(lines, line); ++i) {
    answers.push_back(FromOracleLine(line, batch.queries[i].kinds));
  }
  REQUIRE(answers.size() == batch.queries.size());
  return answers;
}

// The answer to one statement.
Result<sql::QueryResult> RunOne(local::LocalEngine& engine, const std::string& sql) {
  Result<std::vector<sql::QueryResult>> results = engine.engine().Run(sql);
  if (!results.ok()) return results.status();
  if (results->size() != 1) return Status::InvalidArgument("expected one statement: " + sql);
  return std::move(results->front());
}

std::string Replay(const Batch& batch, size_t query) {
  return "replay: LAKE_DIFFTEST_SEED=" + std::to_string(batch.seed) +
         " LAKE_DIFFTEST_QUERIES=" + std::to_string(query + 1) + " build/tests/sql_difftest_tests\n";
}

void Report(const std::vector<std::string>& failures, size_t checked, const char* what) {
  for (const std::string& f : failures) std::cout << f << "\n";
  std::cout << what << ": " << checked << " checked, " << failures.size() << " failed\n";
  INFO(failures.size() << " failures (printed above)");
  CHECK(failures.empty());
}

TEST_CASE("Random queries answer as SQLite does, whole and in fragments", "[sql][difftest]") {
  const Config config = ReadConfig(3000);
  const fs::path dir = WorkDir();
  std::vector<std::string> failures;
  size_t checked = 0;
  for (size_t done = 0, b = 0; done < config.queries; done += kBatchQueries, ++b) {
    const Batch batch =
        MakeBatch(config.seed + b, std::min(kBatchQueries, config.queries - done), dir);
    const std::vector<Answer> expected = AskSqlite(batch, dir);
    // Small chunks, so that partial aggregates, DISTINCT and top-N are merged across several.
    auto plain = EngineOver(batch, 512, 0);
    auto cached = EngineOver(batch, 512, 64 << 20);
    for (size_t i = 0; i < batch.queries.size(); ++i) {
      const GeneratedQuery& q = batch.queries[i];
      ++checked;
      const Answer whole = FromResult(RunOne(*plain, q.ours), q.kinds);
      std::string difference = Difference(whole, expected[i], q.ordered);
      std::string label = "ours";
      Answer actual = whole;
      if (difference.empty()) {
        std::optional<Result<sql::QueryResult>> merged = testing::RunInFragments(*cached, q.ours);
        if (merged) {
          actual = FromResult(*merged, q.kinds);
          difference = Difference(actual, expected[i], q.ordered);
          label = "ours in fragments";
        }
      }
      if (difference.empty()) continue;
      failures.push_back("batch seed " + std::to_string(batch.seed) + ", query " +
                         std::to_string(i + 1) + ": " + difference + "\n  ours:   " + q.ours +
                         "\n  sqlite: " + q.sqlite + "\n" + label + ":\n" + Describe(actual) +
                         "sqlite:\n" + Describe(expected[i]) + Replay(batch, i));
    }
  }
  fs::remove_all(dir);
  Report(failures, checked, "differential");
}

}  // namespace
}  // namespace lake::difftest
