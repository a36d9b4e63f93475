// The sqllogictest corpus (tests/sql/**/*.test) through the simulator: each file's tables are
// imported into one store and cut again into about a dozen chunks each (tests/support/rechunk.h),
// and every statement of a record that is one SELECT over a table is planned at a random node of
// a simulated cluster of 5 and of 20 nodes (chunks on the 3 XOR-closest of random ids, messages
// delayed at random, no faults): joins broadcast wherever they can be, and again at 20 nodes
// gathered to the planner. Its answer must be the embedded engine's over the one store:
// values row by row (rows sorted unless the statement has ORDER BY), or the same error text.
// A statement that fails on a value in the data (a failed cast) fails on whichever chunk a holder
// scans first, so its error names that chunk's bad value: it must be the engine's error on one of
// the chunks (the engine on a thread pool likewise reports whichever chunk fails first).
// Every differing record is printed with file:line. LAKE_SLT_FILTER=<substring> runs only the
// files whose path contains it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/rng.h"
#include "common/task_runner.h"
#include "local/store_table_provider.h"
#include "sim/query_cluster.h"
#include "sim/query_judge.h"
#include "sim/trace.h"
#include "sql/engine.h"
#include "sql/fragment_codec.h"
#include "sql/parser.h"
#include "sql/table_references.h"
#include "store/byte_source.h"
#include "store/importer.h"
#include "store/mem_chunk_store.h"
#include "tests/support/rechunk.h"
#include "tests/support/sql_logic_records.h"

namespace lake::sim {
namespace {

namespace fs = std::filesystem;

// A table is cut into chunks of 1 to (its rows / kChunksPerTable * 2) rows: about this many.
constexpr uint64_t kChunksPerTable = 12;

struct Tally {
  size_t files = 0;
  size_t distributed = 0;         // statements answered through the cluster
  size_t broadcast = 0;           // of those, statements over several tables sent as fragments
  size_t other_chunk_errors = 0;  // of those, data errors the engine raises on another chunk
  std::vector<std::string> failures;
};

// Whether `sql` is one SELECT that reads a table: what the planner spreads over the network
// (one table) or gathers (several, or one through a subquery or a WITH query).
bool ReadsTable(const std::string& sql) {
  Result<std::vector<sql::Statement>> parsed = sql::Parse(sql);
  return parsed.ok() && parsed->size() == 1 && !sql::TablesRead(parsed->front()).empty();
}

bool ReadsSeveralTables(const std::string& sql) {
  Result<std::vector<sql::Statement>> parsed = sql::Parse(sql);
  return parsed.ok() && parsed->size() == 1 && sql::TablesRead(parsed->front()).size() > 1;
}

// Whether `error` is what the engine reports running `sql` over one of chunks 0..chunks-1 alone.
bool IsErrorOfOneChunk(sql::Engine& engine, const std::string& sql, size_t chunks,
                       const Status& error) {
  for (uint64_t chunk = 0; chunk < chunks; ++chunk) {
    Result<Bytes> partial = engine.RunFragment(sql::EncodeFragmentRequest({sql, {chunk}}));
    if (!partial.ok() && partial.status().code() == error.code() &&
        partial.status().message() == error.message()) {
      return true;
    }
  }
  return false;
}

// Imports the file's tables into one store, answers every SELECT over a table with the engine
// over that store and with a cluster of each size, and records every difference.
void RunFile(const fs::path& path, uint64_t seed, Tally* tally) {
  const std::string rel = fs::relative(path, LAKE_SOURCE_DIR).string();
  const std::vector<testing::SqlLogicRecord> records = testing::ReadSqlLogicRecords(path);
  store::MemChunkStore source;
  ManualClock clock(FromMicros(1'700'000'000'000'000));
  InlineTaskRunner runner;
  for (const testing::SqlLogicRecord& record : records) {
    if (record.words[0] != "load") continue;
    REQUIRE(record.words.size() == 3);
    Result<std::unique_ptr<store::ByteSource>> file =
        store::OpenFileSource(std::string(LAKE_SOURCE_DIR) + "/" + record.words[2]);
    REQUIRE(file.ok());
    store::ImportOptions options;
    options.name = record.words[1];
    store::ImportEnv env;
    env.clock = &clock;
    env.runner = &runner;
    Result<store::ImportSummary> imported = store::ImportCsv(source, **file, options, env);
    REQUIRE(imported.ok());
    Rng rng(seed);
    const uint64_t max_rows =
        std::max<uint64_t>(2, 2 * imported->manifest.total_rows / kChunksPerTable);
    testing::Rechunk(source, options.name, max_rows, rng);
  }
  local::StoreTableProvider tables(source);
  REQUIRE(tables.Refresh().ok());
  sql::Engine engine(tables, &runner);

  struct Setup {
    size_t nodes;
    local::JoinStrategy joins;
  };
  for (const Setup& setup :
       {Setup{5, local::JoinStrategy::kBroadcast}, Setup{20, local::JoinStrategy::kBroadcast},
        Setup{20, local::JoinStrategy::kGather}}) {
    const size_t nodes = setup.nodes;
    Trace trace;
    QueryClusterOptions options;
    options.nodes = nodes;
    options.join_strategy = setup.joins;
    Result<std::unique_ptr<QueryCluster>> cluster =
        QueryCluster::Create(source, seed * 100 + nodes, options, &trace);
    REQUIRE(cluster.ok());
    Rng rng(seed);
    for (const testing::SqlLogicRecord& record : records) {
      const std::string& type = record.words[0];
      if ((type != "query" && type != "statement") || !ReadsTable(record.sql)) continue;
      ++tally->distributed;
      Result<std::vector<sql::QueryResult>> embedded = engine.Run(record.sql);
      const Result<sql::QueryResult> expected =
          embedded.ok() ? Result<sql::QueryResult>(std::move(embedded->back()))
                        : Result<sql::QueryResult>(embedded.status());
      const QueryOutcome outcome = (*cluster)->Query(rng.Uniform(nodes), record.sql);
      tally->broadcast += outcome.fragments_sent > 0 && ReadsSeveralTables(record.sql);
      const Judgement judgement = JudgeAnswer(expected, outcome.status, outcome.result,
                                              outcome.chunks, HasOrderBy(record.sql));
      if (judgement.verdict != Verdict::kExact && !expected.ok() &&
          outcome.status.IsInvalidArgument() &&
          IsErrorOfOneChunk(engine, record.sql, outcome.chunks.size(), outcome.status)) {
        ++tally->other_chunk_errors;
        continue;
      }
      if (judgement.verdict != Verdict::kExact) {
        tally->failures.push_back(
            rel + ":" + std::to_string(record.line + 1) + " (" + std::to_string(nodes) +
            " nodes, " + (setup.joins == local::JoinStrategy::kGather ? "gathered" : "broadcast") +
            "): " + (judgement.why.empty() ? outcome.status.ToString() : judgement.why) + "\n" +
            record.sql);
      }
    }
  }
  ++tally->files;
}

TEST_CASE(
    "The SQL corpus answered by 5 and 20 simulated nodes, joins broadcast or gathered, equals the "
    "embedded engine's answers",
    "[sim][query][slt]") {
  const std::vector<fs::path> files = testing::SqlLogicCorpusFiles();
  REQUIRE(!files.empty());
  Tally tally;
  for (size_t i = 0; i < files.size(); ++i) RunFile(files[i], i + 1, &tally);
  for (const std::string& failure : tally.failures) std::cout << failure << "\n\n";
  std::cout << tally.files << " files, " << tally.distributed
            << " statements answered by simulated clusters (" << tally.broadcast
            << " joins broadcast, " << tally.other_chunk_errors
            << " failing on another chunk's bad value), " << tally.failures.size()
            << " differing\n";
  INFO(tally.failures.size() << " differing answers (printed above)");
  CHECK(tally.failures.empty());
  // Every setup saw every SELECT over a table: the engine's corpus run counts 150 and more; the
  // two that broadcast, the corpus's plain joins (27 when written; FULL joins, self-joins and
  // joins with subqueries are gathered).
  if (std::getenv("LAKE_SLT_FILTER") == nullptr) {
    CHECK(tally.distributed >= 3 * 150);
    CHECK(tally.broadcast >= 2 * 25);
  }
}

}  // namespace
}  // namespace lake::sim
