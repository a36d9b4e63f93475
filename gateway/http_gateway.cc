#include "gateway/http_gateway.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "gateway/dashboard_route.h"
#include "gateway/dataset_json.h"
#include "gateway/event_route.h"
#include "gateway/http_reply.h"
#include "gateway/metrics_text.h"
#include "gateway/node_snapshot.h"
#include "gateway/query_route.h"
#include "gateway/server_guard.h"
#include "gateway/upload_route.h"
#include "store/manifest.h"

namespace lake::gateway {
namespace {

using nlohmann::json;

json PeerJson(const actors::PeerInfo& peer) {
  json out{{"nodeId", peer.id.ToHex()}, {"address", peer.address}, {"lastSeen", peer.last_seen_ms}};
  out["rttMs"] = peer.rtt_ms >= 0 ? json(peer.rtt_ms) : json(nullptr);
  out["connected"] = peer.connected;
  return out;
}

// "1.5 MB": bytes in the largest unit that keeps the number at or above 1.
std::string FormatBytes(uint64_t bytes) {
  static const char* const kUnits[] = {"B", "KB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, kUnits[unit]);
  return text;
}

// The four actors of the node and what each is doing.
json ActorsJson(const NodeSnapshot& s) {
  return {{"router", {{"peers", s.router.peers}, {"records", s.router.records}}},
          {"keeper",
           {{"chunks", s.storage.chunks},
            {"repairRounds", s.storage.repair_rounds},
            {"repairPending", s.storage.repair_pending}}},
          {"planner",
           {{"queriesRunning", s.planner.queries_running},
            {"queriesWaiting", s.planner.queries_waiting},
            {"fragmentsServing", s.planner.fragments_serving},
            {"cachedAnswers", s.planner.cached_answers}}},
          {"gateway",
           {{"subscribers", s.gateway.events.subscribers},
            {"eventsPublished", s.gateway.events.published},
            {"eventsDropped", s.gateway.events.subscribers_dropped}}}};
}

}  // namespace

HttpGateway::HttpGateway(caf::actor_system& system, NodeHandles handles, GatewayOptions options,
                         caf::actor gateway)
    : system_(system),
      options_(std::move(options)),
      started_(std::chrono::steady_clock::now()),
      handles_(std::move(handles)),
      gateway_(std::move(gateway)),
      server_(std::make_unique<httplib::Server>()) {}

HttpGateway::~HttpGateway() { Stop(); }

Result<uint16_t> HttpGateway::Start() {
  AddRoutes();
  // A client that waits for "100 Continue" learns of a refused upload before sending the body.
  const UploadLimits limits{options_.spool_dir, options_.max_upload_bytes};
  GuardServer(*server_, options_, [limits](const httplib::Request& req, httplib::Response& res) {
    if (req.path != "/api/upload") return 100;
    const Status refused = CheckUploadHeaders(req, limits);
    if (refused.ok()) return 100;
    ReplyError(res, refused);
    return res.status;
  });
  // An answer goes out as two writes (headers, then body). With Nagle's algorithm the body
  // waits for the client to acknowledge the headers, and on a keep-alive connection a delayed
  // ACK makes that about 40 ms per request.
  server_->set_tcp_nodelay(true);
  // A dashboard or script asking query after query keeps its connection (the default is 5).
  // Not for long: a connection holds its worker until it closes, so clients beyond the pool
  // wait for one to close (at 100 requests, 32 busy clients on 16 workers waited seconds).
  server_->set_keep_alive_max_count(20);
  const bool bound = options_.port == 0
                         ? (port_ = server_->bind_to_any_port(options_.bind_address)) > 0
                         : server_->bind_to_port(options_.bind_address, options_.port);
  if (!bound) {
    return Status::Unavailable("cannot listen for HTTP on " + options_.bind_address + ":" +
                               std::to_string(options_.port));
  }
  if (options_.port != 0) port_ = options_.port;
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return port_;
}

void HttpGateway::Stop() {
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
  handles_ = NodeHandles{};
  gateway_ = nullptr;
}

void HttpGateway::AddRoutes() {
  httplib::Server& server = *server_;
  const auto timeout = options_.actor_timeout;
  const auto uptime_s = [this] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  };

  server.Get("/api/health", [=, this](const httplib::Request&, httplib::Response& res) {
    auto status =
        Ask<actors::RouterStatus>(system_, handles_.router, timeout, actors::status_atom::value);
    if (!status.ok()) return ReplyError(res, status.status());
    Reply(res, 200,
          json{{"status", "healthy"},
               {"nodeId", status->id.ToHex()},
               {"peersCount", status->peers},
               {"uptime", uptime_s()}});
  });

  const QueryLimits query_limits{options_.max_query_time, options_.max_result_rows};
  server.Post("/api/query", [=, this](const httplib::Request& req, httplib::Response& res) {
    ServeQuery(system_, handles_.planner, query_limits, req, res);
  });

  server.Get("/api/peers", [=, this](const httplib::Request&, httplib::Response& res) {
    auto peers = Ask<std::vector<actors::PeerInfo>>(system_, handles_.router, timeout,
                                                    actors::peers_atom::value);
    if (!peers.ok()) return ReplyError(res, peers.status());
    json list = json::array();
    for (const actors::PeerInfo& peer : *peers) list.push_back(PeerJson(peer));
    Reply(res, 200, json{{"success", true}, {"peers", list}});
  });

  server.Get("/api/status", [=, this](const httplib::Request&, httplib::Response& res) {
    Result<NodeSnapshot> node = AskSnapshot(system_, handles_, gateway_, timeout);
    if (!node.ok()) return ReplyError(res, node.status());
    json peer_list = json::array();
    for (const actors::PeerInfo& peer : node->peers) peer_list.push_back(PeerJson(peer));
    const actors::StorageStatus& storage = node->storage;
    const actors::TransportStats& transport = node->transport;
    Reply(res, 200,
          json{{"nodeId", node->router.id.ToHex()},
               {"address", node->router.address},
               {"port", port_},
               {"p2pPort", transport.port},
               {"peersCount", node->router.peers},
               {"peers", peer_list},
               {"datasetsCount", storage.datasets},
               {"datasets", storage.dataset_names},
               {"uptime", uptime_s()},
               {"memoryUsage", {{"rss", node->resident_bytes}}},
               {"storageUsage",
                {{"totalDatasets", storage.datasets},
                 {"totalChunks", storage.chunks},
                 {"totalSize", storage.bytes},
                 {"formattedSize", FormatBytes(storage.bytes)}}},
               {"replication", ReplicationJson(storage)},
               {"dht",
                {{"records", node->router.records},
                 {"lookupsDone", node->router.lookups_done},
                 {"repliesTrimmed", node->router.replies_trimmed},
                 {"requestsUnanswered", node->router.requests_unanswered}}},
               {"transport",
                {{"connections", transport.connections},
                 {"sessionsDropped", transport.sessions_dropped},
                 {"connectionsRefused", transport.connections_refused},
                 {"connectionsEvicted", transport.connections_evicted},
                 {"framesRateLimited", transport.frames_limited},
                 {"framesMalformed", node->router.frames_bad},
                 {"dialsFailed", transport.dials_failed},
                 {"bytesIn", transport.bytes_in},
                 {"bytesOut", transport.bytes_out}}},
               {"actors", ActorsJson(*node)}});
  });

  server.Get("/api/events", [this](const httplib::Request& req, httplib::Response& res) {
    ServeEvents(system_, gateway_, options_.event_heartbeat, req, res);
  });

  server.Get("/metrics", [=, this](const httplib::Request&, httplib::Response& res) {
    Result<NodeSnapshot> node = AskSnapshot(system_, handles_, gateway_, timeout);
    if (!node.ok()) return ReplyError(res, node.status());
    res.set_content(MetricsText(*node, uptime_s()), "text/plain; version=0.0.4; charset=utf-8");
  });

  AddDatasetRoutes();
  AddDashboardRoutes(server);
}

void HttpGateway::AddDatasetRoutes() {
  httplib::Server& server = *server_;
  const auto timeout = options_.actor_timeout;
  const UploadLimits limits{options_.spool_dir, options_.max_upload_bytes};

  server.Post("/api/upload", [=, this](const httplib::Request& req, httplib::Response& res,
                                       const httplib::ContentReader& reader) {
    ServeUpload(system_, handles_.keeper, limits, options_.upload_timeout, req, res, reader);
  });

  server.Get("/api/datasets", [=, this](const httplib::Request&, httplib::Response& res) {
    auto datasets = Ask<std::vector<actors::DatasetSummary>>(system_, handles_.keeper, timeout,
                                                             actors::datasets_atom::value);
    if (!datasets.ok()) return ReplyError(res, datasets.status());
    json list = json::array();
    for (const actors::DatasetSummary& summary : *datasets) {
      list.push_back(DatasetSummaryJson(summary));
    }
    Reply(res, 200, json{{"success", true}, {"datasets", list}});
  });

  static const char* const kDatasetPath = R"(/api/datasets/([^/]+))";
  server.Get(kDatasetPath, [=, this](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    if (Status bad = store::ValidateDatasetName(name); !bad.ok()) return ReplyError(res, bad);
    auto detail = Ask<actors::DatasetDetail>(system_, handles_.keeper, timeout,
                                             actors::dataset_atom::value, name);
    if (!detail.ok()) return ReplyError(res, detail.status());
    Reply(res, 200, DatasetDetailJson(*detail));
  });

  server.Delete(kDatasetPath, [=, this](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    if (Status bad = store::ValidateDatasetName(name); !bad.ok()) return ReplyError(res, bad);
    auto version =
        Ask<uint64_t>(system_, handles_.keeper, timeout, actors::delete_atom::value, name);
    if (!version.ok()) return ReplyError(res, version.status());
    Reply(res, 200, json{{"success", true}, {"name", name}, {"version", *version}});
  });
}

}  // namespace lake::gateway
