// The HTTP gateway: cpp-httplib routes that translate each request into requests to the node's
// actors and their answers into the JSON of the HTTP API (docs/ARCHITECTURE.md; the original
// app's field names). It owns the HTTP server and its listener thread; handlers run on httplib's
// worker threads and talk to the actors through scoped actors, with a deadline on every request.
// Thread-safety: Start and Stop from one thread; handlers are thread-safe.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "actors/interfaces.h"
#include "common/result.h"

namespace httplib {
class Server;
}

namespace lake::gateway {

struct GatewayOptions {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 0;                              // 0: any free port
  std::vector<std::string> allowed_origins{"*"};  // CORS
  std::chrono::milliseconds actor_timeout{5000};
  std::chrono::milliseconds max_query_time{30000};  // a query running longer answers 504
};

// What the gateway asks.
struct NodeHandles {
  actors::DhtRouterActor router;
  actors::ChunkKeeperActor keeper;
  actors::QueryPlannerActor planner;
  actors::TransportActor transport;
};

// The one table from error codes to HTTP statuses: the caller's mistakes are 4xx (400 bad
// request, 404 unknown, 413 too large), the node's state 503 (overloaded or unavailable) and 504
// (past the deadline), damage or I/O failures on this node 500.
int HttpStatusOf(Status::Code code);

class HttpGateway {
 public:
  HttpGateway(caf::actor_system& system, NodeHandles handles, GatewayOptions options);
  HttpGateway(const HttpGateway&) = delete;
  HttpGateway& operator=(const HttpGateway&) = delete;
  ~HttpGateway();  // stops the server

  // Binds and starts serving on a thread of its own; returns the port bound.
  Result<uint16_t> Start();
  // Stops serving, joins the server thread and releases the actor handles (an actor system
  // waits on destruction for every detached actor somebody still holds). Idempotent.
  void Stop();

 private:
  void AddRoutes();

  // Immutable after construction
  caf::actor_system& system_;
  const GatewayOptions options_;
  const std::chrono::steady_clock::time_point started_;

  // Mutable state
  NodeHandles handles_;  // released by Stop()
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

}  // namespace lake::gateway
