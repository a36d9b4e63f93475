// Test support for the gateway's [net] tests: a node started in-process on a data directory, its
// gateway on a free port of 127.0.0.1 (uploads spooled to the directory's spool), and a
// cpp-httplib client with JSON helpers that check the status and that no CORS header is sent to a
// client that names no origin; plus the local paths (import, engine) whose answers the gateway's
// must equal.
// Header-only; one test's thread uses it.
#pragma once

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "actors/node.h"
#include "common/task_runner.h"
#include "gateway/gateway_actor.h"
#include "gateway/query_json.h"
#include "local/data_dir.h"
#include "local/local_engine.h"
#include "local/system_clock.h"
#include "store/byte_source.h"
#include "store/importer.h"

namespace lake::gateway::testing {

using nlohmann::json;

// LAKE_BINARY_DIR/test-tmp/gateway-<name>-<pid>, removed (ctest runs cases in parallel).
inline std::string FreshDir(const std::string& name) {
  const std::string dir =
      std::string(LAKE_BINARY_DIR) + "/test-tmp/gateway-" + name + "-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

// A FreshDir removed again when the object goes. Declare it before the node that uses the
// directory (members are destroyed in reverse order), so that the node has stopped by then.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name) : path_(FreshDir(name)) {}
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  const std::string path_;
};

// `p2plake import` of `csv_path` as dataset `name` into `data_dir` (not open elsewhere).
inline store::ImportSummary ImportFile(const std::string& data_dir, const std::string& csv_path,
                                       const std::string& name) {
  auto dir = local::DataDir::Open(data_dir);
  REQUIRE(dir.ok());
  auto source = store::OpenFileSource(csv_path);
  REQUIRE(source.ok());
  local::SystemClock clock;
  InlineTaskRunner runner;
  store::ImportOptions options;
  options.name = name;
  store::ImportEnv env;
  env.clock = &clock;
  env.runner = &runner;
  auto summary = store::ImportCsv(*(*dir)->store(), **source, options, env);
  REQUIRE(summary.ok());
  return std::move(summary).value();
}

// The local engine's answer to `sql` over the store of `data_dir` (not open elsewhere).
inline sql::QueryResult EngineResult(const std::string& data_dir, const std::string& sql) {
  auto dir = local::DataDir::Open(data_dir);
  REQUIRE(dir.ok());
  local::LocalEngine local(local::LocalEngineOptions{});
  REQUIRE(local.AttachStore(*(*dir)->store()).ok());
  auto results = local.engine().Run(sql);
  REQUIRE(results.ok());
  return std::move(results->back());
}

// EngineResult's rows as the gateway renders rows.
inline json EngineRows(const std::string& data_dir, const std::string& sql) {
  return RowsToJson(EngineResult(data_dir, sql));
}

// A config under which a node alone stores uploads: one replica of each chunk.
inline local::NodeConfig OneReplica() {
  local::NodeConfig config;
  config.storage.replication_factor = 1;
  config.storage.write_quorum = 1;
  return config;
}

class GatewayNode {
 public:
  // Starts a node over `data_dir` with `config` (its data path and p2p port are set here) and a
  // gateway with `options` (its spool directory too).
  GatewayNode(const std::string& data_dir, local::NodeConfig config, GatewayOptions options = {}) {
    spdlog::set_level(spdlog::level::warn);
    config.storage.data_path = data_dir;
    config.network.p2p_port = 0;
    auto dir = local::DataDir::Open(data_dir);
    REQUIRE(dir.ok());
    spool_dir_ = (*dir)->spool_dir();
    auto started = actors::Node::Start(config, std::move(dir).value());
    REQUIRE(started.ok());
    node_ = std::move(*started);
    options.spool_dir = spool_dir_;
    auto gateway = Gateway::Start(node_->system(),
                                  NodeHandles{node_->overlay().router, node_->keeper(),
                                              node_->planner(), node_->overlay().transport},
                                  options);
    REQUIRE(gateway.ok());
    gateway_ = std::move(gateway).value();
    port_ = gateway_->port();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(60, 0);  // an upload answers once stored
  }
  ~GatewayNode() {
    gateway_->Stop();
    node_->Stop();
  }

  actors::Node& node() { return *node_; }
  httplib::Client& client() { return *client_; }
  const std::string& spool_dir() const { return spool_dir_; }
  uint16_t port() const { return port_; }

  // The parsed body of an answer (discarded if it is not JSON), after CHECKing its status.
  static json Body(const httplib::Result& res, int expected_status) {
    REQUIRE(res);
    CHECK(res->status == expected_status);
    CHECK_FALSE(res->has_header("Access-Control-Allow-Origin"));
    return json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  }
  json Get(const std::string& path, int expected_status = 200) {
    return Body(client_->Get(path.c_str()), expected_status);
  }
  json Query(const std::string& body, int expected_status) {
    return Body(client_->Post("/api/query", body, "application/json"), expected_status);
  }

 private:
  std::string spool_dir_;
  uint16_t port_ = 0;
  std::unique_ptr<actors::Node> node_;
  std::unique_ptr<Gateway> gateway_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace lake::gateway::testing
