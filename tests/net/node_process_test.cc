// Real `p2plake node` processes on 127.0.0.1: joining through a seed, the HTTP contract of
// /api/health, /api/status and /api/peers, peer loss and restart on the same data
// directory, clean SIGTERM shutdown, and config.json errors and warnings.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/net/node_process.h"

namespace lake::nettest {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

std::set<std::string> PeerSet(const NodeProcess& node) {
  const std::vector<std::string> ids = PeerIds(node.http_port());
  return std::set<std::string>(ids.begin(), ids.end());
}

// True once every node lists exactly the other running nodes in /api/peers.
bool FullMesh(const std::vector<NodeProcess*>& nodes) {
  for (const NodeProcess* node : nodes) {
    std::set<std::string> others;
    for (const NodeProcess* other : nodes) {
      if (other != node) others.insert(other->node_id());
    }
    if (PeerSet(*node) != others) return false;
  }
  return true;
}

std::string Describe(const std::vector<NodeProcess*>& nodes) {
  std::string text;
  for (const NodeProcess* node : nodes) {
    text += node->node_id().substr(0, 8) + " at " + node->p2p_address() + " lists {";
    for (const std::string& id : PeerSet(*node)) text += " " + id.substr(0, 8);
    text += " }\n";
  }
  return text;
}

bool IsNonNegativeNumber(const json& value) { return value.is_number() && value >= 0; }

// Starts three nodes, the second and third seeded with the first, and waits for the full mesh.
void StartTriangle(NodeProcess& n1, NodeProcess& n2, NodeProcess& n3) {
  const bool started1 = n1.Start();
  INFO(n1.error());
  REQUIRE(started1);
  const bool started2 = n2.Start({n1.p2p_address()});
  INFO(n2.error());
  REQUIRE(started2);
  const bool started3 = n3.Start({n1.p2p_address()});
  INFO(n3.error());
  REQUIRE(started3);
  const std::vector<NodeProcess*> nodes{&n1, &n2, &n3};
  const bool mesh = Eventually([&] { return FullMesh(nodes); }, seconds(10));
  INFO(Describe(nodes));
  REQUIRE(mesh);
}

TEST_CASE("Three nodes joined through one seed list each other and report it over HTTP", "[net]") {
  const std::string dir = FreshTestDir("triangle");
  NodeProcess n1(dir + "/n1");
  NodeProcess n2(dir + "/n2");
  NodeProcess n3(dir + "/n3");
  StartTriangle(n1, n2, n3);
  const std::vector<NodeProcess*> nodes{&n1, &n2, &n3};
  CHECK(n1.node_id() != n2.node_id());
  CHECK(n2.node_id() != n3.node_id());
  CHECK(n1.node_id() != n3.node_id());

  for (NodeProcess* node : nodes) {
    INFO("node " << node->node_id() << " http " << node->http_port());

    std::optional<json> health = GetJson(node->http_port(), "/api/health");
    REQUIRE(health);
    CHECK((*health)["status"] == "healthy");
    CHECK((*health)["nodeId"] == node->node_id());
    CHECK((*health)["peersCount"] == 2);
    CHECK(IsNonNegativeNumber((*health)["uptime"]));

    std::optional<json> peers = GetJson(node->http_port(), "/api/peers");
    REQUIRE(peers);
    CHECK((*peers)["success"] == true);
    REQUIRE((*peers)["peers"].is_array());
    for (json peer : (*peers)["peers"]) {
      INFO(peer.dump());
      // Each peer is listed under the address it listens on, with the API's four fields.
      const auto other = std::find_if(nodes.begin(), nodes.end(), [&](const NodeProcess* n) {
        return n->node_id() == peer["nodeId"];
      });
      REQUIRE(other != nodes.end());
      CHECK(peer["address"] == (*other)->p2p_address());
      CHECK(IsNonNegativeNumber(peer["lastSeen"]));
      CHECK((peer["rttMs"].is_null() || IsNonNegativeNumber(peer["rttMs"])));
    }

    std::optional<json> status = GetJson(node->http_port(), "/api/status");
    REQUIRE(status);
    INFO(status->dump());
    CHECK((*status)["nodeId"] == node->node_id());
    CHECK((*status)["port"] == node->http_port());
    CHECK((*status)["p2pPort"] == node->p2p_port());
    CHECK((*status)["peersCount"] == 2);
    REQUIRE((*status)["peers"].is_array());
    CHECK((*status)["peers"].size() == 2);
    for (json peer : (*status)["peers"]) {
      CHECK(peer.contains("nodeId"));
      CHECK(peer.contains("address"));
      CHECK(peer.contains("lastSeen"));
      CHECK(peer.contains("rttMs"));
    }
    CHECK((*status)["datasetsCount"] == 0);
    CHECK((*status)["datasets"] == json::array());
    CHECK(IsNonNegativeNumber((*status)["uptime"]));
    REQUIRE((*status)["memoryUsage"].is_object());
    CHECK((*status)["memoryUsage"]["rss"] > 0);
    json& storage = (*status)["storageUsage"];
    REQUIRE(storage.is_object());
    CHECK(storage["totalDatasets"] == 0);
    CHECK(storage["totalChunks"] == 0);
    CHECK(storage["totalSize"] == 0);
    CHECK(storage["formattedSize"] == "0 B");
  }
}

TEST_CASE("A node killed with SIGKILL leaves its peers' tables and rejoins with the same NodeId",
          "[net]") {
  const std::string dir = FreshTestDir("kill9");
  NodeProcess n1(dir + "/n1");
  NodeProcess n2(dir + "/n2");
  NodeProcess n3(dir + "/n3");
  StartTriangle(n1, n2, n3);
  const std::string n3_id = n3.node_id();

  n3.Kill9();
  const auto killed = Clock::now();
  // The closed TCP connections make n1 and n2 ping n3 at once, and the dial back is refused.
  const bool dropped = Eventually(
      [&] { return PeerSet(n1).count(n3_id) == 0 && PeerSet(n2).count(n3_id) == 0; }, seconds(5));
  const auto drop_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed).count();
  INFO("dropped after " << drop_ms << " ms\n" << Describe({&n1, &n2}));
  REQUIRE(dropped);
  CHECK(PeerSet(n1) == std::set<std::string>{n2.node_id()});
  CHECK(PeerSet(n2) == std::set<std::string>{n1.node_id()});
  CHECK((*GetJson(n1.http_port(), "/api/health"))["peersCount"] == 1);

  const bool restarted = n3.Restart();
  INFO(n3.error());
  REQUIRE(restarted);
  CHECK(n3.node_id() == n3_id);  // the key in its data directory survived the SIGKILL
  const std::vector<NodeProcess*> nodes{&n1, &n2, &n3};
  const bool mesh = Eventually([&] { return FullMesh(nodes); }, seconds(10));
  INFO(Describe(nodes));
  REQUIRE(mesh);
  // Listed under its new port.
  std::optional<json> peers = GetJson(n2.http_port(), "/api/peers");
  REQUIRE(peers);
  for (json peer : (*peers)["peers"]) {
    if (peer["nodeId"] == n3_id) CHECK(peer["address"] == n3.p2p_address());
  }
}

TEST_CASE("SIGTERM stops a node with exit code 0 and it restarts on the same data directory",
          "[net]") {
  const std::string dir = FreshTestDir("sigterm");
  NodeProcess node(dir + "/n1");
  // A dataset in the store, so the restart shows the database reopened with its contents.
  const RunResult import =
      RunP2plake({"import", "--data-dir", node.data_dir(), "--name", "products",
                  std::string(LAKE_SOURCE_DIR) + "/sample-data/products.csv"});
  INFO(import.out << import.err);
  REQUIRE(import.exit_code == 0);
  const bool started = node.Start();
  INFO(node.error());
  REQUIRE(started);
  const std::string id = node.node_id();
  NodeProcess peer(dir + "/n2");
  REQUIRE(peer.Start({node.p2p_address()}));
  REQUIRE(Eventually([&] { return PeerSet(node).count(peer.node_id()) == 1; }, seconds(10)));

  std::optional<json> before = GetJson(node.http_port(), "/api/status");
  REQUIRE(before);
  CHECK((*before)["datasetsCount"] == 1);
  CHECK((*before)["datasets"] == json::array({"products"}));
  const json chunks = (*before)["storageUsage"]["totalChunks"];
  CHECK(chunks > 0);

  // With a live peer session open, SIGTERM is a clean shutdown: exit code 0 within 10 s (-1: it
  // did not exit and was SIGKILLed).
  const auto signalled = Clock::now();
  const int exit_code = node.Terminate();
  const auto stop_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - signalled).count();
  const std::string log = node.Stderr();
  INFO("exit code " << exit_code << " after " << stop_ms << " ms; node stderr:\n" << log);
  CHECK(exit_code == 0);
  CHECK(log.find("received SIGTERM, shutting down") != std::string::npos);
  CHECK(log.find("node " + id.substr(0, 8) + " stopped") != std::string::npos);

  const bool restarted = node.Restart();
  INFO(node.error());
  REQUIRE(restarted);
  CHECK(node.node_id() == id);
  std::optional<json> after = GetJson(node.http_port(), "/api/status");
  REQUIRE(after);
  CHECK((*after)["nodeId"] == id);
  CHECK((*after)["datasetsCount"] == 1);
  CHECK((*after)["datasets"] == json::array({"products"}));
  CHECK((*after)["storageUsage"]["totalChunks"] == chunks);
  CHECK(node.Terminate() == 0);
  CHECK(peer.Terminate() == 0);
}

TEST_CASE("p2plake node --config rejects a wrongly typed key and only warns about unknown keys",
          "[net]") {
  const std::string dir = FreshTestDir("config");

  SECTION("a wrong type exits 1 with one line naming the key") {
    const std::string config =
        WriteFile(dir + "/bad-type.json", R"({"network": {"p2pPort": "x"}})");
    const RunResult run = RunP2plake({"node", "--config", config, "--data-dir", dir + "/bad",
                                      "--http-port", "0", "--p2p-port", "0"});
    INFO(run.out << run.err);
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("network.p2pPort") != std::string::npos);
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
    CHECK(run.out.empty());  // never got as far as serving
  }

  SECTION("an unknown key is a warning naming it, and the node serves") {
    const std::string config = WriteFile(
        dir + "/unknown-key.json",
        R"({"network": {"p2pPort": 4999, "colour": "blue"}, "storage": {"replicationFactor": 2}})");
    NodeProcess node(dir + "/ok");
    const bool started = node.Start({}, {"--config", config});
    INFO(node.error());
    REQUIRE(started);
    CHECK(node.p2p_port() != 4999);  // --p2p-port 0 overrides the file
    const std::string log = node.Stderr();
    INFO(log);
    CHECK(log.find("unknown key 'network.colour'") != std::string::npos);
    std::optional<json> health = GetJson(node.http_port(), "/api/health");
    REQUIRE(health);
    CHECK((*health)["status"] == "healthy");
    CHECK(node.Terminate() == 0);
  }
}

}  // namespace
}  // namespace lake::nettest
