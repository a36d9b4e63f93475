// Aggregation past the partition threshold, through the whole engine: a table with tens of
// thousands of groups (so the workers' hash tables split and merge partition by partition, and
// the root projects and cuts its top rows in parallel) answers the same at 1 and 2 threads and in
// fragments through their wire form, equal to a brute-force count, and fails with the same error.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/rng.h"
#include "local/local_engine.h"
#include "sql/fragment_codec.h"

namespace lake {
namespace {

constexpr size_t kRows = 150000;

// Rows of (k BIGINT: ~60k values, s VARCHAR: ~3k values, v DOUBLE: multiples of 0.25, so every
// sum is exact in any order, x BIGINT); returns each k's row count.
std::map<int64_t, int64_t> WriteTable(const std::string& path) {
  std::ofstream out(path);
  out << "k,s,v,x\n";
  Rng rng(5);
  std::map<int64_t, int64_t> counts;
  for (size_t i = 0; i < kRows; ++i) {
    const auto k = static_cast<int64_t>(rng.Uniform(60000)) * 7 - 1000;
    ++counts[k];
    out << k << ",s" << rng.Uniform(3000) << "," << static_cast<double>(rng.Uniform(400)) / 4 - 50
        << "," << rng.Uniform(100) << "\n";
  }
  return counts;
}

std::vector<std::vector<std::string>> Texts(const sql::QueryResult& r) {
  std::vector<std::vector<std::string>> rows;
  for (const std::vector<sql::Value>& row : r.rows) {
    rows.emplace_back();
    for (const sql::Value& v : row) rows.back().push_back(v.ToString());
  }
  return rows;
}

TEST_CASE("Aggregation over tens of thousands of groups answers alike at 1 and 2 threads",
          "[sql][parallel]") {
  const std::string path = std::string(LAKE_BINARY_DIR) + "/parallel_aggregation.csv";
  const std::map<int64_t, int64_t> counts = WriteTable(path);
  ManualClock clock(FromMicros(1'000'000));
  local::LocalEngineOptions one, two;
  one.csv_chunk_bytes = two.csv_chunk_bytes = 256 << 10;  // a dozen chunks
  two.threads = 2;
  local::LocalEngine serial(one), parallel(two);
  REQUIRE(serial.AttachCsv("t", path, clock).ok());
  REQUIRE(parallel.AttachCsv("t", path, clock).ok());

  const std::vector<std::string> queries = {
      "SELECT k, COUNT(*) AS n FROM t GROUP BY k ORDER BY k",
      "SELECT k, COUNT(*) AS n, SUM(v) AS total, MIN(s) AS first, MAX(x) AS top FROM t "
      "GROUP BY k ORDER BY total DESC, k LIMIT 7",
      "SELECT s, COUNT(DISTINCT k) AS ks, AVG(v) AS mean, COUNT(DISTINCT x) AS xs FROM t "
      "GROUP BY s HAVING COUNT(*) > 50 ORDER BY s",
      "SELECT k, s, COUNT(*) AS n FROM t GROUP BY k, s ORDER BY n DESC, k, s LIMIT 5",
      "SELECT COUNT(DISTINCT k) AS ks, COUNT(DISTINCT s) AS ss, SUM(DISTINCT x) AS xs FROM t",
      "SELECT x, COUNT(DISTINCT k) AS ks FROM t WHERE v > 0 GROUP BY x ORDER BY x",
  };
  for (const std::string& sql : queries) {
    INFO(sql);
    Result<std::vector<sql::QueryResult>> a = serial.engine().Run(sql);
    Result<std::vector<sql::QueryResult>> b = parallel.engine().Run(sql);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(Texts(a->back()) == Texts(b->back()));

    // The same query in one fragment per chunk, each through its wire form, merged by the root.
    std::vector<Bytes> partials;
    const size_t chunks = parallel.tables().ListTables()[0].chunks;
    REQUIRE(chunks > 4);
    for (size_t chunk = 0; chunk < chunks; ++chunk) {
      Result<Bytes> partial =
          parallel.engine().RunFragment(sql::EncodeFragmentRequest({sql, {chunk}}));
      REQUIRE(partial.ok());
      partials.push_back(std::move(*partial));
    }
    Result<sql::QueryResult> merged = parallel.engine().MergeFragments(sql, partials);
    REQUIRE(merged.ok());
    CHECK(Texts(*merged) == Texts(a->back()));
  }

  // The first query against a count of its own.
  Result<std::vector<sql::QueryResult>> grouped = parallel.engine().Run(queries[0]);
  REQUIRE(grouped.ok());
  REQUIRE(grouped->back().rows.size() == counts.size());
  size_t row = 0;
  for (const auto& [k, n] : counts) {
    CHECK(grouped->back().rows[row][0].integer == k);
    CHECK(grouped->back().rows[row][1].integer == n);
    ++row;
  }

  // A runtime error in the select list: the same one, whichever range of groups hits it first.
  const std::string failing = "SELECT k, 10 / (MAX(x) - MAX(x)) AS q FROM t GROUP BY k";
  Result<std::vector<sql::QueryResult>> a = serial.engine().Run(failing);
  Result<std::vector<sql::QueryResult>> b = parallel.engine().Run(failing);
  REQUIRE(!a.ok());
  REQUIRE(!b.ok());
  CHECK(a.status().ToString() == b.status().ToString());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace lake
