// LocalEngine: a store's datasets and CSV files behind one catalog.
#include "local/local_engine.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "common/clock.h"
#include "store/mem_chunk_store.h"
#include "tests/support/import_text.h"

namespace lake::local {
namespace {

using Catch::Matchers::Contains;

const std::string kProductsCsv = std::string(LAKE_SOURCE_DIR) + "/sample-data/products.csv";

TEST_CASE("LocalEngine answers over an attached store and CSV files together", "[local][engine]") {
  store::MemChunkStore store;
  testing::ImportText(store, "t", "a,b\n1,x\n2,y\n3,\n");
  ManualClock clock(FromMicros(2'000'000));
  LocalEngineOptions options;
  options.threads = 2;
  options.cache_bytes = 1 << 20;
  LocalEngine local(options);
  REQUIRE(local.AttachStore(store).ok());
  REQUIRE(local.AttachCsv("products", kProductsCsv, clock).ok());

  auto tables = local.engine().Run("SHOW TABLES");
  REQUIRE(tables.ok());
  REQUIRE(tables->back().rows.size() == 2);
  auto sum = local.engine().Run("SELECT SUM(a), COUNT(b) FROM t");
  REQUIRE(sum.ok());
  CHECK(sum->back().rows.at(0).at(0) == sql::Value::BigInt(6));
  CHECK(sum->back().rows.at(0).at(1) == sql::Value::BigInt(2));
  // The CSV table has every row of the file (the header aside).
  std::ifstream in(kProductsCsv);
  int64_t lines = 0;
  for (std::string line; std::getline(in, line);) lines += line.empty() ? 0 : 1;
  auto count = local.engine().Run("SELECT COUNT(*) FROM products");
  REQUIRE(count.ok());
  CHECK(count->back().rows.at(0).at(0) == sql::Value::BigInt(lines - 1));
}

TEST_CASE("LocalEngine sees datasets imported after it attached the store once refreshed",
          "[local][engine]") {
  store::MemChunkStore store;
  LocalEngine local(LocalEngineOptions{});
  REQUIRE(local.AttachStore(store).ok());
  CHECK_FALSE(local.engine().Run("SELECT * FROM late").ok());
  testing::ImportText(store, "late", "x\n7\n");
  REQUIRE(local.Refresh().ok());
  auto rows = local.engine().Run("SELECT x FROM late");
  REQUIRE(rows.ok());
  CHECK(rows->back().rows.at(0).at(0) == sql::Value::BigInt(7));
}

TEST_CASE("LocalEngine names the file, line and column of a malformed CSV", "[local][engine]") {
  const std::string path = std::string(LAKE_BINARY_DIR) + "/test-tmp/local-engine-bad-" +
                           std::to_string(::getpid()) + ".csv";
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << "a,b\n1,2\n3,\"open\n";
  ManualClock clock(FromMicros(1));
  LocalEngine local(LocalEngineOptions{});
  const Status status = local.AttachCsv("bad", path, clock);
  CHECK_FALSE(status.ok());
  CHECK_THAT(status.message(), Contains(path) && Contains("line 3"));
  CHECK_FALSE(local.engine().Run("SELECT * FROM bad").ok());  // nothing of it is a table
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace lake::local
