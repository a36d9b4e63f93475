#include "gateway/request_guard.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace lake::gateway {
namespace {

constexpr std::string_view kUploadPath = "/api/upload";
constexpr std::string_view kQueryPath = "/api/query";

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && Lower(a) == Lower(b);
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// The host of a Host header value ("[::1]:3000" -> "[::1]", "node.lan:3000" -> "node.lan"),
// lower-cased.
std::string HostName(std::string_view host_header) {
  host_header = Trim(host_header);
  const size_t colon = host_header.rfind(':');
  const size_t bracket = host_header.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host_header = host_header.substr(0, colon);
  }
  return Lower(host_header);
}

// An address as a Host header names it: an IPv6 address in brackets.
std::string AsHostName(std::string_view address) {
  if (address.find(':') != std::string_view::npos && address.front() != '[') {
    return "[" + Lower(address) + "]";
  }
  return Lower(address);
}

bool IsLoopback(std::string_view address) {
  const std::string host = AsHostName(address);
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "[::1]";
}

// The methods that change the node or make it compute: everything but reading.
bool NeedsToken(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

// The methods whose requests httplib reads a body for.
bool TakesBody(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

Refusal Refuse(int http_status, Status status, HeaderList headers = {}) {
  return Refusal{http_status, std::move(status), std::move(headers)};
}

void Digest(std::string_view text, std::array<unsigned char, 32>* out) {
  crypto_generichash(out->data(), out->size(), reinterpret_cast<const unsigned char*>(text.data()),
                     text.size(), nullptr, 0);
}

}  // namespace

std::string_view RequestView::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoringCase(key, name)) return value;
  }
  return {};
}

bool RequestView::HasHeader(std::string_view name) const {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& header) { return EqualsIgnoringCase(header.first, name); });
}

std::string MediaType(std::string_view content_type) {
  return Lower(Trim(content_type.substr(0, content_type.find(';'))));
}

RequestGuard::RequestGuard(GuardPolicy policy)
    : policy_(std::move(policy)),
      check_host_(IsLoopback(policy_.bind_address) || !policy_.allowed_hosts.empty()) {
  Digest(policy_.api_token, &token_digest_);
}

bool RequestGuard::HostAllowed(std::string_view host_header) const {
  const std::string host = HostName(host_header);
  if (host.empty()) return false;
  if (host == "localhost" || host == "127.0.0.1" || host == "[::1]") return true;
  if (host == AsHostName(policy_.bind_address)) return true;
  return std::any_of(policy_.allowed_hosts.begin(), policy_.allowed_hosts.end(),
                     [&](const std::string& allowed) { return HostName(allowed) == host; });
}

bool RequestGuard::OriginListed(std::string_view origin) const {
  return std::any_of(policy_.allowed_origins.begin(), policy_.allowed_origins.end(),
                     [&](const std::string& allowed) {
                       return allowed == "*" || EqualsIgnoringCase(allowed, origin);
                     });
}

bool RequestGuard::TokenValid(std::string_view authorization) const {
  authorization = Trim(authorization);
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      !EqualsIgnoringCase(authorization.substr(0, kScheme.size()), kScheme)) {
    return false;
  }
  // Digests of equal size, compared in a time that says nothing of where they differ.
  std::array<unsigned char, 32> given;
  Digest(Trim(authorization.substr(kScheme.size())), &given);
  return sodium_memcmp(given.data(), token_digest_.data(), given.size()) == 0;
}

std::optional<Refusal> RequestGuard::Check(const RequestView& request) const {
  const std::string_view host = request.Header("Host");
  if (check_host_ && !HostAllowed(host)) {
    return Refuse(
        403, Status::PermissionDenied("this node does not answer to Host '" + std::string(host) +
                                      "' (add it to security.allowedHosts)"));
  }

  // A page's own origin is scheme://<its Host header>; any other must be listed.
  if (request.HasHeader("Origin")) {
    const std::string_view origin = Trim(request.Header("Origin"));
    const size_t authority = origin.find("://");
    const bool same_origin = authority != std::string_view::npos && !host.empty() &&
                             EqualsIgnoringCase(origin.substr(authority + 3), Trim(host));
    if (!same_origin && !OriginListed(origin)) {
      return Refuse(403, Status::PermissionDenied(
                             "pages of origin '" + std::string(origin) +
                             "' may not call this node (add it to security.allowedOrigins)"));
    }
  }

  if (!policy_.api_token.empty() && NeedsToken(request.method) &&
      !TokenValid(request.Header("Authorization"))) {
    return Refuse(401,
                  Status::Unauthenticated("this request needs the node's API token "
                                          "(Authorization: Bearer <security.apiToken>)"),
                  {{"WWW-Authenticate", "Bearer realm=\"p2plake\""}});
  }

  // Any body but an upload's is read whole into memory: it comes with its length, and a short one.
  if (request.path != kUploadPath && TakesBody(request.method)) {
    const std::string_view length = Trim(request.Header("Content-Length"));
    if (request.HasHeader("Transfer-Encoding")) {
      return Refuse(411,
                    Status::InvalidArgument("a request body other than an upload's is sent with a "
                                            "Content-Length, not chunked"));
    }
    if (length.empty()) {
      // httplib reads a DELETE without a length as having no body, anything else to the end of
      // the connection.
      if (request.method == "DELETE") return std::nullopt;
      return Refuse(411, Status::InvalidArgument("a request body needs a Content-Length"));
    }
    uint64_t bytes = 0;
    const auto [end, error] = std::from_chars(length.data(), length.data() + length.size(), bytes);
    if (error != std::errc() || end != length.data() + length.size()) {
      return Refuse(400, Status::InvalidArgument("Content-Length '" + std::string(length) +
                                                 "' is not a number of bytes"));
    }
    if (bytes > policy_.max_body_bytes) {
      return Refuse(
          413, Status::ResourceExhausted("a request body other than an upload's may hold at most " +
                                         std::to_string(policy_.max_body_bytes) + " bytes"));
    }
  }

  if (request.method == "POST" && request.path == kQueryPath &&
      MediaType(request.Header("Content-Type")) != "application/json") {
    return Refuse(415, Status::Unsupported("a query is a JSON body sent with Content-Type: "
                                           "application/json"));
  }
  return std::nullopt;
}

HeaderList RequestGuard::CorsHeaders(const RequestView& request) const {
  const std::string_view origin = Trim(request.Header("Origin"));
  if (origin.empty() || !OriginListed(origin)) return {};
  return {{"Access-Control-Allow-Origin", std::string(origin)}, {"Vary", "Origin"}};
}

HeaderList RequestGuard::PreflightHeaders(const RequestView& request) const {
  const std::string_view origin = Trim(request.Header("Origin"));
  if (origin.empty() || !OriginListed(origin)) return {};
  return {{"Access-Control-Allow-Methods", "GET, POST, DELETE"},
          {"Access-Control-Allow-Headers", "Content-Type, Authorization"},
          {"Access-Control-Max-Age", "600"}};
}

Refusal RequestGuard::Busy() {
  return Refuse(503, Status::Unavailable("busy"), {{"Retry-After", "1"}});
}

}  // namespace lake::gateway
