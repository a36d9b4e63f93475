// gateway/request_guard.h: each admission rule over requests built by hand, refused and let
// through, with the HTTP status and headers of each refusal, and the CORS headers of answers.
#include "gateway/request_guard.h"

#include <catch2/catch.hpp>

#include <string>

namespace lake::gateway {
namespace {

constexpr const char* kHost = "127.0.0.1:3000";

// A request to this node from a client that sends no Origin (curl, the CLI).
RequestView Request(std::string method, std::string path, HeaderList extra = {}) {
  RequestView view{std::move(method), std::move(path), {{"Host", kHost}}};
  for (auto& header : extra) {
    // An extra Host replaces the default one.
    if (header.first == "Host") view.headers.erase(view.headers.begin());
    view.headers.push_back(std::move(header));
  }
  return view;
}

// A query with a JSON body of `bytes` bytes.
RequestView Query(HeaderList extra = {}, uint64_t bytes = 20) {
  extra.emplace_back("Content-Type", "application/json");
  extra.emplace_back("Content-Length", std::to_string(bytes));
  return Request("POST", "/api/query", std::move(extra));
}

// The status of the refusal of `request`, or 0 when it passes.
int StatusOf(const RequestGuard& guard, const RequestView& request) {
  const std::optional<Refusal> refusal = guard.Check(request);
  return refusal ? refusal->http_status : 0;
}

std::string HeaderOf(const HeaderList& headers, const std::string& name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

TEST_CASE("Headers are found whatever their case", "[gateway][guard]") {
  const RequestView view{"GET", "/", {{"content-TYPE", "text/csv"}}};
  CHECK(view.Header("Content-Type") == "text/csv");
  CHECK(view.HasHeader("content-type"));
  CHECK(view.Header("Origin").empty());
  CHECK_FALSE(view.HasHeader("Origin"));
  CHECK(MediaType(" Application/JSON ; charset=utf-8") == "application/json");
  CHECK(MediaType("").empty());
}

TEST_CASE("The node answers to its loopback names and bind address only", "[gateway][guard]") {
  const RequestGuard guard(GuardPolicy{});
  for (const char* host :
       {"127.0.0.1:3000", "localhost:3000", "LOCALHOST", "[::1]:3000", "127.0.0.1"}) {
    INFO(host);
    CHECK(StatusOf(guard, Request("GET", "/api/health", {{"Host", host}})) == 0);
  }
  // DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1.
  const std::optional<Refusal> rebound =
      guard.Check(Request("GET", "/api/status", {{"Host", "evil.example:3000"}}));
  REQUIRE(rebound);
  CHECK(rebound->http_status == 403);
  CHECK(rebound->status.code() == Status::Code::kPermissionDenied);
  CHECK(rebound->status.message().find("security.allowedHosts") != std::string::npos);
  CHECK(StatusOf(guard, RequestView{"GET", "/api/health", {}}) == 403);  // no Host at all
  CHECK(StatusOf(guard, Request("GET", "/", {{"Host", "127.0.0.2:3000"}})) == 403);

  GuardPolicy listed;
  listed.allowed_hosts = {"node.lan"};
  const RequestGuard with_hosts(listed);
  CHECK(StatusOf(with_hosts, Request("GET", "/", {{"Host", "Node.LAN:3000"}})) == 0);
  CHECK(StatusOf(with_hosts, Request("GET", "/", {{"Host", "other.lan:3000"}})) == 403);
}

TEST_CASE("A gateway bound to a non-loopback address checks Host only against a list",
          "[gateway][guard]") {
  GuardPolicy open;
  open.bind_address = "0.0.0.0";
  CHECK(StatusOf(RequestGuard(open), Request("GET", "/", {{"Host", "node.example:3000"}})) == 0);

  GuardPolicy own_address;
  own_address.bind_address = "10.0.0.7";
  own_address.allowed_hosts = {"node.lan"};
  const RequestGuard guard(own_address);
  CHECK(StatusOf(guard, Request("GET", "/", {{"Host", "10.0.0.7:3000"}})) == 0);
  CHECK(StatusOf(guard, Request("GET", "/", {{"Host", "node.lan"}})) == 0);
  CHECK(StatusOf(guard, Request("GET", "/", {{"Host", "node.example:3000"}})) == 403);

  GuardPolicy ipv6;
  ipv6.bind_address = "::1";
  CHECK(StatusOf(RequestGuard(ipv6), Request("GET", "/", {{"Host", "evil.example"}})) == 403);
}

TEST_CASE("Only the page's own origin and listed origins may call the node", "[gateway][guard]") {
  const RequestGuard guard(GuardPolicy{});
  CHECK(StatusOf(guard, Query({{"Origin", "http://127.0.0.1:3000"}})) == 0);  // same origin
  const std::optional<Refusal> foreign = guard.Check(Query({{"Origin", "http://evil.example"}}));
  REQUIRE(foreign);
  CHECK(foreign->http_status == 403);
  CHECK(foreign->status.message().find("security.allowedOrigins") != std::string::npos);
  // Same host, another port: another origin.
  CHECK(StatusOf(guard, Query({{"Origin", "http://127.0.0.1:8080"}})) == 403);
  CHECK(StatusOf(guard, Query({{"Origin", "null"}})) == 403);
  // Reading is refused to a foreign page too, and so is an upload it posts as a form.
  CHECK(StatusOf(guard, Request("GET", "/api/status", {{"Origin", "http://evil.example"}})) == 403);
  CHECK(StatusOf(guard, Request("POST", "/api/upload",
                                {{"Origin", "http://evil.example"},
                                 {"Content-Type", "multipart/form-data; boundary=x"},
                                 {"Content-Length", "100"}})) == 403);

  GuardPolicy listed;
  listed.allowed_origins = {"http://dash.example:8080"};
  const RequestGuard with_origins(listed);
  CHECK(StatusOf(with_origins, Query({{"Origin", "http://dash.example:8080"}})) == 0);
  CHECK(StatusOf(with_origins, Query({{"Origin", "http://dash.example:8081"}})) == 403);

  GuardPolicy any;
  any.allowed_origins = {"*"};
  CHECK(StatusOf(RequestGuard(any), Query({{"Origin", "http://evil.example"}})) == 0);
}

TEST_CASE("With an API token, upload, delete and query need it; reading does not",
          "[gateway][guard]") {
  GuardPolicy policy;
  policy.api_token = "s3cret-token";
  const RequestGuard guard(policy);
  const std::optional<Refusal> missing = guard.Check(Query());
  REQUIRE(missing);
  CHECK(missing->http_status == 401);
  CHECK(missing->status.code() == Status::Code::kUnauthenticated);
  CHECK(HeaderOf(missing->headers, "WWW-Authenticate").rfind("Bearer", 0) == 0);
  CHECK(StatusOf(guard, Query({{"Authorization", "Bearer s3cret-tokeN"}})) == 401);
  CHECK(StatusOf(guard, Query({{"Authorization", "Bearer s3cret-token2"}})) == 401);
  CHECK(StatusOf(guard, Query({{"Authorization", "Basic s3cret-token"}})) == 401);
  CHECK(StatusOf(guard, Query({{"Authorization", "Bearer "}})) == 401);
  CHECK(StatusOf(guard, Query({{"Authorization", "Bearer s3cret-token"}})) == 0);
  CHECK(StatusOf(guard, Query({{"Authorization", "bearer  s3cret-token"}})) == 0);
  CHECK(StatusOf(guard, Request("DELETE", "/api/datasets/x")) == 401);
  CHECK(StatusOf(guard, Request("DELETE", "/api/datasets/x",
                                {{"Authorization", "Bearer s3cret-token"}})) == 0);
  CHECK(StatusOf(guard, Request("POST", "/api/upload?name=x",
                                {{"Content-Type", "text/csv"}, {"Content-Length", "4"}})) == 401);
  for (const char* method : {"GET", "HEAD", "OPTIONS"}) {
    INFO(method);
    CHECK(StatusOf(guard, Request(method, "/api/status")) == 0);
  }
  // Without a token configured, none is needed.
  CHECK(StatusOf(RequestGuard(GuardPolicy{}), Query()) == 0);
}

TEST_CASE("A body other than an upload's comes with a Content-Length of at most 1 MiB",
          "[gateway][guard]") {
  const RequestGuard guard(GuardPolicy{});
  CHECK(StatusOf(guard, Query({}, kMaxRequestBodyBytes)) == 0);
  const std::optional<Refusal> large = guard.Check(Query({}, kMaxRequestBodyBytes + 1));
  REQUIRE(large);
  CHECK(large->http_status == 413);
  CHECK(large->status.IsResourceExhausted());

  const RequestView chunked =
      Request("POST", "/api/query",
              {{"Content-Type", "application/json"}, {"Transfer-Encoding", "chunked"}});
  CHECK(StatusOf(guard, chunked) == 411);
  const RequestView unframed =
      Request("POST", "/api/query", {{"Content-Type", "application/json"}});
  CHECK(StatusOf(guard, unframed) == 411);
  CHECK(StatusOf(guard,
                 Request("POST", "/api/query",
                         {{"Content-Type", "application/json"}, {"Content-Length", "-5"}})) == 400);
  // A DELETE without a length has no body; with one, the same bound holds.
  CHECK(StatusOf(guard, Request("DELETE", "/api/datasets/x")) == 0);
  CHECK(StatusOf(guard, Request("DELETE", "/api/datasets/x", {{"Content-Length", "2000000"}})) ==
        413);

  // An upload streams to disk: any framing and size; its route bounds it.
  CHECK(StatusOf(guard,
                 Request("POST", "/api/upload",
                         {{"Content-Type", "text/csv"}, {"Transfer-Encoding", "chunked"}})) == 0);
  CHECK(StatusOf(guard,
                 Request("POST", "/api/upload",
                         {{"Content-Type", "text/csv"}, {"Content-Length", "5000000000"}})) == 0);
}

TEST_CASE("A query body must be declared application/json", "[gateway][guard]") {
  const RequestGuard guard(GuardPolicy{});
  for (const char* type :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""}) {
    INFO(type);
    const RequestView request =
        Request("POST", "/api/query", {{"Content-Type", type}, {"Content-Length", "20"}});
    const std::optional<Refusal> refusal = guard.Check(request);
    REQUIRE(refusal);
    CHECK(refusal->http_status == 415);
    CHECK(refusal->status.code() == Status::Code::kUnsupported);
  }
  CHECK(StatusOf(guard, Request("POST", "/api/query",
                                {{"Content-Type", "application/json; charset=utf-8"},
                                 {"Content-Length", "20"}})) == 0);
}

TEST_CASE("Listed origins get CORS headers and preflight answers; others none",
          "[gateway][guard]") {
  GuardPolicy policy;
  policy.allowed_origins = {"http://dash.example:8080"};
  const RequestGuard guard(policy);
  const RequestView listed = Query({{"Origin", "http://dash.example:8080"}});
  const HeaderList cors = guard.CorsHeaders(listed);
  CHECK(HeaderOf(cors, "Access-Control-Allow-Origin") == "http://dash.example:8080");
  CHECK(HeaderOf(cors, "Vary") == "Origin");
  const HeaderList preflight = guard.PreflightHeaders(
      Request("OPTIONS", "/api/query", {{"Origin", "http://dash.example:8080"}}));
  CHECK(HeaderOf(preflight, "Access-Control-Allow-Methods") == "GET, POST, DELETE");
  CHECK(HeaderOf(preflight, "Access-Control-Allow-Headers") == "Content-Type, Authorization");

  CHECK(guard.CorsHeaders(Query()).empty());
  CHECK(guard.CorsHeaders(Query({{"Origin", "http://evil.example"}})).empty());
  CHECK(guard.CorsHeaders(Query({{"Origin", "http://127.0.0.1:3000"}})).empty());
  CHECK(
      guard.PreflightHeaders(Request("OPTIONS", "/api/query", {{"Origin", "http://evil.example"}}))
          .empty());
}

TEST_CASE("A busy server answers 503 busy with Retry-After", "[gateway][guard]") {
  const Refusal busy = RequestGuard::Busy();
  CHECK(busy.http_status == 503);
  CHECK(busy.status.message() == "busy");
  CHECK(HeaderOf(busy.headers, "Retry-After") == "1");
}

}  // namespace
}  // namespace lake::gateway
