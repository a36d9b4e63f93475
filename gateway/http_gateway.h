// The HTTP server of the gateway actor (gateway/gateway_actor.h): cpp-httplib routes that
// translate each request into requests to the node's actors and their answers into the JSON of
// the HTTP API (docs/ARCHITECTURE.md; the original app's field names). It owns the server and its
// listener thread; handlers run on httplib's worker threads and talk to the actors through scoped
// actors, with a deadline on every request. Uploads stream to a spool file first
// (gateway/upload_route.h); queries are answered whole or streamed (gateway/query_route.h);
// datasets render as gateway/dataset_json.h shows them; events stream from the gateway actor's
// hub (gateway/event_route.h); /metrics renders a node snapshot (gateway/metrics_text.h).
// Thread-safety: Start and Stop from one thread (the gateway actor's); handlers are thread-safe.
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
#include "gateway/event_hub.h"

namespace httplib {
class Server;
}

namespace lake::gateway {

struct GatewayOptions {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port
  // Who may call the API (gateway/request_guard.h): origins whose pages may call it from
  // elsewhere ("*": any), Host names answered besides localhost and bind_address, and the bearer
  // token of upload, delete and query ("" = none).
  std::vector<std::string> allowed_origins;
  std::vector<std::string> allowed_hosts;
  std::string api_token;
  size_t http_threads = 32;  // requests served at once
  size_t http_queue = 64;    // connections waiting for a worker; more are answered 503 busy
  std::chrono::milliseconds actor_timeout{5000};
  std::chrono::milliseconds max_query_time{30000};  // a query running longer answers 504
  uint64_t max_result_rows = 100000;  // a larger answer is only streamed (?stream=1), else 400
  std::string spool_dir;              // upload bodies stream here; "" = no uploads
  uint64_t max_upload_bytes = uint64_t{10} << 30;     // a larger upload body answers 413
  std::chrono::milliseconds upload_timeout{3600000};  // an upload stored later answers 504
  EventHubOptions events;                             // /api/events history and subscribers
  std::chrono::milliseconds event_heartbeat{15000};   // a comment on an idle event stream
};

// What the gateway asks.
struct NodeHandles {
  actors::DhtRouterActor router;
  actors::ChunkKeeperActor keeper;
  actors::QueryPlannerActor planner;
  actors::TransportActor transport;
};

class HttpGateway {
 public:
  // `gateway` is the actor that owns this server and the event hub.
  HttpGateway(caf::actor_system& system, NodeHandles handles, GatewayOptions options,
              caf::actor gateway);
  HttpGateway(const HttpGateway&) = delete;
  HttpGateway& operator=(const HttpGateway&) = delete;
  ~HttpGateway();  // stops the server

  // Binds and starts serving on a thread of its own; returns the port bound.
  Result<uint16_t> Start();
  // Stops serving, joins the server thread and releases the actor handles (an actor system
  // waits on destruction for every detached actor somebody still holds). Idempotent.
  void Stop();

 private:
  // Health, query, peers, status, events and metrics.
  void AddRoutes();
  // Upload and the dataset catalog (called by AddRoutes).
  void AddDatasetRoutes();

  // Immutable after construction
  caf::actor_system& system_;
  const GatewayOptions options_;
  const std::chrono::steady_clock::time_point started_;

  // Mutable state
  NodeHandles handles_;  // released by Stop()
  caf::actor gateway_;   // released by Stop()
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

}  // namespace lake::gateway
