// POST /api/query over a real node on 127.0.0.1 ([net]): the node's store holds
// sample-data/products.csv and a generated table of every column type, and its gateway refuses
// whole answers over 100 rows. Every answer is compared with the local engine's over the same
// store, rendered by the same JSON and CSV helpers.
#include "gateway/query_route.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/query_csv.h"
#include "gateway/query_json.h"
#include "tests/gateway/gateway_node.h"

namespace lake::gateway {
namespace {

using nlohmann::json;
using testing::GatewayNode;

const std::string kProductsCsv = std::string(LAKE_SOURCE_DIR) + "/sample-data/products.csv";
constexpr uint64_t kMaxRows = 100;
constexpr int kEventRows = 3000;  // over 64 KiB of rows: a stream of several pieces

const std::string kGroupSql =
    "SELECT category, COUNT(*) AS n, MIN(price) AS low FROM products GROUP BY category "
    "ORDER BY category";
const std::string kEventsSql = "SELECT * FROM events ORDER BY id";
const std::string kProductsSql = "SELECT * FROM products ORDER BY product_id";

// A CSV of kEventRows rows with a column of each type: quoted commas and quotes, empty fields
// (NULL), fractional and negative doubles, dates and timestamps.
std::string WriteEventsCsv(const std::string& path) {
  std::ofstream out(path);
  out << "id,name,score,active,day,at,note\n";
  for (int i = 0; i < kEventRows; ++i) {
    char line[200];
    std::snprintf(line, sizeof line, "%d,%s,%g,%s,2024-01-%02d,2024-03-%02d %02d:%02d:%02d,%s\n", i,
                  i % 7 == 0 ? ("\"item, \"\"q\"\" " + std::to_string(i) + "\"").c_str()
                             : ("item " + std::to_string(i)).c_str(),
                  (i * 37 % 1000) / 8.0 - 50, i % 3 == 0 ? "true" : "false", i % 28 + 1, i % 28 + 1,
                  i % 24, i % 60, (i * 7) % 60,
                  i % 5 == 0 ? "" : ("n" + std::to_string(i)).c_str());
    out << line;
  }
  return path;
}

// The local engine's answers, computed before the node locks the store.
struct Expected {
  sql::QueryResult group;
  sql::QueryResult events;
  sql::QueryResult products;
};

Expected ImportAndAnswer(const std::string& data_dir) {
  testing::ImportFile(data_dir, kProductsCsv, "products");
  testing::ImportFile(data_dir, WriteEventsCsv(data_dir + "-events.csv"), "events");
  return Expected{testing::EngineResult(data_dir, kGroupSql),
                  testing::EngineResult(data_dir, kEventsSql),
                  testing::EngineResult(data_dir, kProductsSql)};
}

GatewayOptions Limited() {
  GatewayOptions options;
  options.max_result_rows = kMaxRows;
  return options;
}

struct QueryFixture {
  QueryFixture()
      : scratch("query"),
        data_dir(scratch.path()),
        expected(ImportAndAnswer(data_dir)),
        gateway(data_dir, local::NodeConfig{}, Limited()) {}
  ~QueryFixture() { std::remove((data_dir + "-events.csv").c_str()); }

  // POST /api/query?<params> with `body`, after CHECKing the status and the CORS header.
  httplib::Result Post(const std::string& params, const json& body, int expected_status) {
    httplib::Result res =
        gateway.client().Post(("/api/query" + params).c_str(), body.dump(), "application/json");
    GatewayNode::Body(res, expected_status);
    return res;
  }

  const testing::ScratchDir scratch;  // removed after the node below has stopped
  const std::string data_dir;
  const Expected expected;
  GatewayNode gateway;
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string CsvOf(const sql::QueryResult& result) {
  std::string csv = CsvHeader(result);
  for (size_t r = 0; r < result.rows.size(); ++r) csv += CsvRow(result, r);
  return csv;
}

TEST_CASE_METHOD(QueryFixture,
                 "A query's stats add up, and name their coverage when a partial answer is allowed",
                 "[gateway][net]") {
  const json answer = gateway.Query(json{{"query", kGroupSql}}.dump(), 200);
  CHECK(answer["data"] == RowsToJson(expected.group));
  CHECK(answer["rowCount"] == expected.group.rows.size());
  const json& stats = answer["stats"];
  for (const char* count : {"chunksTotal", "chunksScanned", "chunksPruned", "nodesContacted",
                            "retries", "bytesTransferred"}) {
    INFO(count);
    CHECK(stats[count].is_number_unsigned());
  }
  CHECK(stats["cached"].is_boolean());
  CHECK(stats["chunksScanned"].get<uint64_t>() + stats["chunksPruned"].get<uint64_t>() ==
        stats["chunksTotal"].get<uint64_t>());
  // A node that scanned a chunk asked some holder, if only itself.
  CHECK(stats["nodesContacted"].get<uint64_t>() >= (stats["chunksScanned"] > 0 ? 1u : 0u));
  CHECK_FALSE(stats.contains("rowsCovered"));
  CHECK_FALSE(stats.contains("rowsTotal"));

  const json partial = gateway.Query(json{{"sql", kGroupSql}, {"allowPartial", true}}.dump(), 200);
  CHECK(partial["data"] == answer["data"]);
  REQUIRE(partial["stats"]["rowsCovered"].is_number_unsigned());
  CHECK(partial["stats"]["rowsCovered"].get<uint64_t>() <=
        partial["stats"]["rowsTotal"].get<uint64_t>());

  gateway.Query(json{{"sql", kGroupSql}, {"allowPartial", "yes"}}.dump(), 400);
}

TEST_CASE_METHOD(QueryFixture, "rowMode array answers every column in order, even of one name",
                 "[gateway][net]") {
  const json answer = gateway.Query(json{{"sql", kGroupSql}, {"rowMode", "array"}}.dump(), 200);
  CHECK(answer["data"] == RowsToJson(expected.group, RowMode::kArray));
  CHECK(answer["columns"] == ColumnsToJson(expected.group));
  auto read_back = ResultFromJson(answer["columns"], answer["data"]);
  REQUIRE(read_back.ok());
  CHECK(read_back->rows == expected.group.rows);

  // Two columns of one name: an object keeps one, an array both.
  const std::string twins = "SELECT MIN(price), MAX(price) AS min FROM products";
  const json objects = gateway.Query(json{{"sql", twins}}.dump(), 200);
  const json arrays = gateway.Query(json{{"sql", twins}, {"rowMode", "array"}}.dump(), 200);
  REQUIRE(arrays["data"].size() == 1);
  CHECK(arrays["data"][0].size() == 2);
  CHECK(objects["data"][0].size() == 1);
  gateway.Query(json{{"sql", twins}, {"rowMode", "table"}}.dump(), 400);
}

TEST_CASE_METHOD(QueryFixture,
                 "An answer over maxResultRows is refused, naming its size and the "
                 "limit, unless it is streamed",
                 "[gateway][net]") {
  const json refused = gateway.Query(json{{"sql", kEventsSql}}.dump(), 400);
  CHECK(refused["success"] == false);
  const std::string error = refused["error"].get<std::string>();
  CHECK(error.find(std::to_string(kEventRows) + " rows") != std::string::npos);
  CHECK(error.find("limit of " + std::to_string(kMaxRows)) != std::string::npos);
  CHECK(error.find("LIMIT") != std::string::npos);
  CHECK(error.find("/api/query?stream=1") != std::string::npos);

  // As many rows as the limit is not over it.
  const json limited = gateway.Query(
      json{{"sql", "SELECT * FROM events ORDER BY id LIMIT " + std::to_string(kMaxRows)}}.dump(),
      200);
  CHECK(limited["rowCount"] == kMaxRows);
}

TEST_CASE_METHOD(QueryFixture,
                 "?stream=1 answers every row as a JSON line between a columns line and a totals "
                 "line",
                 "[gateway][net]") {
  httplib::Result res = Post("?stream=1", json{{"sql", kEventsSql}}, 200);
  CHECK(res->get_header_value("Content-Type") == "application/x-ndjson");
  CHECK(res->get_header_value("Transfer-Encoding") == "chunked");
  const std::vector<std::string> lines = Lines(res->body);
  REQUIRE(lines.size() == expected.events.rows.size() + 2);
  CHECK(json::parse(lines.front()) == json{{"columns", ColumnsToJson(expected.events)}});
  size_t mismatched = 0;
  for (size_t r = 0; r < expected.events.rows.size(); ++r) {
    mismatched += json::parse(lines[r + 1]) != RowToJson(expected.events, r);
  }
  CHECK(mismatched == 0);
  const json totals = json::parse(lines.back());
  CHECK(totals["rowCount"] == kEventRows);
  CHECK(totals["executionTime"].is_number());
  CHECK(totals["stats"]["chunksTotal"].is_number_unsigned());
  CHECK_FALSE(totals["stats"].contains("rowsCovered"));

  // Rows as arrays, and the coverage when a partial answer is allowed.
  httplib::Result arrays = Post(
      "?stream=1", json{{"sql", kProductsSql}, {"rowMode", "array"}, {"allowPartial", true}}, 200);
  const std::vector<std::string> array_lines = Lines(arrays->body);
  REQUIRE(array_lines.size() == expected.products.rows.size() + 2);
  CHECK(json::parse(array_lines[1]) == RowToJson(expected.products, 0, RowMode::kArray));
  CHECK(json::parse(array_lines.back())["stats"].contains("rowsCovered"));
}

TEST_CASE_METHOD(QueryFixture, "?stream=1&format=csv answers every row as CSV", "[gateway][net]") {
  httplib::Result events = Post("?stream=1&format=csv", json{{"sql", kEventsSql}}, 200);
  CHECK(events->get_header_value("Content-Type") == "text/csv; charset=utf-8");
  CHECK(events->body == CsvOf(expected.events));
  httplib::Result products = Post("?stream=1&format=csv", json{{"sql", kProductsSql}}, 200);
  CHECK(products->body == CsvOf(expected.products));
  CHECK(Lines(products->body).size() == expected.products.rows.size() + 1);
}

TEST_CASE_METHOD(QueryFixture,
                 "A streamed query's errors come before the stream, with their status codes",
                 "[gateway][net]") {
  httplib::Result bad = Post("?stream=1", json{{"sql", "SELECT nope FROM events"}}, 400);
  const json error = json::parse(bad->body, nullptr, false);
  CHECK(error["success"] == false);
  CHECK(error["position"] == 8);
  Post("?stream=1&format=xml", json{{"sql", kEventsSql}}, 400);
  Post("?format=csv", json{{"sql", kEventsSql}}, 400);  // a format without stream=1
  Post("?stream=yes", json{{"sql", kEventsSql}}, 400);
  // stream=0 is the whole answer, bounded as ever.
  Post("?stream=0", json{{"sql", kEventsSql}}, 400);
  Post("?stream=0", json{{"sql", kGroupSql}}, 200);
}

}  // namespace
}  // namespace lake::gateway
