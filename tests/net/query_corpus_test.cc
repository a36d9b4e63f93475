// The sqllogictest corpus (tests/sql/**/*.test) answered by real `p2plake node` processes over
// HTTP: every table the corpus loads is uploaded once, every record's SQL is sent to
// POST /api/query on the next node in turn, and every answer must equal the embedded engine's
// over the same CSV files cut into chunks of the same size (so the same chunks): the same
// columns and values, rows sorted only where the record sorts them; a "statement error" record
// must be a 400 carrying the embedded engine's message and position. The smallest chunk size
// cuts the largest table (2000 rows) into two chunks, since a chunk holds at least 1024 rows
// (store/csv_scanner.h), so queries over it merge partial results from two holders; the
// answers' stats must show queries that reached more than one node. The four-node cluster runs
// every join it can as a broadcast join (analytics.joinStrategy), and some must reach several
// nodes; the three-node one picks as the default does.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sql/parser.h"
#include "sql/table_references.h"
#include "tests/net/node_api.h"
#include "tests/net/node_process.h"
#include "tests/net/query_support.h"
#include "tests/support/sql_logic_records.h"

namespace lake::nettest {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::SqlLogicRecord;
using Clock = std::chrono::steady_clock;

// The smallest chunk size a node accepts.
constexpr uint64_t kChunkBytes = 4096;

// The tables the corpus loads: name -> CSV path (relative to the repository root).
std::map<std::string, std::string> CorpusTables(const std::vector<fs::path>& files) {
  std::map<std::string, std::string> tables;
  for (const fs::path& file : files) {
    for (const SqlLogicRecord& record : testing::ReadSqlLogicRecords(file)) {
      if (record.words[0] != "load") continue;
      REQUIRE(record.words.size() == 3);
      auto [it, added] = tables.emplace(record.words[1], record.words[2]);
      INFO("table " << record.words[1] << " is loaded from two files");
      REQUIRE(it->second == record.words[2]);
    }
  }
  return tables;
}

// Whether `sql` is one SELECT over several tables.
bool ReadsSeveralTables(const std::string& sql) {
  Result<std::vector<sql::Statement>> parsed = sql::Parse(sql);
  return parsed.ok() && parsed->size() == 1 && sql::TablesRead(parsed->front()).size() > 1;
}

// Runs the corpus against a cluster of `node_count` nodes with replicationFactor `replication`
// and analytics.joinStrategy `joins`.
void RunCorpusOverCluster(const std::string& name, size_t node_count, uint32_t replication,
                          const std::string& joins) {
  const std::vector<fs::path> files = testing::SqlLogicCorpusFiles();
  REQUIRE(!files.empty());
  const std::map<std::string, std::string> tables = CorpusTables(files);
  REQUIRE(tables.count("events") == 1);

  const auto started = Clock::now();
  const std::string dir = FreshTestDir(name);
  const std::string config =
      WriteQueryConfig(dir + "/config.json", replication, kChunkBytes, {{"joinStrategy", joins}});
  std::vector<std::unique_ptr<NodeProcess>> nodes;
  Nodes all;
  for (size_t i = 0; i < node_count; ++i) {
    nodes.push_back(std::make_unique<NodeProcess>(dir + "/node" + std::to_string(i)));
    all.push_back(nodes.back().get());
  }
  StartMesh(all, {"--config", config});

  EmbeddedEngine embedded(kChunkBytes);
  size_t uploads = 0;
  for (const auto& [table, path] : tables) {
    const std::string csv = std::string(LAKE_SOURCE_DIR) + "/" + path;
    const Status attached = embedded.Attach(table, csv);
    INFO(attached.ToString());
    REQUIRE(attached.ok());
    UploadEverywhere(*all[uploads++ % all.size()], table, ReadFile(csv), all);
  }
  REQUIRE(embedded.Chunks("events") > 1);
  const auto uploaded = Clock::now();

  std::vector<std::string> failures;
  size_t requests = 0, queries = 0, spread = 0;  // spread: queries that reached several nodes
  size_t joins_spread = 0;                       // of those, queries over several tables
  for (const fs::path& file : files) {
    const std::string rel = fs::relative(file, LAKE_SOURCE_DIR).string();
    for (const SqlLogicRecord& record : testing::ReadSqlLogicRecords(file)) {
      const std::string& type = record.words[0];
      if (type != "query" && type != "statement") continue;
      const NodeProcess& node = *all[requests++ % all.size()];
      const std::string where = rel + ":" + std::to_string(record.line + 1) + " (node " +
                                node.node_id().substr(0, 8) + "): ";
      const Result<sql::QueryResult> expected = embedded.Answer(record.sql);
      const QueryReply reply = PostQuery(node.http_port(), record.sql);
      if (type == "statement" && record.words.size() == 2 && record.words[1] == "error") {
        if (expected.ok() || expected.status().code() != Status::Code::kInvalidArgument) {
          failures.push_back(where + "the embedded engine did not fail with InvalidArgument\n" +
                             record.sql);
          continue;
        }
        const json position =
            expected.status().position() > 0 ? json(expected.status().position()) : json(nullptr);
        if (reply.status != 400 || !reply.body.is_object() ||
            reply.body.value("error", "") != expected.status().message() ||
            reply.body.value("position", json()) != position) {
          std::ostringstream what;
          what << "expected 400 {error: " << expected.status().message() << ", position "
               << position << "}, got " << reply << "\n"
               << record.sql;
          failures.push_back(where + what.str());
        }
        continue;
      }
      if (!expected.ok()) {
        failures.push_back(where + "the embedded engine failed: " + expected.status().ToString() +
                           "\n" + record.sql);
        continue;
      }
      if (reply.status != 200) {
        std::ostringstream what;
        what << reply << "\n" << record.sql;
        failures.push_back(where + what.str());
        continue;
      }
      if (type != "query") continue;
      ++queries;
      const bool reached_several = QueryStat(reply, "nodesContacted") > 1;
      spread += reached_several;
      joins_spread += reached_several && ReadsSeveralTables(record.sql);
      const bool rowsort = record.words.size() == 3 && record.words[2] == "rowsort";
      const std::string mismatch = AnswerMismatch(*expected, reply.body, rowsort);
      if (!mismatch.empty()) failures.push_back(where + mismatch + "\n" + record.sql);
    }
  }
  const auto answered = Clock::now();

  const auto ms = [](auto from, auto to) {
    return std::chrono::duration_cast<milliseconds>(to - from).count();
  };
  std::cout << name << ": " << node_count << " nodes, R = " << replication << ", joins " << joins
            << ": " << tables.size() << " tables up in " << ms(started, uploaded) << " ms; "
            << requests << " records answered over HTTP in " << ms(uploaded, answered) << " ms; "
            << spread << " of " << queries << " queries reached more than one node ("
            << joins_spread << " joins); " << failures.size() << " failures\n";
  for (const std::string& failure : failures) std::cout << failure << "\n\n";
  INFO(failures.size() << " failing records (printed above)");
  CHECK(failures.empty());
  CHECK(queries >= 150);  // nothing skipped
  if (joins == "broadcast") CHECK(joins_spread > 0);

  // A table of many chunks is scanned on several nodes, whichever node plans the query.
  for (const NodeProcess* node : all) {
    INFO("node " << node->node_id());
    const Result<sql::QueryResult> expected = embedded.Answer("SELECT COUNT(*) AS n FROM events");
    REQUIRE(expected.ok());
    const QueryReply reply = PostQuery(node->http_port(), "SELECT COUNT(*) AS n FROM events");
    INFO(reply);
    REQUIRE(reply.status == 200);
    CHECK(AnswerMismatch(*expected, reply.body, false).empty());
    CHECK(QueryStat(reply, "chunksTotal") == static_cast<int64_t>(embedded.Chunks("events")));
    CHECK(QueryStat(reply, "chunksScanned") == QueryStat(reply, "chunksTotal"));
    CHECK(QueryStat(reply, "nodesContacted") > 1);
  }
}

TEST_CASE(
    "Corpus queries sent to three nodes that each hold every chunk answer as the embedded "
    "engine does",
    "[net]") {
  RunCorpusOverCluster("corpus-r3", 3, 3, "auto");
}

TEST_CASE(
    "Corpus queries sent to four nodes that each hold part of the data, joins broadcast, answer "
    "as the embedded engine does",
    "[net]") {
  RunCorpusOverCluster("corpus-r2", 4, 2, "broadcast");
}

}  // namespace
}  // namespace lake::nettest
