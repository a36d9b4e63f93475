// POST /api/query in front of a stub planner: an actor that records each QueryRequest and answers
// as a test scripts it (stats, the planner's errors, or never), so that the gateway's side of the
// contract is checked whatever today's planner can provoke.
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

namespace lake::gateway {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

// What the stub planner answers, and what it was asked.
struct PlannerScript {
  std::mutex mu;
  std::optional<Result<actors::QueryAnswer>> answer;  // nullopt: never answers
  std::vector<actors::QueryRequest> requests;
};

caf::behavior StubPlanner(caf::event_based_actor* self, std::shared_ptr<PlannerScript> script) {
  auto unanswered = std::make_shared<std::vector<caf::response_promise>>();
  return {
      [=](actors::query_atom,
          const actors::QueryRequest& request) -> caf::result<actors::QueryAnswer> {
        std::lock_guard<std::mutex> lock(script->mu);
        script->requests.push_back(request);
        if (!script->answer) {
          unanswered->push_back(self->make_response_promise());
          return unanswered->back();
        }
        if (!script->answer->ok()) return actors::ToCafError(script->answer->status());
        return script->answer->value();
      },
  };
}

constexpr milliseconds kMaxQueryTime{100};

caf::actor_system_config& Sharing(caf::actor_system_config& config) {
  config.set("scheduler.policy", caf::atom("sharing"));
  return config;
}

// A gateway on 127.0.0.1 whose planner is the stub (it has no router or keeper).
struct StubFixture {
  StubFixture() : system(Sharing(config)), planner(system.spawn(StubPlanner, script)) {
    auto started = Gateway::Start(
        system, NodeHandles{{}, {}, caf::actor_cast<actors::QueryPlannerActor>(planner), {}},
        Options());
    REQUIRE(started.ok());
    gateway = std::move(started).value();
    client = std::make_unique<httplib::Client>("127.0.0.1", gateway->port());
    client->set_read_timeout(30, 0);
  }
  ~StubFixture() {
    gateway->Stop();
    caf::anon_send_exit(planner, caf::exit_reason::user_shutdown);
  }
  static GatewayOptions Options() {
    GatewayOptions options;
    options.max_query_time = kMaxQueryTime;
    return options;
  }

  void Answer(Result<actors::QueryAnswer> answer) {
    std::lock_guard<std::mutex> lock(script->mu);
    script->answer = std::move(answer);
  }
  actors::QueryRequest LastRequest() {
    std::lock_guard<std::mutex> lock(script->mu);
    REQUIRE(!script->requests.empty());
    return script->requests.back();
  }
  httplib::Result Post(const std::string& params, const json& body) {
    return client->Post(("/api/query" + params).c_str(), body.dump(), "application/json");
  }

  std::shared_ptr<PlannerScript> script = std::make_shared<PlannerScript>();
  caf::actor_system_config config;
  caf::actor_system system;
  caf::actor planner;
  std::unique_ptr<Gateway> gateway;
  std::unique_ptr<httplib::Client> client;
};

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
