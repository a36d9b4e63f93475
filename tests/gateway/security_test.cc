// The gateway's admission rules over real HTTP (gateway/server_guard.h): a node started in-process
// (or a stub planner where what the planner was asked matters) and cpp-httplib clients that
// play a foreign page, a rebinding attacker, a client without the token, and too many clients.
#include <httplib.h>
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "gateway/request_guard.h"
#include "tests/gateway/gateway_node.h"
#include "tests/gateway/stub_planner.h"

namespace lake::gateway {
namespace {

using nlohmann::json;
using testing::GatewayNode;
using testing::StubFixture;

constexpr const char* kEvilOrigin = "http://evil.example";
constexpr const char* kDashOrigin = "http://dash.example:8080";

// The JSON error body of a refusal, after checking its status and that it carries no CORS header.
json Refused(const httplib::Result& res, int expected_status) {
  INFO("no answer: " << httplib::to_string(res.error()));
  REQUIRE(res);
  CHECK(res->status == expected_status);
  CHECK_FALSE(res->has_header("Access-Control-Allow-Origin"));
  const json body = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  CHECK(body["success"] == false);
  CHECK(body["error"].is_string());
  CHECK(res->get_header_value("Content-Type") == "application/json");
  return body;
}

// A node over an empty data directory storing uploads alone; its gateway has `options` (a
// dashboard origin listed).
// Sends `head` (a request's line and headers, no body) to 127.0.0.1:`port` and returns the first
// line of what comes back within 5 s ("" if nothing): for a request with Expect: 100-continue,
// "HTTP/1.1 100 Continue" or the refusal that stands in its place.
std::string FirstLineAnswering(uint16_t port, const std::string& head) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, head.data(), head.size(), 0) == static_cast<ssize_t>(head.size())) {
    char buf[512];
    while (answer.find("\r\n") == std::string::npos) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      answer.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return answer.substr(0, answer.find("\r\n"));
}

struct SecureNode {
  explicit SecureNode(GatewayOptions options = Listed())
      : scratch("security"), gateway(scratch.path(), testing::OneReplica(), std::move(options)) {}
  static GatewayOptions Listed() {
    GatewayOptions options;
    options.allowed_origins = {kDashOrigin};
    return options;
  }
  httplib::Client& client() { return gateway.client(); }

  const testing::ScratchDir scratch;
  GatewayNode gateway;
};

TEST_CASE_METHOD(StubFixture, "A foreign page's simple POST of a query is refused and runs nothing",
                 "[gateway][security][net]") {
  Answer(Status::Unavailable("unused"));
  // What a form or fetch() without preflight can send: text/plain, with the page's Origin.
  const httplib::Headers evil{{"Origin", kEvilOrigin}};
  const json refused =
      Refused(client->Post("/api/query", evil, R"({"sql": "SELECT 1"})", "text/plain"), 403);
  CHECK(refused["error"].get<std::string>().find("security.allowedOrigins") != std::string::npos);
  Refused(client->Post("/api/query", evil, R"({"sql": "SELECT 1"})", "application/json"), 403);
  // Without an Origin the same text/plain body is still no JSON request.
  Refused(client->Post("/api/query", R"({"sql": "SELECT 1"})", "text/plain"), 415);
  CHECK(RequestCount() == 0);
  // The same query as JSON reaches the planner.
  REQUIRE(client->Post("/api/query", R"({"sql": "SELECT 1"})", "application/json"));
  CHECK(RequestCount() == 1);
}

TEST_CASE_METHOD(SecureNode, "A foreign page's form upload is refused and stores nothing",
                 "[gateway][security][net]") {
  const std::string csv = "product,price\nbolt,0.25\n";
  const httplib::Headers evil{{"Origin", kEvilOrigin}};
  Refused(client().Post("/api/upload", evil,
                        httplib::MultipartFormDataItems{{"file", csv, "products.csv", "text/csv"},
                                                        {"name", "stolen", "", ""}}),
          403);
  Refused(client().Post("/api/upload?name=stolen_too", evil, csv, "text/plain"), 403);
  CHECK(gateway.Get("/api/datasets")["datasets"] == json::array());

  // The node's own page (same origin) and a listed one may upload.
  const std::string own = "http://127.0.0.1:" + std::to_string(gateway.port());
  GatewayNode::Body(client().Post("/api/upload?name=own", {{"Origin", own}}, "a\n1\n", "text/csv"),
                    201);
  const httplib::Result listed =
      client().Post("/api/upload?name=dash", {{"Origin", kDashOrigin}}, "a\n2\n", "text/csv");
  REQUIRE(listed);
  CHECK(listed->status == 201);
  CHECK(gateway.Get("/api/datasets")["datasets"].size() == 2);
}

TEST_CASE("With an API token, upload, query and delete need it; reads do not",
          "[gateway][security][net]") {
  GatewayOptions options;
  options.api_token = "t0ken-of-the-node";
  SecureNode node(options);
  httplib::Client& client = node.client();

  const httplib::Result no_token = client.Post("/api/upload?name=t", "a\n1\n", "text/csv");
  Refused(no_token, 401);
  CHECK(no_token->get_header_value("WWW-Authenticate").rfind("Bearer", 0) == 0);
  // A client that waits for 100 Continue hears of it before it sends the body.
  CHECK(FirstLineAnswering(node.gateway.port(),
                           "POST /api/upload?name=t HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Content-Type: text/csv\r\nContent-Length: 4\r\n"
                           "Expect: 100-continue\r\n\r\n") == "HTTP/1.1 401 Unauthorized");
  const httplib::Headers wrong{{"Authorization", "Bearer t0ken-of-the-nodE"}};
  Refused(client.Post("/api/upload?name=t", wrong, "a\n1\n", "text/csv"), 401);
  Refused(client.Post("/api/query", wrong, R"({"sql": "SELECT 1"})", "application/json"), 401);
  Refused(client.Delete("/api/datasets/t", wrong), 401);
  node.gateway.Get("/api/health");  // reading needs none
  node.gateway.Get("/api/datasets");

  const httplib::Headers right{{"Authorization", "Bearer t0ken-of-the-node"}};
  GatewayNode::Body(client.Post("/api/upload?name=t", right, "a\n1\n2\n", "text/csv"), 201);
  const json answer =
      GatewayNode::Body(client.Post("/api/query", right, R"({"sql": "SELECT SUM(a) AS s FROM t"})",
                                    "application/json"),
                        200);
  CHECK(answer["data"] == json::array({json{{"s", 3}}}));
  GatewayNode::Body(client.Delete("/api/datasets/t", right), 200);
}

TEST_CASE_METHOD(SecureNode, "Bodies other than an upload's are bounded, framed and typed",
                 "[gateway][security][net]") {
  // Over 1 MiB of valid JSON: refused from its Content-Length, before it is read. The client keeps
  // its connection open (as browsers do), so that it reads the answer sent while it is still
  // writing: a node closing a connection with unread bytes resets it.
  client().set_keep_alive(true);
  const std::string large =
      json{{"sql", "SELECT 1"}, {"pad", std::string(kMaxRequestBodyBytes, 'x')}}.dump();
  const json too_large = Refused(client().Post("/api/query", large, "application/json"), 413);
  CHECK(too_large["error"].get<std::string>().find(std::to_string(kMaxRequestBodyBytes)) !=
        std::string::npos);
  // Chunked: no length to check first.
  Refused(client().Post(
              "/api/query",
              [](size_t, httplib::DataSink& sink) {
                sink.write(R"({"sql": "SELECT 1"})", 19);
                sink.done();
                return true;
              },
              "application/json"),
          411);
}

TEST_CASE_METHOD(SecureNode, "A request naming another Host is refused (DNS rebinding)",
                 "[gateway][security][net]") {
  const json refused = Refused(
      client().Get("/api/status", {{"Host", "evil.example:" + std::to_string(gateway.port())}}),
      403);
  CHECK(refused["error"].get<std::string>().find("security.allowedHosts") != std::string::npos);
  GatewayNode::Body(client().Get("/api/health", {{"Host", "localhost"}}), 200);
}

TEST_CASE_METHOD(SecureNode, "A listed origin gets CORS headers and its preflight is answered",
                 "[gateway][security][net]") {
  const httplib::Result read = client().Get("/api/health", {{"Origin", kDashOrigin}});
  REQUIRE(read);
  CHECK(read->status == 200);
  CHECK(read->get_header_value("Access-Control-Allow-Origin") == kDashOrigin);
  CHECK(read->get_header_value("Vary") == "Origin");

  const httplib::Result preflight =
      client().Options("/api/query", {{"Origin", kDashOrigin},
                                      {"Access-Control-Request-Method", "POST"},
                                      {"Access-Control-Request-Headers", "content-type"}});
  REQUIRE(preflight);
  CHECK(preflight->status == 204);
  CHECK(preflight->get_header_value("Access-Control-Allow-Origin") == kDashOrigin);
  CHECK(preflight->get_header_value("Access-Control-Allow-Methods") == "GET, POST, DELETE");
  CHECK(preflight->get_header_value("Access-Control-Allow-Headers") ==
        "Content-Type, Authorization");

  // A refusal the listed page can read: the CORS header is on the error answer too.
  const httplib::Result not_json =
      client().Post("/api/query", {{"Origin", kDashOrigin}}, "SELECT 1", "text/plain");
  REQUIRE(not_json);
  CHECK(not_json->status == 415);
  CHECK(not_json->get_header_value("Access-Control-Allow-Origin") == kDashOrigin);

  Refused(client().Options("/api/query",
                           {{"Origin", kEvilOrigin}, {"Access-Control-Request-Method", "POST"}}),
          403);
}

TEST_CASE_METHOD(SecureNode, "httplib's own errors carry the JSON error body",
                 "[gateway][security][net]") {
  const json unknown = Refused(client().Get("/api/nothing-here"), 404);
  CHECK(unknown["error"].get<std::string>().find("/api/nothing-here") != std::string::npos);
  Refused(client().Post("/api/nothing-here", "{}", "application/json"), 404);
}

TEST_CASE("A full worker pool answers 503 busy at once", "[gateway][security][net]") {
  GatewayOptions options = StubFixture::Options();
  options.http_threads = 1;
  options.http_queue = 0;
  StubFixture stub(options);  // its planner never answers: a query holds the one worker
  auto held = std::async(std::launch::async, [&] {
    return stub.client->Post("/api/query", R"({"sql": "SELECT 1"})", "application/json");
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (stub.RequestCount() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(stub.RequestCount() == 1);

  httplib::Client other("127.0.0.1", stub.port);
  const auto start = std::chrono::steady_clock::now();
  const httplib::Result busy = other.Get("/api/health");
  const auto waited = std::chrono::steady_clock::now() - start;
  const json body = Refused(busy, 503);
  CHECK(body["error"] == "busy");
  CHECK(busy->get_header_value("Retry-After") == "1");
  CHECK(waited < std::chrono::seconds(1));  // not after the held query
  CHECK(stub.RequestCount() == 1);

  const httplib::Result timed_out = held.get();  // the planner's deadline passes: 504
  REQUIRE(timed_out);
  CHECK(timed_out->status == 504);
}

}  // namespace
}  // namespace lake::gateway
