// Set operations past what the corpus (tests/sql/set_operation/*.test) shows: the chunks a
// statement reports having read are both sides' (the API's chunksScanned and chunksPruned).
#include <catch2/catch.hpp>

#include <string>

#include "common/task_runner.h"
#include "local/store_table_provider.h"
#include "sql/engine.h"
#include "store/mem_chunk_store.h"
#include "tests/support/import_text.h"

namespace lake {
namespace {

TEST_CASE("A set operation reports the chunks both of its sides read and skipped",
          "[sql][set_operation]") {
  std::string csv = "id,v\n";
  for (int i = 0; i < 5000; ++i) csv += std::to_string(i) + "," + std::to_string(i % 10) + "\n";
  store::MemChunkStore store;
  InlineTaskRunner runner;
  testing::ImportText(store, "n", csv, 4096);
  local::StoreTableProvider tables(store);
  REQUIRE(tables.Refresh().ok());
  sql::Engine engine(tables, &runner);

  const char* left = "SELECT v FROM n WHERE id < 100";  // zone maps skip most chunks
  const char* right = "SELECT v FROM n WHERE v = 3";
  auto l = engine.Run(left);
  auto r = engine.Run(right);
  auto both = engine.Run(std::string(left) + " UNION " + right);
  REQUIRE(l.ok());
  REQUIRE(r.ok());
  REQUIRE(both.ok());
  CHECK(l->back().chunks_pruned > 0);
  CHECK(both->back().chunks_scanned == l->back().chunks_scanned + r->back().chunks_scanned);
  CHECK(both->back().chunks_pruned == l->back().chunks_pruned + r->back().chunks_pruned);
}

}  // namespace
}  // namespace lake
