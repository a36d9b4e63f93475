// GuardServer: puts the gateway's admission rules (gateway/request_guard.h) and limits on an
// httplib server: every request is checked before it is routed or its body read, an allowed
// origin's answers carry CORS headers and its preflights are answered, httplib's own error
// answers (unknown route, body too large, malformed request) get the API's JSON error body, and
// connections are served by a bounded worker pool (gateway/bounded_task_queue.h) with read and
// write timeouts. Thread-safety: call before the server listens; the handlers are thread-safe.
#pragma once

#include <functional>

#include "gateway/http_gateway.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace lake::gateway {

// A route's answer to `Expect: 100-continue`: 100 to have the body sent, or the status of the
// refusal it wrote into the response.
using ExpectHandler = std::function<int(const httplib::Request&, httplib::Response&)>;

// Installs the pre- and post-routing handlers, the OPTIONS route, the error handler, the payload
// limit (the larger of kMaxRequestBodyBytes and options.max_upload_bytes), the timeouts and the
// worker pool of `options` on `server`, and `route_expect` behind the guard: a client that waits
// for 100 Continue hears of a refusal, the guard's or the route's, before it sends the body.
// REQUIRES: the server is not listening yet.
void GuardServer(httplib::Server& server, const GatewayOptions& options,
                 ExpectHandler route_expect);

}  // namespace lake::gateway
