// Correlated subqueries past what the corpus (tests/sql/subquery/correlated.test) shows: the
// bound on how many times one runs per outer tuple, and the equality rewrite that runs one once
// for any number of outer tuples, over a table cut into many chunks, each answer compared with
// the same question asked without a correlated subquery.
#include <catch2/catch.hpp>

#include <string>

#include "common/task_runner.h"
#include "local/store_table_provider.h"
#include "sql/engine.h"
#include "store/mem_chunk_store.h"
#include "tests/support/import_text.h"

namespace lake {
namespace {

// `rows` rows: id (distinct), grp (id % 7) and v (id % 10, NULL where id % 10 == 0).
std::string NumbersCsv(int rows) {
  std::string csv = "id,grp,v\n";
  for (int i = 1; i <= rows; ++i) {
    csv += std::to_string(i) + "," + std::to_string(i % 7) + "," +
           (i % 10 == 0 ? "" : std::to_string(i % 10)) + "\n";
  }
  return csv;
}

TEST_CASE("A correlated subquery runs once per distinct outer value, up to a bound it names",
          "[sql][correlated]") {
  store::MemChunkStore store;
  InlineTaskRunner runner;
  testing::ImportText(store, "n", NumbersCsv(10'001), 4096);  // many chunks
  local::StoreTableProvider tables(store);
  REQUIRE(tables.Refresh().ok());
  REQUIRE(tables.ListTables().at(0).chunks > 4);
  sql::Engine engine(tables, &runner);

  // 7 distinct values of grp: 7 runs, each over every chunk; the answer for each row is its
  // group's. Checked against the same question asked as a GROUP BY.
  auto correlated = engine.Run(
      "SELECT grp, COUNT(*), MIN(s) FROM (SELECT a.grp AS grp, (SELECT SUM(b.v) FROM n b WHERE "
      "b.grp = a.grp) AS s FROM n a) t GROUP BY grp ORDER BY grp");
  auto grouped = engine.Run("SELECT grp, COUNT(*), SUM(v) FROM n GROUP BY grp ORDER BY grp");
  REQUIRE(correlated.ok());
  REQUIRE(grouped.ok());
  CHECK(correlated->back().rows == grouped->back().rows);

  // 10,001 distinct values of id: refused before running any, with the subquery's position.
  const std::string sql =
      "SELECT id FROM n a WHERE EXISTS (SELECT 1 FROM n b WHERE b.id = a.id + 1)";
  auto refused = engine.Run(sql);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("would run once for each of the 10001 distinct values") !=
        std::string::npos);
  CHECK(refused.status().position() == static_cast<int>(sql.find("EXISTS")) + 1);
  // Over 9 distinct values of v (and NULL) it runs: each v's smallest id is v itself.
  auto fewer = engine.Run(
      "SELECT COUNT(*) FROM n a WHERE EXISTS (SELECT 1 FROM n b WHERE b.v = a.v AND b.id <= a.v)");
  auto non_null = engine.Run("SELECT COUNT(v) FROM n");
  REQUIRE(fewer.ok());
  REQUIRE(non_null.ok());
  CHECK(fewer->back().rows == non_null->back().rows);
}

TEST_CASE("A subquery correlated by equalities runs once, grouped, for any number of outer values",
          "[sql][correlated]") {
  store::MemChunkStore store;
  InlineTaskRunner runner;
  testing::ImportText(store, "n", NumbersCsv(10'001), 4096);
  local::StoreTableProvider tables(store);
  REQUIRE(tables.Refresh().ok());
  sql::Engine engine(tables, &runner);
  // Each pair: over 10,001 distinct outer values (too many to run one by one), and an
  // equivalent without a correlated subquery.
  const std::pair<const char*, const char*> pairs[] = {
      {"SELECT COUNT(*) FROM n a WHERE EXISTS (SELECT 1 FROM n b WHERE b.id - 1 = a.id)",
       "SELECT COUNT(*) FROM n a JOIN n b ON b.id - 1 = a.id"},
      {"SELECT COUNT(*) FROM n a WHERE NOT EXISTS (SELECT 1 FROM n b WHERE a.id = b.v * 1000)",
       "SELECT COUNT(*) FROM n WHERE id NOT IN (SELECT v * 1000 FROM n WHERE v IS NOT NULL)"},
      {"SELECT SUM((SELECT MAX(b.v) FROM n b WHERE b.id = a.id)) FROM n a", "SELECT SUM(v) FROM n"},
      // No group for most ids: COUNT over no rows is 0, not NULL.
      {"SELECT COUNT(*) FROM n a WHERE (SELECT COUNT(*) FROM n b WHERE b.v = a.id) = 0",
       "SELECT COUNT(*) FROM n WHERE id NOT IN (SELECT v FROM n WHERE v IS NOT NULL)"},
      // A NULL outer value equals nothing: v is NULL for every tenth id.
      {"SELECT COUNT(*), SUM((SELECT COUNT(*) + 1 FROM n b WHERE b.id = a.v AND b.grp < 5)) FROM n "
       "a",
       "SELECT COUNT(*), SUM(CASE WHEN v IS NOT NULL AND v % 7 < 5 THEN 2 ELSE 1 END) FROM n"},
  };
  for (const auto& [correlated, plain] : pairs) {
    INFO(correlated);
    auto a = engine.Run(correlated);
    auto b = engine.Run(plain);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->back().rows == b->back().rows);
  }
}

}  // namespace
}  // namespace lake
