// Test support for the gateway's tests of POST /api/query in front of a stub planner: an actor that
// records each QueryRequest and answers as a test scripts it (stats, the planner's errors, or
// never), behind a real gateway on 127.0.0.1 (it has no router or keeper).
// Header-only; one test's thread uses the fixture.
#pragma once

#include <httplib.h>
#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "actors/errors.h"
#include "gateway/gateway_actor.h"

namespace lake::gateway::testing {

using nlohmann::json;
using std::chrono::milliseconds;

// What the stub planner answers, and what it was asked.
struct PlannerScript {
  std::mutex mu;
  std::optional<Result<actors::QueryAnswer>> answer;  // nullopt: never answers
  std::vector<actors::QueryRequest> requests;
};

inline caf::behavior StubPlanner(caf::event_based_actor* self,
                                 std::shared_ptr<PlannerScript> script) {
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

inline constexpr milliseconds kMaxQueryTime{100};

inline caf::actor_system_config& Sharing(caf::actor_system_config& config) {
  config.set("scheduler.policy", caf::atom("sharing"));
  return config;
}

// A gateway on 127.0.0.1 whose planner is the stub (it has no router or keeper).
struct StubFixture {
  explicit StubFixture(GatewayOptions options = Options())
      : system(Sharing(config)),
        planner(system.spawn(StubPlanner, script)) {
    auto started = Gateway::Start(
        system, NodeHandles{{}, {}, caf::actor_cast<actors::QueryPlannerActor>(planner), {}},
        std::move(options));
    REQUIRE(started.ok());
    gateway = std::move(started).value();
    port = gateway->port();
    client = std::make_unique<httplib::Client>("127.0.0.1", port);
    client->set_read_timeout(30, 0);
  }
  ~StubFixture() {
    gateway->Stop();
    caf::anon_send_exit(planner, caf::exit_reason::user_shutdown);
  }
  // The options of the tests above: the planner's time limit is kMaxQueryTime.
  static GatewayOptions Options() {
    GatewayOptions options;
    options.max_query_time = kMaxQueryTime;
    return options;
  }

  void Answer(Result<actors::QueryAnswer> answer) {
    std::lock_guard<std::mutex> lock(script->mu);
    script->answer = std::move(answer);
  }
  size_t RequestCount() {
    std::lock_guard<std::mutex> lock(script->mu);
    return script->requests.size();
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
  uint16_t port = 0;
  std::unique_ptr<httplib::Client> client;
};

}  // namespace lake::gateway::testing
