// The gateway actor's live side over a real node on 127.0.0.1: /api/events streams the node's
// events as they happen (an upload, a query, a failed upload), with heartbeats on an idle stream,
// replays what a returning client missed after its Last-Event-ID, and refuses subscribers past the
// limit; /metrics counts the same events and scrapes cleanly; /api/status shows the actors.
#include <httplib.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "actors/node_events.h"
#include "tests/gateway/gateway_node.h"
#include "tests/support/prometheus_check.h"

namespace lake::gateway {
namespace {

using nlohmann::json;
using testing::GatewayNode;

// Reads /api/events on a thread of its own until stopped; keeps every message's data and counts
// heartbeat comments.
class EventReader {
 public:
  EventReader(uint16_t port, const std::string& last_event_id = "") : client_("127.0.0.1", port) {
    httplib::Headers headers;
    if (!last_event_id.empty()) headers.emplace("Last-Event-ID", last_event_id);
    thread_ = std::thread([this, headers] {
      auto res = client_.Get("/api/events", headers, [this](const char* data, size_t size) {
        std::lock_guard<std::mutex> lock(mu_);
        buffer_.append(data, size);
        for (size_t end; (end = buffer_.find("\n\n")) != std::string::npos;) {
          const std::string message = buffer_.substr(0, end);
          buffer_.erase(0, end + 2);
          if (message.rfind(": keep-alive", 0) == 0) ++heartbeats_;
          const size_t data_at = message.find("data: ");
          if (data_at != std::string::npos)
            events_.push_back(json::parse(message.substr(data_at + 6)));
        }
        changed_.notify_all();
        return !stop_;
      });
      std::lock_guard<std::mutex> lock(mu_);
      status_ = res ? res->status : -1;
      finished_ = true;
      changed_.notify_all();
    });
  }
  ~EventReader() {
    stop_ = true;
    thread_.join();
  }

  // The first event of `type` (and that `match` accepts), waiting up to 20 s; null if none came.
  json WaitFor(
      const std::string& type,
      const std::function<bool(const json&)>& match = [](const json&) { return true; }) {
    std::unique_lock<std::mutex> lock(mu_);
    json found;
    changed_.wait_for(lock, std::chrono::seconds(20), [&] {
      for (const json& e : events_) {
        if (e["type"] == type && match(e)) {
          found = e;
          return true;
        }
      }
      return finished_;
    });
    return found;
  }
  bool WaitForHeartbeats(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return heartbeats_ >= n; });
  }
  // The HTTP status once the stream ended (waiting up to 10 s), -1 if it did not end.
  int WaitForEnd() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, std::chrono::seconds(10), [&] { return finished_; });
    return finished_ ? status_ : -1;
  }
  std::vector<json> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  httplib::Client client_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable changed_;
  std::string buffer_;
  std::vector<json> events_;
  int heartbeats_ = 0;
  bool finished_ = false;
  int status_ = 0;
  std::thread thread_;
};

GatewayOptions FastHeartbeat() {
  GatewayOptions options;
  options.event_heartbeat = std::chrono::milliseconds(100);
  options.events.max_subscribers = 3;
  return options;
}

// One node alone: every chunk's single replica is this node.
local::NodeConfig Alone() {
  local::NodeConfig config;
  config.storage.replication_factor = 1;
  config.storage.write_quorum = 1;
  return config;
}

const std::string kCsv = "id,name,price\n1,apple,0.5\n2,pear,0.75\n3,plum,1.25\n";

TEST_CASE("Uploads and queries reach /api/events subscribers as they happen",
          "[gateway][events][net]") {
  testing::ScratchDir scratch("events");
  GatewayNode node(scratch.path(), Alone(), FastHeartbeat());
  EventReader reader(node.port());
  REQUIRE(reader.WaitForHeartbeats(1));  // subscribed, and the idle stream stays alive

  auto uploaded = node.client().Post("/api/upload?name=fruit", kCsv, "text/csv");
  REQUIRE(uploaded);
  REQUIRE(uploaded->status == 201);
  const json receipt = json::parse(uploaded->body);
  const json stored = reader.WaitFor(actors::event_type::kDatasetStored);
  REQUIRE(stored.is_object());
  CHECK(stored["name"] == "fruit");
  CHECK(stored["origin"] == "upload");
  CHECK(stored["rows"] == 3);
  CHECK(stored["datasetId"] == receipt["datasetId"]);
  CHECK(stored["time"].get<int64_t>() > 1600000000000);
  const json parsed = reader.WaitFor(actors::event_type::kUploadProgress,
                                     [](const json& e) { return e["percent"] == 100; });
  REQUIRE(parsed.is_object());
  CHECK(parsed["name"] == "fruit");
  CHECK(parsed["bytes"] == kCsv.size());
  CHECK(parsed["id"].get<uint64_t>() < stored["id"].get<uint64_t>());

  node.Query(R"({"sql": "SELECT SUM(price) AS total FROM fruit"})", 200);
  const json done = reader.WaitFor(actors::event_type::kQueryDone);
  REQUIRE(done.is_object());
  CHECK(done["outcome"] == "ok");
  CHECK(done["rows"] == 1);
  CHECK(done["sql"] == "SELECT SUM(price) AS total FROM fruit");

  node.Query(R"({"sql": "SELECT nope FROM fruit"})", 400);
  CHECK(reader
            .WaitFor(actors::event_type::kQueryDone,
                     [](const json& e) { return e["outcome"] == "error"; })
            .is_object());

  auto bad = node.client().Post("/api/upload?name=broken", "a,b\n1,2\n3\n", "text/csv");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  const json failed = reader.WaitFor(actors::event_type::kUploadFailed);
  REQUIRE(failed.is_object());
  CHECK(failed["name"] == "broken");
  CHECK(failed["error"].get<std::string>().find("line 3") != std::string::npos);
  const std::vector<json> events = reader.events();
  for (size_t i = 1; i < events.size(); ++i) {
    CHECK(events[i]["id"].get<uint64_t>() > events[i - 1]["id"].get<uint64_t>());
  }

  SECTION("a returning client gets what it missed after its Last-Event-ID") {
    const uint64_t stored_id = stored["id"];
    EventReader returning(node.port(), std::to_string(stored_id));
    const json replayed = returning.WaitFor(actors::event_type::kQueryDone);
    REQUIRE(replayed.is_object());
    CHECK(replayed["id"] == done["id"]);
    const std::vector<json> again = returning.events();
    REQUIRE_FALSE(again.empty());
    CHECK(again.front()["id"].get<uint64_t>() == stored_id + 1);
  }

  SECTION("/metrics counts the same events and scrapes cleanly") {
    auto res = node.client().Get("/metrics");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0) == 0);
    const auto samples = lake::testing::CheckPrometheusText(res->body);
    INFO(samples.error);
    REQUIRE(samples.error.empty());
    CHECK(samples.values.at(R"(p2plake_queries_total{outcome="ok"})") == 1);
    CHECK(samples.values.at(R"(p2plake_queries_total{outcome="error"})") == 1);
    CHECK(samples.values.at(R"(p2plake_uploads_total{outcome="ok"})") == 1);
    CHECK(samples.values.at("p2plake_query_duration_seconds_count") == 2);
    const json status = node.Get("/api/status");
    CHECK(samples.values.at("p2plake_chunks") == status["storageUsage"]["totalChunks"]);
    CHECK(samples.values.at("p2plake_event_subscribers") == 1);
  }

  SECTION("/api/status lists the node's four actors") {
    const json actors = node.Get("/api/status")["actors"];
    for (const char* name : {"router", "keeper", "planner", "gateway"}) {
      CHECK(actors.contains(name));
    }
    CHECK(actors["gateway"]["subscribers"] == 1);
    CHECK(actors["gateway"]["eventsPublished"].get<uint64_t>() >= events.size());
  }
}

TEST_CASE("A peer's session opening and closing reach /api/events and /api/peers",
          "[gateway][events][net]") {
  testing::ScratchDir scratch("events-peer");
  testing::ScratchDir peer_scratch("events-peer-2");
  GatewayNode node(scratch.path(), Alone(), FastHeartbeat());
  EventReader reader(node.port());
  REQUIRE(reader.WaitForHeartbeats(1));

  local::NodeConfig config = Alone();
  config.storage.data_path = peer_scratch.path();
  config.network.p2p_port = 0;
  config.network.bootstrap_nodes = {node.node().overlay().address};
  auto dir = local::DataDir::Open(peer_scratch.path());
  REQUIRE(dir.ok());
  auto peer = actors::Node::Start(config, std::move(dir).value());
  REQUIRE(peer.ok());
  const std::string peer_id = (*peer)->id().ToHex();
  const auto is_peer = [&](const json& e) { return e["nodeId"] == peer_id; };
  CHECK(reader.WaitFor(actors::event_type::kPeerJoined, is_peer).is_object());
  // The session comes up before the join's lookups put the peer in the routing table.
  json peers;
  for (int i = 0; i < 100 && peers.empty(); ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    peers = node.Get("/api/peers")["peers"];
  }
  REQUIRE(peers.size() == 1);
  CHECK(peers[0]["nodeId"] == peer_id);
  CHECK(peers[0]["connected"] == true);

  (*peer)->Stop();
  CHECK(reader.WaitFor(actors::event_type::kPeerLeft, is_peer).is_object());
}

TEST_CASE("Event subscribers past the limit get 503, and a slot frees when one leaves",
          "[gateway][events][net]") {
  testing::ScratchDir scratch("events-limit");
  GatewayNode node(scratch.path(), Alone(), FastHeartbeat());
  std::vector<std::unique_ptr<EventReader>> readers;
  for (int i = 0; i < 3; ++i) {
    readers.push_back(std::make_unique<EventReader>(node.port()));
    REQUIRE(readers.back()->WaitForHeartbeats(1));
  }
  auto refused = node.client().Get("/api/events");
  REQUIRE(refused);
  CHECK(refused->status == 503);
  CHECK(refused->get_header_value("Retry-After") == "1");
  CHECK(json::parse(refused->body)["success"] == false);
  readers.pop_back();  // the client goes; the node notices at its next heartbeat
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EventReader again(node.port());
  CHECK(again.WaitForHeartbeats(1));
}

}  // namespace
}  // namespace lake::gateway
