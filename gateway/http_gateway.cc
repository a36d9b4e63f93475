#include "gateway/http_gateway.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "actors/errors.h"
#include "gateway/query_json.h"

namespace lake::gateway {
namespace {

using nlohmann::json;

// Sends one request to an actor and waits for its answer or the deadline.
template <class T, class Handle, class... Args>
Result<T> Ask(caf::actor_system& system, const Handle& actor, std::chrono::milliseconds timeout,
              Args&&... args) {
  caf::scoped_actor self{system};
  Result<T> answer = Status::Unavailable("no answer");
  self->request(actor, timeout, std::forward<Args>(args)...)
      .receive([&](T& value) { answer = std::move(value); },
               [&](const caf::error& error) { answer = actors::ToStatus(error); });
  return answer;
}

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

// {success: false, error, position}: a caller's error (4xx) is its message alone, which for SQL
// names the position; the node's own errors keep their code's name.
void ReplyError(httplib::Response& res, const Status& status) {
  const int http_status = HttpStatusOf(status.code());
  Reply(res, http_status,
        json{{"success", false},
             {"error", http_status < 500 ? status.message() : status.ToString()},
             {"position", status.position() > 0 ? json(status.position()) : json(nullptr)}});
}

// The SQL text of a /api/query body: {"sql": ...} or, as the original app sent it, {"query": ...}.
std::optional<std::string> QueryText(const std::string& body) {
  const json parsed = json::parse(body, nullptr, false);
  if (!parsed.is_object()) return std::nullopt;
  for (const char* key : {"sql", "query"}) {
    if (parsed.contains(key) && parsed[key].is_string()) return parsed[key].get<std::string>();
  }
  return std::nullopt;
}

json PeerJson(const actors::PeerInfo& peer) {
  json out{{"nodeId", peer.id.ToHex()}, {"address", peer.address}, {"lastSeen", peer.last_seen_ms}};
  out["rttMs"] = peer.rtt_ms >= 0 ? json(peer.rtt_ms) : json(nullptr);
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

// Resident set size of this process, from /proc (0 where it is not available).
uint64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages_total = 0;
  uint64_t pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

int HttpStatusOf(Status::Code code) {
  switch (code) {
    case Status::Code::kInvalidArgument:
      return 400;
    case Status::Code::kNotFound:
      return 404;
    case Status::Code::kResourceExhausted:
      return 413;
    case Status::Code::kUnavailable:
      return 503;
    case Status::Code::kTimeout:
      return 504;
    case Status::Code::kOk:
    case Status::Code::kCorruption:
    case Status::Code::kIOError:
      break;
  }
  return 500;
}

HttpGateway::HttpGateway(caf::actor_system& system, NodeHandles handles, GatewayOptions options)
    : system_(system),
      options_(std::move(options)),
      started_(std::chrono::steady_clock::now()),
      handles_(std::move(handles)),
      server_(std::make_unique<httplib::Server>()) {}

HttpGateway::~HttpGateway() { Stop(); }

Result<uint16_t> HttpGateway::Start() {
  AddRoutes();
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
}

void HttpGateway::AddRoutes() {
  httplib::Server& server = *server_;
  const auto timeout = options_.actor_timeout;
  const auto uptime_s = [this] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  };

  server.set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    const std::string origin = req.get_header_value("Origin");
    const auto& allowed = options_.allowed_origins;
    if (std::find(allowed.begin(), allowed.end(), "*") != allowed.end()) {
      res.set_header("Access-Control-Allow-Origin", "*");
    } else if (!origin.empty() &&
               std::find(allowed.begin(), allowed.end(), origin) != allowed.end()) {
      res.set_header("Access-Control-Allow-Origin", origin);
      res.set_header("Vary", "Origin");
    }
  });

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

  server.Post("/api/query", [=, this](const httplib::Request& req, httplib::Response& res) {
    const std::optional<std::string> sql = QueryText(req.body);
    if (!sql) {
      return ReplyError(res, Status::InvalidArgument("body must be JSON {\"sql\": \"SELECT ...\"}"));
    }
    auto answer = Ask<actors::QueryAnswer>(system_, handles_.planner, options_.max_query_time,
                                           actors::query_atom::value, *sql);
    if (!answer.ok()) return ReplyError(res, answer.status());
    const sql::QueryResult& result = answer->result;
    Reply(res, 200,
          json{{"success", true},
               {"columns", ColumnsToJson(result)},
               {"data", RowsToJson(result)},
               {"rowCount", result.rows.size()},
               {"executionTime", answer->execution_ms},
               {"stats",
                {{"chunksTotal", result.chunks_scanned + result.chunks_pruned},
                 {"chunksScanned", result.chunks_scanned},
                 {"chunksPruned", result.chunks_pruned},
                 {"nodesContacted", 1}}}});
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
    auto router =
        Ask<actors::RouterStatus>(system_, handles_.router, timeout, actors::status_atom::value);
    if (!router.ok()) return ReplyError(res, router.status());
    auto peers = Ask<std::vector<actors::PeerInfo>>(system_, handles_.router, timeout,
                                                    actors::peers_atom::value);
    if (!peers.ok()) return ReplyError(res, peers.status());
    auto storage =
        Ask<actors::StorageStatus>(system_, handles_.keeper, timeout, actors::status_atom::value);
    if (!storage.ok()) return ReplyError(res, storage.status());
    auto transport = Ask<actors::TransportStats>(system_, handles_.transport, timeout,
                                                 actors::stats_atom::value);
    if (!transport.ok()) return ReplyError(res, transport.status());
    json peer_list = json::array();
    for (const actors::PeerInfo& peer : *peers) peer_list.push_back(PeerJson(peer));
    Reply(res, 200,
          json{{"nodeId", router->id.ToHex()},
               {"address", router->address},
               {"port", port_},
               {"p2pPort", transport->port},
               {"peersCount", router->peers},
               {"peers", peer_list},
               {"datasetsCount", storage->datasets},
               {"datasets", storage->dataset_names},
               {"uptime", uptime_s()},
               {"memoryUsage", {{"rss", ResidentBytes()}}},
               {"storageUsage",
                {{"totalDatasets", storage->datasets},
                 {"totalChunks", storage->chunks},
                 {"totalSize", storage->bytes},
                 {"formattedSize", FormatBytes(storage->bytes)}}},
               {"dht", {{"records", router->records}, {"lookupsDone", router->lookups_done}}},
               {"transport",
                {{"connections", transport->connections},
                 {"sessionsDropped", transport->sessions_dropped},
                 {"connectionsRefused", transport->connections_refused},
                 {"framesRateLimited", transport->frames_limited},
                 {"framesMalformed", router->frames_bad},
                 {"dialsFailed", transport->dials_failed}}}});
  });
}

}  // namespace lake::gateway
