// POST /api/query in front of a stub planner (tests/gateway/stub_planner.h), so that the gateway's
// side of the contract is checked whatever today's planner can provoke.
#include <httplib.h>
#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "actors/errors.h"
#include "gateway/gateway_actor.h"
#include "gateway/query_route.h"
#include "tests/gateway/stub_planner.h"

namespace lake::gateway {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using testing::kMaxQueryTime;
using testing::StubFixture;

actors::QueryAnswer AnswerWithStats() {
  actors::QueryAnswer answer;
  answer.result.names = {"x"};
  answer.result.types = {LogicalType::kBigInt};
  answer.result.rows = {{sql::Value::BigInt(7)}};
  answer.execution_ms = 12.5;
  answer.stats = actors::QueryStats{.chunks_total = 10,
                                    .chunks_scanned = 6,
                                    .chunks_pruned = 4,
                                    .nodes_contacted = 3,
                                    .retries = 2,
                                    .bytes_transferred = 12345,
                                    .rows_covered = 600,
                                    .rows_total = 1000,
                                    .cached = true};
  return answer;
}

TEST_CASE_METHOD(StubFixture, "The planner's stats reach the client field by field",
                 "[gateway][net]") {
  Answer(AnswerWithStats());
  httplib::Result res = Post("", json{{"sql", "SELECT x FROM t"}});
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(LastRequest().sql == "SELECT x FROM t");
  CHECK_FALSE(LastRequest().allow_partial);
  REQUIRE(LastRequest().abandoned != nullptr);
  CHECK_FALSE(LastRequest().abandoned->load());
  const json answer = json::parse(res->body);
  CHECK(answer["executionTime"] == 12.5);
  CHECK(answer["stats"] == json{{"chunksTotal", 10},
                                {"chunksScanned", 6},
                                {"chunksPruned", 4},
                                {"nodesContacted", 3},
                                {"retries", 2},
                                {"bytesTransferred", 12345},
                                {"cached", true}});

  httplib::Result partial = Post("", json{{"sql", "SELECT x FROM t"}, {"allowPartial", true}});
  REQUIRE(partial);
  CHECK(LastRequest().allow_partial);
  const json stats = json::parse(partial->body)["stats"];
  CHECK(stats["rowsCovered"] == 600);
  CHECK(stats["rowsTotal"] == 1000);
}

TEST_CASE_METHOD(StubFixture, "A busy planner's 503 carries Retry-After, streamed or not",
                 "[gateway][net]") {
  Answer(Status::Unavailable("busy: 8 queries are running"));
  for (const char* params : {"", "?stream=1", "?stream=1&format=csv"}) {
    INFO(params);
    httplib::Result res = Post(params, json{{"sql", "SELECT 1"}});
    REQUIRE(res);
    CHECK(res->status == 503);
    CHECK(res->get_header_value("Retry-After") == "1");
    CHECK(res->get_header_value("Content-Type") == "application/json");
    CHECK(json::parse(res->body)["error"].get<std::string>().find("busy") != std::string::npos);
  }
}

TEST_CASE_METHOD(StubFixture, "The planner's own timeout reaches the client with its message",
                 "[gateway][net]") {
  Answer(Status::Timeout("the query ran past analytics.maxQueryTime (100 ms)"));
  httplib::Result res = Post("", json{{"sql", "SELECT 1"}});
  REQUIRE(res);
  CHECK(res->status == 504);
  CHECK(res->get_header_value("Retry-After").empty());
  const std::string error = json::parse(res->body)["error"].get<std::string>();
  CHECK(error.find("the query ran past analytics.maxQueryTime") != std::string::npos);
}

TEST_CASE_METHOD(StubFixture,
                 "A planner silent past maxQueryTime and the margin gets a 504, and its request "
                 "is marked abandoned",
                 "[gateway][net]") {
  const auto start = std::chrono::steady_clock::now();
  httplib::Result res = Post("", json{{"sql", "SELECT 1"}});
  const auto waited = std::chrono::steady_clock::now() - start;
  REQUIRE(res);
  CHECK(res->status == 504);
  CHECK(waited >= kMaxQueryTime + kQueryWaitMargin);
  const actors::QueryRequest request = LastRequest();
  REQUIRE(request.abandoned != nullptr);
  CHECK(request.abandoned->load());
}

}  // namespace
}  // namespace lake::gateway
