// The random differential tester (as SQLancer and SQLite's own random tests find logic bugs):
// from a seed it makes a table of every type with edge values (random_table.h) and random
// queries of our dialect, each also rendered for SQLite (query_generator.h), and checks
//  - SQLite's answers (sqlite_oracle.py, one python3 run per batch of queries) against our
//    engine's, whole and as the distributed engine runs it (a leaf fragment per chunk through
//    the wire encodings, reading through a column cache that hands out dictionary vectors);
//  - ternary logic partitioning: rows WHERE p, WHERE NOT p and WHERE p IS NULL together are
//    all rows, and COUNT/SUM/MIN/MAX over the three parts recombine to the whole table's;
//  - the same CSV imported with different chunk sizes gives the same answers.
// The three checks get LAKE_DIFFTEST_QUERIES queries each (by default 3000, 600 and 1000).
// Dialect differences are handled where the queries are generated (generator_common.h,
// query_generator.cc and expression_generator.cc say why at each), by the oracle's two
// functions (sqlite_oracle.py) or in the answer's common form (answer.h); none is hidden in
// the comparison.
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
constexpr size_t kMaxLargeRows = 5000;

struct Config {
  uint64_t seed = 1;
  size_t queries = 0;
};

// The run's seed and size: the environment's, else the bounded CI run's.
Config ReadConfig(size_t default_queries) {
  Config config;
  config.queries = default_queries;
  if (const char* seed = std::getenv("LAKE_DIFFTEST_SEED")) {
    config.seed = std::strtoull(seed, nullptr, 10);
  }
  if (const char* queries = std::getenv("LAKE_DIFFTEST_QUERIES")) {
    config.queries = std::strtoull(queries, nullptr, 10);
  }
  return config;
}

fs::path WorkDir() {
  const fs::path dir =
      fs::path(LAKE_BINARY_DIR) / "test-tmp" / ("difftest-" + std::to_string(::getpid()));
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
  // Every eighth table is large enough to span several vectors and chunks of many rows.
  batch.table = MakeRandomTable(rng, "t", seed % 8 == 7 ? kMaxLargeRows : kMaxRows);
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
         " LAKE_DIFFTEST_QUERIES=" + std::to_string(query + 1) +
         " build/tests/sql_difftest_tests\n";
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

// The table of a batch without its queries (the differential run's table for that seed), and
// a random stream of its own for a metamorphic check's generator.
struct TableOnly {
  Batch batch;
  Rng rng;
};

TableOnly MakeTable(uint64_t seed, uint64_t stream, const fs::path& dir) {
  return TableOnly{MakeBatch(seed, 0, dir), Rng(seed).Child(stream)};
}

// Rows of several answers together (of one query's parts).
Answer Union(const std::vector<Answer>& parts) {
  Answer out;
  for (const Answer& part : parts) {
    if (part.failed) return part;
    out.kinds = part.kinds;
    out.rows.insert(out.rows.end(), part.rows.begin(), part.rows.end());
  }
  return out;
}

// The single value of a one-row, one-column answer.
Result<sql::Value> SingleValue(const Result<sql::QueryResult>& r) {
  if (!r.ok()) return r.status();
  if (r->rows.size() != 1 || r->rows[0].size() != 1) {
    return Status::InvalidArgument("expected one value");
  }
  return r->rows[0][0];
}

// a < b for two non-NULL values of one type.
bool Less(const sql::Value& a, const sql::Value& b) {
  switch (a.type) {
    case LogicalType::kDouble:
      return a.real < b.real;
    case LogicalType::kBoolean:
      return a.boolean < b.boolean;
    case LogicalType::kVarchar:
      return a.text < b.text;
    default:
      return a.integer < b.integer;
  }
}

bool SameValue(const sql::Value& a, const sql::Value& b) {
  if (a.is_null || b.is_null) return a.is_null && b.is_null;
  if (a.type != b.type) return false;
  return !Less(a, b) && !Less(b, a);  // doubles by value: -0.0 is 0.0
}

// The whole table's value of an aggregate recombined from its values over parts, as `combine`
// (QueryGenerator::Decomposable) says.
sql::Value Recombine(const std::string& combine, const std::vector<sql::Value>& parts) {
  sql::Value out = sql::Value::Null(parts[0].type);
  for (const sql::Value& v : parts) {
    if (v.is_null) continue;
    if (out.is_null) {
      out = v;
    } else if (combine == "count" || combine == "sum") {
      out.integer += v.integer;
    } else if (combine == "min" ? Less(v, out) : Less(out, v)) {
      out = v;
    }
  }
  return out;
}

TEST_CASE("Rows and aggregates WHERE p, WHERE NOT p and WHERE p IS NULL add up to the table's",
          "[sql][difftest]") {
  const Config config = ReadConfig(600);
  const fs::path dir = WorkDir();
  std::vector<std::string> failures;
  size_t checked = 0;
  for (size_t done = 0, b = 0; done < config.queries; done += kBatchQueries, ++b) {
    TableOnly t = MakeTable(config.seed + b, 1, dir);
    auto engine = EngineOver(t.batch, 512, 0);
    QueryGenerator generator(t.rng, t.batch.table);
    for (size_t i = 0; i < std::min(kBatchQueries, config.queries - done); ++i) {
      ++checked;
      const std::string p = generator.Predicate();
      const std::vector<std::string> parts = {" WHERE " + p, " WHERE NOT (" + p + ")",
                                              " WHERE (" + p + ") IS NULL"};
      std::string combine;
      const std::string select = i % 2 == 0
                                     ? "SELECT " + generator.Projection() + " FROM t"
                                     : "SELECT " + generator.Decomposable(&combine) + " FROM t";
      std::string difference;
      if (combine.empty()) {
        std::vector<Answer> answers;
        for (const std::string& where : parts)
          answers.push_back(FromResult(RunOne(*engine, select + where), ""));
        difference = Difference(FromResult(RunOne(*engine, select), ""), Union(answers), false);
      } else {
        const Result<sql::Value> whole = SingleValue(RunOne(*engine, select));
        std::vector<sql::Value> values;
        for (const std::string& where : parts) {
          const Result<sql::Value> part = SingleValue(RunOne(*engine, select + where));
          if (!part.ok()) {
            difference = "a part failed: " + part.status().ToString();
            break;
          }
          values.push_back(*part);
        }
        if (!whole.ok()) {
          difference = "the whole failed: " + whole.status().ToString();
        } else if (difference.empty() && !SameValue(*whole, Recombine(combine, values))) {
          difference = "whole " + whole->ToString() + ", recombined " +
                       Recombine(combine, values).ToString();
        }
      }
      if (difference.empty()) continue;
      failures.push_back("table seed " + std::to_string(t.batch.seed) + ", check " +
                         std::to_string(i + 1) + ": " + difference + "\n  " + select +
                         "\n  partitioned by " + p + "\n" + Replay(t.batch, i));
    }
  }
  fs::remove_all(dir);
  Report(failures, checked, "ternary logic partitioning");
}

TEST_CASE("The same table cut into chunks of other sizes gives the same answers",
          "[sql][difftest]") {
  const Config config = ReadConfig(1000);
  const fs::path dir = WorkDir();
  std::vector<std::string> failures;
  size_t checked = 0;
  for (size_t done = 0, b = 0; done < config.queries; done += kBatchQueries, ++b) {
    TableOnly t = MakeTable(config.seed + b, 2, dir);
    QueryGenerator generator(t.rng, t.batch.table);
    // One chunk, then a row or two per chunk, then a few rows per chunk.
    auto whole = EngineOver(t.batch, uint64_t{1} << 20, 0);
    std::vector<std::unique_ptr<local::LocalEngine>> cut;
    cut.push_back(EngineOver(t.batch, 64, 0));
    cut.push_back(EngineOver(t.batch, 700, 64 << 20));
    for (size_t i = 0; i < std::min(kBatchQueries, config.queries - done); ++i) {
      const GeneratedQuery q = generator.Next();
      const Answer reference = FromResult(RunOne(*whole, q.ours), q.kinds);
      for (const auto& engine : cut) {
        ++checked;
        const Answer answer = FromResult(RunOne(*engine, q.ours), q.kinds);
        const std::string difference = Difference(reference, answer, q.ordered);
        if (difference.empty()) continue;
        failures.push_back("table seed " + std::to_string(t.batch.seed) + ", query " +
                           std::to_string(i + 1) + ": " + difference + "\n  " + q.ours +
                           "\none chunk:\n" + Describe(reference) + "cut:\n" + Describe(answer) +
                           Replay(t.batch, i));
      }
    }
  }
  fs::remove_all(dir);
  Report(failures, checked, "chunk sizes");
}

}  // namespace
}  // namespace lake::difftest
