// Zone-map pruning end to end: a table cut into many small chunks in a store, queried through
// StoreTableProvider (which reports the manifest's zone maps) and through the same provider with
// the zone maps hidden. Both must give the same answers; selective filters must skip chunks, and
// a filter over some of the columns must spare the others of chunks where no row passes.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>

#include "common/task_runner.h"
#include "local/combined_tables.h"
#include "local/store_table_provider.h"
#include "sql/engine.h"
#include "store/mem_chunk_store.h"
#include "tests/support/import_text.h"

namespace lake::local {
namespace {

// The same tables without zone maps: the engine must read every chunk.
class NoZones final : public sql::TableProvider {
 public:
  explicit NoZones(const sql::TableProvider& base) : base_(base) {}
  std::optional<Schema> FindTable(const std::string& name) const override {
    return base_.FindTable(name);
  }
  std::vector<sql::TableInfo> ListTables() const override { return base_.ListTables(); }
  Result<std::vector<sql::ColumnRef>> ReadChunk(const std::string& table, size_t chunk,
                                                const std::vector<size_t>& columns) const override {
    columns_read += columns.size();
    return base_.ReadChunk(table, chunk, columns);
  }

  mutable std::atomic<size_t> columns_read{0};  // chunk columns asked for

 private:
  const sql::TableProvider& base_;
};

constexpr int kRows = 20000;

// kRows rows in order of id, with days and timestamps rising, a flag, and NULLs in `score`.
std::string EventsCsv() {
  std::string csv = "id,day,at,score,flag,name\n";
  auto two_digits = [](int v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  for (int i = 0; i < kRows; ++i) {
    csv += std::to_string(i) + ",2024-01-" + two_digits(1 + i * 25 / kRows) +
           ",2024-02-01 00:" + two_digits(i * 60 / kRows) + ":00," +
           (i % 7 == 0 ? "" : std::to_string((i % 500) * 0.5)) + "," +
           (i < kRows / 2 ? "true" : "false") + ",n" + std::to_string(i % 13) + "\n";
  }
  return csv;
}

TEST_CASE("Zone maps skip chunks that cannot match and never change an answer",
          "[sql][pruning]") {
  store::MemChunkStore store;
  InlineTaskRunner runner;
  testing::ImportText(store, "events", EventsCsv(), 4096);  // many small chunks
  StoreTableProvider zoned(store);
  REQUIRE(zoned.Refresh().ok());
  const size_t chunks = zoned.ListTables().at(0).chunks;
  REQUIRE(chunks >= 8);
  NoZones plain(zoned);

  const char* const queries[] = {
      "SELECT COUNT(*), SUM(id) FROM events WHERE id < 100",
      "SELECT id FROM events WHERE id = 19999",
      "SELECT id FROM events WHERE 19999 = id",
      "SELECT COUNT(*) FROM events WHERE id >= 19000 AND id <= 19050",
      "SELECT COUNT(*) FROM events WHERE id BETWEEN 10 AND 20",
      "SELECT COUNT(*) FROM events WHERE 100 > id",
      "SELECT COUNT(*) FROM events WHERE id <> 5",
      "SELECT COUNT(*) FROM events WHERE id > 50000",
      "SELECT COUNT(*), MIN(day) FROM events WHERE day >= DATE '2024-01-20'",
      "SELECT COUNT(*) FROM events WHERE day = DATE '2024-01-03'",
      "SELECT COUNT(*) FROM events WHERE at < TIMESTAMP '2024-02-01 00:05:00'",
      "SELECT COUNT(*) FROM events WHERE score > 240",
      "SELECT COUNT(*) FROM events WHERE score = 0",
      "SELECT COUNT(*) FROM events WHERE score IS NULL",
      "SELECT COUNT(*) FROM events WHERE flag = false",
      "SELECT COUNT(*) FROM events WHERE flag",
      "SELECT COUNT(*) FROM events WHERE id < 10 OR id > 19990",
      "SELECT COUNT(*) FROM events WHERE id = NULL",
      "SELECT COUNT(*) FROM events WHERE name = 'n3' AND id < 3000",
      "SELECT COUNT(*) FROM events WHERE id + 0 < 100",
      "SELECT day, COUNT(*) FROM events WHERE id > 18000 GROUP BY day ORDER BY day",
  };
  uint64_t pruned_total = 0;
  for (const char* sql : queries) {
    INFO(sql);
    sql::Engine with_zones(zoned, &runner);
    sql::Engine without(plain, &runner);
    auto a = with_zones.Run(sql);
    auto b = without.Run(sql);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->back().rows == b->back().rows);
    CHECK(a->back().chunks_scanned + a->back().chunks_pruned == chunks);
    CHECK(b->back().chunks_pruned == 0);
    pruned_total += a->back().chunks_pruned;
  }
  CHECK(pruned_total > 0);

  // A selective range reads only the chunks that hold it.
  sql::Engine engine(zoned, &runner);
  auto narrow = engine.Run("SELECT COUNT(*) FROM events WHERE id < 100");
  REQUIRE(narrow.ok());
  CHECK(narrow->back().chunks_scanned < chunks / 2);
  // Through CombinedTables (as `p2plake sql` queries), the zone maps still reach the engine.
  store::MemChunkStore empty_store;
  StoreTableProvider empty(empty_store);
  REQUIRE(empty.Refresh().ok());
  CombinedTables combined;
  combined.Add(&empty);
  combined.Add(&zoned);
  sql::Engine through(combined, &runner);
  auto combined_narrow = through.Run("SELECT COUNT(*) FROM events WHERE id < 100");
  REQUIRE(combined_narrow.ok());
  CHECK(combined_narrow->back().rows == narrow->back().rows);
  CHECK(combined_narrow->back().chunks_pruned == narrow->back().chunks_pruned);
  // A filter pruning can't reason about reads everything.
  auto opaque = engine.Run("SELECT COUNT(*) FROM events WHERE id + 0 < 100");
  REQUIRE(opaque.ok());
  CHECK(opaque->back().chunks_pruned == 0);
}

TEST_CASE("A filter over some columns reads the others only of chunks where a row passes",
          "[sql][pruning]") {
  store::MemChunkStore store;
  InlineTaskRunner runner;
  testing::ImportText(store, "events", EventsCsv(), 4096);
  StoreTableProvider tables(store);
  REQUIRE(tables.Refresh().ok());
  const size_t chunks = tables.ListTables().at(0).chunks;
  REQUIRE(chunks >= 8);
  NoZones counted(tables);  // no pruning: every chunk is scanned
  sql::Engine engine(counted, &runner);

  // Rows 7, 5007, 10007 and 15007 pass: four chunks at most hold one.
  auto a = engine.Run("SELECT id, day, at, score FROM events WHERE id % 5000 = 7 ORDER BY id");
  REQUIRE(a.ok());
  const size_t filter_first_reads = counted.columns_read.exchange(0);
  // The same rows through a filter that reads every column, so all are read first.
  auto b = engine.Run(
      "SELECT id, day, at, score FROM events WHERE id % 5000 = 7 AND (day IS NULL OR day IS NOT "
      "NULL) AND (at IS NULL OR at IS NOT NULL) AND (score IS NULL OR score IS NOT NULL) ORDER "
      "BY id");
  REQUIRE(b.ok());
  const size_t all_column_reads = counted.columns_read.exchange(0);
  CHECK(a->back().rows == b->back().rows);
  CHECK(a->back().rows.size() == 4);
  CHECK(all_column_reads == 4 * chunks);
  CHECK(filter_first_reads <= chunks + 3 * 4);
}

}  // namespace
}  // namespace lake::local
