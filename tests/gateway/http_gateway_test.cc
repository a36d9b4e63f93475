// The HTTP gateway over a real node on 127.0.0.1 (one [net] smoke test): a node started
// in-process on a data directory holding sample-data/products.csv, its gateway on a free port,
// and a cpp-httplib client checking the JSON contract of each route.
#include "gateway/http_gateway.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "gateway/http_reply.h"
#include "tests/gateway/gateway_node.h"

namespace lake::gateway {
namespace {

using nlohmann::json;
using testing::GatewayNode;

const std::string kProductsCsv = std::string(LAKE_SOURCE_DIR) + "/sample-data/products.csv";

const std::string kGroupSql =
    "SELECT category, COUNT(*) AS n, ROUND(AVG(price), 2) AS avg_price FROM products "
    "GROUP BY category ORDER BY category";

// A node whose store holds products.csv, imported before it starts.
struct GatewayFixture {
  GatewayFixture()
      : scratch("smoke"),
        data_dir(scratch.path()),
        expected_group_rows((testing::ImportFile(data_dir, kProductsCsv, "products"),
                             testing::EngineRows(data_dir, kGroupSql))),
        gateway(data_dir, local::NodeConfig{}) {}

  json Get(const std::string& path, int expected_status = 200) {
    return gateway.Get(path, expected_status);
  }
  json Query(const std::string& body, int expected_status) {
    return gateway.Query(body, expected_status);
  }

  const testing::ScratchDir scratch;  // removed after the node below has stopped
  const std::string data_dir;
  const json expected_group_rows;  // computed before the node locks the store
  GatewayNode gateway;
  actors::Node& node = gateway.node();
};

TEST_CASE_METHOD(GatewayFixture, "Health, status and peers answer with the original app's fields",
                 "[gateway][net]") {
  const json health = Get("/api/health");
  CHECK(health["status"] == "healthy");
  CHECK(health["nodeId"] == node.id().ToHex());
  CHECK(health["peersCount"] == 0);
  CHECK(health["uptime"].is_number());

  const json status = Get("/api/status");
  CHECK(status["nodeId"] == node.id().ToHex());
  CHECK(status["peersCount"] == 0);
  CHECK(status["peers"].is_array());
  CHECK(status["datasetsCount"] == 1);
  CHECK(status["datasets"] == json::array({"products"}));
  CHECK(status["memoryUsage"]["rss"].get<uint64_t>() > 0);
  CHECK(status["storageUsage"]["totalDatasets"] == 1);
  CHECK(status["storageUsage"]["totalChunks"] == 1);
  CHECK(status["storageUsage"]["totalSize"].get<uint64_t>() > 0);
  CHECK(status["storageUsage"]["formattedSize"].is_string());
  CHECK(status["p2pPort"] == node.overlay().port);
  for (const char* counter :
       {"pushesSent", "pushesFailed", "pushesReceived", "pushesRefused", "repairRounds",
        "repairCopies", "repairHandoffs", "repairPending", "chunksCollected"}) {
    INFO(counter);
    CHECK(status["replication"][counter].is_number_unsigned());
  }

  const json peers = Get("/api/peers");
  CHECK(peers["success"] == true);
  CHECK(peers["peers"] == json::array());
  Get("/api/nothing-here", 404);
}

TEST_CASE_METHOD(GatewayFixture, "Queries answer as the engine does, and bad ones say where",
                 "[gateway][net]") {
  const json answer = Query(json{{"sql", kGroupSql}}.dump(), 200);
  CHECK(answer["success"] == true);
  CHECK(answer["data"] == expected_group_rows);
  CHECK(answer["data"].size() >= 2);
  CHECK(answer["rowCount"] == answer["data"].size());
  CHECK(answer["columns"][0] == json{{"name", "category"}, {"type", "VARCHAR"}});
  CHECK(answer["columns"][1] == json{{"name", "n"}, {"type", "BIGINT"}});
  CHECK(answer["executionTime"].is_number());

  // The original app's body key works too.
  const json same = Query(json{{"query", kGroupSql}}.dump(), 200);
  CHECK(same["data"] == answer["data"]);

  const json bad = Query(json{{"sql", "SELECT nope FROM products"}}.dump(), 400);
  CHECK(bad["success"] == false);
  CHECK(bad["position"] == 8);
  CHECK(bad["error"].get<std::string>().find("nope") != std::string::npos);

  const json syntax = Query(json{{"sql", "SELEC 1"}}.dump(), 400);
  CHECK(syntax["position"] == 1);

  const json not_json = Query("SELECT 1", 400);
  CHECK(not_json["success"] == false);
}

TEST_CASE("Error codes map to HTTP statuses: the caller's mistakes 4xx, the node's state 5xx",
          "[gateway]") {
  CHECK(HttpStatusOf(Status::Code::kInvalidArgument) == 400);
  CHECK(HttpStatusOf(Status::Code::kUnauthenticated) == 401);
  CHECK(HttpStatusOf(Status::Code::kPermissionDenied) == 403);
  CHECK(HttpStatusOf(Status::Code::kNotFound) == 404);
  CHECK(HttpStatusOf(Status::Code::kResourceExhausted) == 413);
  CHECK(HttpStatusOf(Status::Code::kUnsupported) == 415);
  CHECK(HttpStatusOf(Status::Code::kUnavailable) == 503);
  CHECK(HttpStatusOf(Status::Code::kTimeout) == 504);
  // A damaged chunk or a failing disk is the node's fault, never a bad request.
  CHECK(HttpStatusOf(Status::Code::kCorruption) == 500);
  CHECK(HttpStatusOf(Status::Code::kIOError) == 500);
}

}  // namespace
}  // namespace lake::gateway
