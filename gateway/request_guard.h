// RequestGuard: the HTTP gateway's admission policy, decided from a request's method, path and
// headers alone, before any of its body is read: the Host names it answers to (against DNS
// rebinding), the origins whose pages may call it (against cross-site requests), the bearer token
// of the endpoints that change or compute, how a body is framed and how large it is, and the media
// type of a JSON body; plus the CORS headers the answers to an allowed origin carry. No sockets:
// gateway/server_guard.h installs it on a server. Thread-safety: immutable; any thread may call it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace lake::gateway {

// The largest body of a request other than an upload (a query's JSON).
inline constexpr uint64_t kMaxRequestBodyBytes = uint64_t{1} << 20;

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// What the guard reads of a request.
struct RequestView {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string
  HeaderList headers;  // any subset holding those the guard reads (Host, Origin, Authorization,
                       // Content-Type, Content-Length, Transfer-Encoding)

  // The first header named `name` (compared case-insensitively); "" when there is none.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

struct GuardPolicy {
  // Origins ("http://host:port") whose pages may call the API from another origin; "*" admits
  // every origin. A page's own origin (the one its Host header names) needs no entry.
  std::vector<std::string> allowed_origins;
  // Host names the node answers to besides localhost, 127.0.0.1, [::1] and bind_address. With
  // none given, a gateway bound to a non-loopback address answers to any Host.
  std::vector<std::string> allowed_hosts;
  std::string bind_address = "127.0.0.1";  // the address the gateway listens on
  // "" = none needed; else every request other than GET, HEAD and OPTIONS (upload, delete,
  // query) carries "Authorization: Bearer <api_token>".
  std::string api_token;
  uint64_t max_body_bytes = kMaxRequestBodyBytes;  // any body but an upload's
};

// Why a request is refused: the HTTP status, the error (its message is the answer's `error`) and
// the headers the answer carries besides.
struct Refusal {
  int http_status = 0;
  Status status;
  HeaderList headers;
};

// The media type of a Content-Type value, lower-cased, without parameters ("; charset=...").
std::string MediaType(std::string_view content_type);

class RequestGuard {
 public:
  explicit RequestGuard(GuardPolicy policy);

  // The first rule `request` breaks, in this order: Host (403), Origin (403), token (401 with
  // WWW-Authenticate: Bearer), a body other than an upload's that is chunked or unframed (411) or
  // over max_body_bytes (413), a query body that is not application/json (415). nullopt: it may
  // go on to its route (an upload's own form and size are its route's to check, before it reads
  // the body).
  std::optional<Refusal> Check(const RequestView& request) const;

  // The CORS headers of any answer to `request`: Access-Control-Allow-Origin naming its Origin
  // and Vary: Origin when that origin is allowed; none for a request without one.
  HeaderList CorsHeaders(const RequestView& request) const;
  // What an answer to a preflight (OPTIONS) of an allowed origin adds to CorsHeaders: the methods
  // and request headers the API takes. None when the origin is not allowed.
  HeaderList PreflightHeaders(const RequestView& request) const;

  // The answer of a server too busy to take the request: 503 "busy" with Retry-After: 1.
  static Refusal Busy();

 private:
  bool HostAllowed(std::string_view host_header) const;
  bool OriginListed(std::string_view origin) const;
  bool TokenValid(std::string_view authorization) const;

  const GuardPolicy policy_;
  const bool check_host_;  // false: bound to a non-loopback address with no allowed_hosts
  std::array<unsigned char, 32> token_digest_{};  // of policy_.api_token, compared in fixed time
};

}  // namespace lake::gateway
