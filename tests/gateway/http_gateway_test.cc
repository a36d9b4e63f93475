// The HTTP gateway over a real node on 127.0.0.1 (one [net] smoke test): a node started
// in-process on a data directory holding sample-data/products.csv, its gateway on a free port,
// and a cpp-httplib client checking the JSON contract of each route.
#include "gateway/http_gateway.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "actors/node.h"
#include "common/task_runner.h"
#include "gateway/http_reply.h"
#include "gateway/query_json.h"
#include "local/data_dir.h"
#include "local/local_engine.h"
#include "local/system_clock.h"
#include "store/byte_source.h"
#include "store/importer.h"

namespace lake::gateway {
namespace {

using nlohmann::json;

const std::string kProductsCsv = std::string(LAKE_SOURCE_DIR) + "/sample-data/products.csv";

// Per process: ctest runs the cases of this binary in parallel.
std::string FreshDir(const std::string& name) {
  const std::string dir =
      std::string(LAKE_BINARY_DIR) + "/test-tmp/gateway-" + name + "-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

void ImportProducts(const std::string& data_dir) {
  auto dir = local::DataDir::Open(data_dir);
  REQUIRE(dir.ok());
  auto source = store::OpenFileSource(kProductsCsv);
  REQUIRE(source.ok());
  local::SystemClock clock;
  InlineTaskRunner runner;
  store::ImportOptions options;
  options.name = "products";
  store::ImportEnv env;
  env.clock = &clock;
  env.runner = &runner;
  REQUIRE(store::ImportCsv(*(*dir)->store(), **source, options, env).ok());
}

// The engine's own answer on the same store, as the gateway should render it.
json EngineRows(const std::string& data_dir, const std::string& sql) {
  auto dir = local::DataDir::Open(data_dir);
  REQUIRE(dir.ok());
  local::LocalEngine local(local::LocalEngineOptions{});
  REQUIRE(local.AttachStore(*(*dir)->store()).ok());
  auto results = local.engine().Run(sql);
  REQUIRE(results.ok());
  return RowsToJson(results->back());
}

const std::string kGroupSql =
    "SELECT category, COUNT(*) AS n, ROUND(AVG(price), 2) AS avg_price FROM products "
    "GROUP BY category ORDER BY category";

struct GatewayFixture {
  GatewayFixture() {
    spdlog::set_level(spdlog::level::warn);
    data_dir = FreshDir("smoke");
    ImportProducts(data_dir);
    expected_group_rows = EngineRows(data_dir, kGroupSql);  // before the node locks the store
    local::NodeConfig config;
    config.storage.data_path = data_dir;
    config.network.p2p_port = 0;
    auto dir = local::DataDir::Open(data_dir);
    REQUIRE(dir.ok());
    auto started = actors::Node::Start(config, std::move(dir).value());
    REQUIRE(started.ok());
    node = std::move(*started);
    gateway = std::make_unique<HttpGateway>(node->system(),
                                            NodeHandles{node->overlay().router, node->keeper(),
                                                        node->planner(), node->overlay().transport},
                                            GatewayOptions{});
    auto port = gateway->Start();
    REQUIRE(port.ok());
    client = std::make_unique<httplib::Client>("127.0.0.1", *port);
  }
  ~GatewayFixture() {
    gateway->Stop();
    node->Stop();
    std::filesystem::remove_all(data_dir);
  }

  json Get(const std::string& path, int expected_status = 200) {
    auto res = client->Get(path.c_str());
    REQUIRE(res);
    CHECK(res->status == expected_status);
    CHECK(res->get_header_value("Access-Control-Allow-Origin") == "*");
    return json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  }
  json Query(const std::string& body, int expected_status) {
    auto res = client->Post("/api/query", body, "application/json");
    REQUIRE(res);
    CHECK(res->status == expected_status);
    return json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  }

  std::string data_dir;
  json expected_group_rows;
  std::unique_ptr<actors::Node> node;
  std::unique_ptr<HttpGateway> gateway;
  std::unique_ptr<httplib::Client> client;
};

TEST_CASE_METHOD(GatewayFixture, "Health, status and peers answer with the original app's fields",
                 "[gateway][net]") {
  const json health = Get("/api/health");
  CHECK(health["status"] == "healthy");
  CHECK(health["nodeId"] == node->id().ToHex());
  CHECK(health["peersCount"] == 0);
  CHECK(health["uptime"].is_number());

  const json status = Get("/api/status");
  CHECK(status["nodeId"] == node->id().ToHex());
  CHECK(status["peersCount"] == 0);
  CHECK(status["peers"].is_array());
  CHECK(status["datasetsCount"] == 1);
  CHECK(status["datasets"] == json::array({"products"}));
  CHECK(status["memoryUsage"]["rss"].get<uint64_t>() > 0);
  CHECK(status["storageUsage"]["totalDatasets"] == 1);
  CHECK(status["storageUsage"]["totalChunks"] == 1);
  CHECK(status["storageUsage"]["totalSize"].get<uint64_t>() > 0);
  CHECK(status["storageUsage"]["formattedSize"].is_string());
  CHECK(status["p2pPort"] == node->overlay().port);

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
  CHECK(answer["stats"]["chunksTotal"] == 1);
  CHECK(answer["stats"]["chunksScanned"] == 1);
  CHECK(answer["stats"]["chunksPruned"] == 0);
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
  CHECK(HttpStatusOf(Status::Code::kNotFound) == 404);
  CHECK(HttpStatusOf(Status::Code::kResourceExhausted) == 413);
  CHECK(HttpStatusOf(Status::Code::kUnavailable) == 503);
  CHECK(HttpStatusOf(Status::Code::kTimeout) == 504);
  // A damaged chunk or a failing disk is the node's fault, never a bad request.
  CHECK(HttpStatusOf(Status::Code::kCorruption) == 500);
  CHECK(HttpStatusOf(Status::Code::kIOError) == 500);
}

}  // namespace
}  // namespace lake::gateway
