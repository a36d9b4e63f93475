// The gather strategy: a join planned on a node that holds only part of its tables' chunks
// answers as the embedded engine does over all of them, once the missing chunks are fetched.
#include "local/gathered_statement.h"

#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "common/rng.h"
#include "common/task_runner.h"
#include "local/local_engine.h"
#include "sql/parser.h"
#include "store/mem_chunk_store.h"
#include "tests/support/import_text.h"
#include "tests/support/rechunk.h"

namespace lake::local {
namespace {

// Tables of many small chunks (cut again: the importer's are 1,024 rows at least): `orders`
// refers to `customers` by id.
void ImportTables(store::ChunkStore& store) {
  std::string customers = "id,country\n", orders = "customer,amount\n";
  for (int i = 0; i < 300; ++i) {
    customers += std::to_string(i) + "," + (i % 3 == 0 ? "fr" : i % 3 == 1 ? "de" : "jp") + "\n";
    orders += std::to_string(i * 7 % 350) + "," + std::to_string(i % 41) + "\n";
  }
  testing::ImportText(store, "customers", customers);
  testing::ImportText(store, "orders", orders);
  Rng rng(17);
  testing::Rechunk(store, "customers", 40, rng);
  testing::Rechunk(store, "orders", 40, rng);
}

// A node's store that holds every record of `full` (the datasets' manifests) but only every
// other chunk, as a node holding its share of a replicated dataset does.
std::set<ChunkId> CopyHalf(const store::MemChunkStore& full, store::ChunkStore& part) {
  std::set<ChunkId> absent;
  Result<std::vector<std::pair<std::string, Bytes>>> records = full.ScanRecords("");
  Result<std::vector<ChunkId>> chunks = full.ListChunks();
  REQUIRE(records.ok());
  REQUIRE(chunks.ok());
  for (auto& [key, value] : *records) REQUIRE(part.PutRecord(key, value).ok());
  bool keep = true;
  for (const ChunkId& id : *chunks) {
    if (keep) {
      REQUIRE(part.PutChunk(id, *full.GetChunk(id)).ok());
    } else {
      absent.insert(id);
    }
    keep = !keep;
  }
  return absent;
}

sql::Statement ParseOne(const std::string& sql) {
  Result<std::vector<sql::Statement>> parsed = sql::Parse(sql);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 1);
  return std::move(parsed->front());
}

const char* const kJoin =
    "SELECT c.country, COUNT(*), SUM(o.amount) FROM orders o JOIN customers c ON o.customer = "
    "c.id WHERE o.amount > 3 GROUP BY c.country ORDER BY c.country";

TEST_CASE("A gather plan lists exactly the chunks of the statement's tables this node lacks",
          "[local][gather]") {
  store::MemChunkStore full, part;
  ImportTables(full);
  testing::ImportText(full, "unread", "x\n1\n2\n");
  const std::set<ChunkId> absent = CopyHalf(full, part);

  Result<GatherPlan> plan = PlanGather(part, ParseOne(kJoin));
  REQUIRE(plan.ok());
  CHECK(plan->versions.size() == 2);
  std::set<ChunkId> missing;
  uint64_t bytes = 0;
  for (const store::ChunkRef& chunk : plan->missing) {
    missing.insert(chunk.id);
    bytes += chunk.bytes;
  }
  CHECK(missing.size() == plan->missing.size());
  // Every absent chunk but those of the table the statement does not read.
  std::set<ChunkId> expected;
  for (const PinnedVersion& version : plan->versions) {
    for (const store::ChunkRef& chunk : version.manifest.chunks) {
      if (absent.count(chunk.id)) expected.insert(chunk.id);
    }
  }
  CHECK(missing == expected);
  CHECK(missing.size() > 2);
  CHECK(plan->missing_bytes == bytes);

  Result<GatherPlan> whole = PlanGather(full, ParseOne(kJoin));
  REQUIRE(whole.ok());
  CHECK(whole->missing.empty());
  CHECK(whole->missing_bytes == 0);
  // A name no dataset has is the engine's to report.
  Result<GatherPlan> unknown = PlanGather(part, ParseOne("SELECT * FROM nowhere, customers"));
  REQUIRE(unknown.ok());
  CHECK(unknown->versions.size() == 1);
}

TEST_CASE("A statement run over gathered chunks answers as the embedded engine over them all",
          "[local][gather]") {
  store::MemChunkStore full, part;
  ImportTables(full);
  CopyHalf(full, part);
  const std::vector<std::string> queries{
      kJoin,
      "SELECT o.customer, o.amount FROM orders o LEFT JOIN customers c ON o.customer = c.id "
      "WHERE c.id IS NULL ORDER BY 1, 2",
      "WITH big AS (SELECT customer FROM orders WHERE amount > 35) SELECT country, COUNT(*) FROM "
      "customers WHERE id IN (SELECT customer FROM big) GROUP BY country ORDER BY country",
  };
  LocalEngineOptions options;
  options.threads = 2;
  LocalEngine embedded(options);
  REQUIRE(embedded.AttachStore(full).ok());
  ThreadPool pool(2);
  for (const std::string& sql : queries) {
    INFO(sql);
    const sql::Statement statement = ParseOne(sql);
    Result<GatherPlan> plan = PlanGather(part, statement);
    REQUIRE(plan.ok());
    store::MemChunkStore gathered;
    for (const store::ChunkRef& chunk : plan->missing) {
      REQUIRE(gathered.PutChunk(chunk.id, *full.GetChunk(chunk.id)).ok());
    }
    Result<sql::QueryResult> answer =
        RunGathered(statement, *plan, gathered, part, nullptr, &pool, 1'000'000);
    REQUIRE(answer.ok());
    Result<sql::QueryResult> expected = embedded.engine().Execute(statement);
    REQUIRE(expected.ok());
    CHECK_FALSE(answer->rows.empty());
    CHECK(answer->rows == expected->rows);
    CHECK(answer->names == expected->names);

    // Without the gathered chunks, the run fails instead of answering from half the data.
    if (plan->missing.empty()) continue;
    store::MemChunkStore nothing;
    Result<sql::QueryResult> half =
        RunGathered(statement, *plan, nothing, part, nullptr, &pool, 1'000'000);
    INFO(half.status().ToString());
    CHECK_FALSE(half.ok());
  }
}

}  // namespace
}  // namespace lake::local
