#include "gateway/server_guard.h"

#include <httplib.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "gateway/bounded_task_queue.h"
#include "gateway/http_reply.h"
#include "gateway/request_guard.h"

namespace lake::gateway {
namespace {

using nlohmann::json;
using HandlerResponse = httplib::Server::HandlerResponse;

// How long the server waits on one read or one write of a connection. A stream (a query's rows,
// events) writes many times; each write has this long.
constexpr time_t kReadTimeoutSeconds = 30;
constexpr time_t kWriteTimeoutSeconds = 30;

RequestView ViewOf(const httplib::Request& req) {
  RequestView view{req.method, req.path, {}};
  for (const char* name :
       {"Host", "Origin", "Authorization", "Content-Type", "Content-Length", "Transfer-Encoding"}) {
    if (req.has_header(name)) view.headers.emplace_back(name, req.get_header_value(name));
  }
  return view;
}

// Answers with the refusal (its message alone, also for 503 "busy"). The body of the request is
// left unread, so the connection ends with this answer: the client is told to close it (httplib
// says so itself to a client that asked to), as what else arrives on it is no request.
HandlerResponse Refuse(const httplib::Request& req, httplib::Response& res,
                       const Refusal& refusal) {
  Reply(res, refusal.http_status, json{{"success", false}, {"error", refusal.status.message()}});
  for (const auto& [name, value] : refusal.headers) res.set_header(name, value);
  if (req.get_header_value("Connection") != "close") res.set_header("Connection", "close");
  return HandlerResponse::Handled;
}

// The `error` of an answer httplib gave itself, before or instead of a route.
std::string ErrorText(const httplib::Request& req, int status) {
  switch (status) {
    case 400:
      return "the request is malformed";
    case 404:
      return "no such endpoint: " + req.method + " " + req.path;
    case 413:
      return "the request body is larger than this node accepts";
    case 414:
      return "the request URI is too long";
    case 416:
      return "the requested range cannot be served";
    default:
      return "HTTP " + std::to_string(status);
  }
}

}  // namespace

void GuardServer(httplib::Server& server, const GatewayOptions& options,
                 ExpectHandler route_expect) {
  auto guard = std::make_shared<const RequestGuard>(
      GuardPolicy{options.allowed_origins, options.allowed_hosts, options.bind_address,
                  options.api_token, kMaxRequestBodyBytes});
  // Handled: the request was refused, and `res` says why.
  const auto admit = [guard](const httplib::Request& req, httplib::Response& res) {
    if (BoundedTaskQueue::OnSheddingThread()) return Refuse(req, res, RequestGuard::Busy());
    if (std::optional<Refusal> refusal = guard->Check(ViewOf(req))) {
      return Refuse(req, res, *refusal);
    }
    return HandlerResponse::Unhandled;
  };

  server.set_pre_routing_handler(admit);

  server.set_expect_100_continue_handler([admit, route_expect = std::move(route_expect)](
                                             const httplib::Request& req, httplib::Response& res) {
    int status = 100;
    if (admit(req, res) == HandlerResponse::Handled) {
      status = res.status;
    } else if (route_expect) {
      status = route_expect(req, res);
    }
    // httplib sends an early answer without a length, which the client needs to know where
    // it ends.
    if (status != 100) res.set_header("Content-Length", std::to_string(res.body.size()));
    return status;
  });

  server.set_post_routing_handler([guard](const httplib::Request& req, httplib::Response& res) {
    for (const auto& [name, value] : guard->CorsHeaders(ViewOf(req))) res.set_header(name, value);
  });

  // A preflight of an origin the guard let through.
  server.Options(".*", [guard](const httplib::Request& req, httplib::Response& res) {
    res.status = 204;
    res.set_header("Allow", "GET, POST, DELETE, OPTIONS");
    for (const auto& [name, value] : guard->PreflightHeaders(ViewOf(req))) {
      res.set_header(name, value);
    }
  });

  // Every error answer has the API's JSON body; the routes' own have one already.
  server.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty() || res.has_header("Content-Type")) return HandlerResponse::Unhandled;
        Reply(res, res.status, json{{"success", false}, {"error", ErrorText(req, res.status)}});
        return HandlerResponse::Handled;
      }));

  server.set_payload_max_length(
      static_cast<size_t>(std::max<uint64_t>(kMaxRequestBodyBytes, options.max_upload_bytes)));
  server.set_read_timeout(kReadTimeoutSeconds, 0);
  server.set_write_timeout(kWriteTimeoutSeconds, 0);
  const size_t workers = std::max<size_t>(1, options.http_threads);
  const size_t max_waiting = options.http_queue;
  server.new_task_queue = [workers, max_waiting] {
    return new BoundedTaskQueue(workers, max_waiting);
  };
}

}  // namespace lake::gateway
