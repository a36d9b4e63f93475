// The dashboard routes on a bare httplib server on 127.0.0.1 (no node): the page at /, every
// file it loads (stylesheet, scripts, the modules they import, the icon) with its type and the
// security headers, revalidation by ETag, 404 for any other path, and a page the
// Content-Security-Policy lets run (no inline script or style).
#include "gateway/dashboard_route.h"

#include <httplib.h>
#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <string>
#include <thread>

#include "gateway/dashboard_assets.h"

namespace lake::gateway {
namespace {

class DashboardServer {
 public:
  DashboardServer() {
    AddDashboardRoutes(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  }
  ~DashboardServer() {
    server_.stop();
    thread_.join();
  }
  httplib::Client& client() { return *client_; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
};

// Every match of `pattern`'s first group in `text`.
std::set<std::string> Matches(const std::string& text, const std::string& pattern) {
  std::set<std::string> found;
  const std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    found.insert((*it)[1].str());
  }
  return found;
}

// GETs `path`, CHECKs a 200 with the type and headers every asset carries; returns the body.
std::string GetAsset(httplib::Client& client, const std::string& path,
                     const std::string& expected_type) {
  INFO(path);
  auto res = client.Get(path.c_str());
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == expected_type);
  CHECK(res->get_header_value("Cache-Control") == "no-cache");
  CHECK(res->get_header_value("X-Content-Type-Options") == "nosniff");
  CHECK(res->get_header_value("ETag").size() > 2);
  const std::string policy = res->get_header_value("Content-Security-Policy");
  CHECK(policy.find("default-src 'self'") != std::string::npos);
  CHECK(policy.find("script-src 'self';") != std::string::npos);
  CHECK(policy.find("style-src 'self';") != std::string::npos);
  CHECK(policy.find("unsafe") == std::string::npos);
  CHECK_FALSE(res->body.empty());
  return res->body;
}

TEST_CASE("GET / serves the dashboard page and every file it loads, each with its type",
          "[gateway][dashboard]") {
  DashboardServer server;
  const std::string page = GetAsset(server.client(), "/", "text/html; charset=utf-8");
  CHECK(page == GetAsset(server.client(), "/index.html", "text/html; charset=utf-8"));

  const std::set<std::string> linked = Matches(page, R"((?:src|href)="(/[^"]*)\")");
  CHECK(linked.count("/style.css") == 1);
  CHECK(linked.count("/app.js") == 1);
  std::set<std::string> scripts;
  for (const std::string& path : linked) {
    const std::string body = GetAsset(server.client(), path, std::string(AssetContentType(path)));
    if (path.ends_with(".js")) scripts.insert(body);
  }
  REQUIRE_FALSE(scripts.empty());
  // Each module the scripts import (`from './x.js'`) is served as JavaScript too.
  size_t imports = 0;
  for (const std::string& script : scripts) {
    for (const std::string& module : Matches(script, R"(from '\./([a-z_]+\.js)')")) {
      GetAsset(server.client(), "/" + module, "text/javascript; charset=utf-8");
      ++imports;
    }
  }
  CHECK(imports > 0);
}

TEST_CASE("The page runs under its Content-Security-Policy: no inline script or style",
          "[gateway][dashboard]") {
  for (const EmbeddedAsset& asset : DashboardAssets()) {
    if (!asset.path.ends_with(".html")) continue;
    INFO(asset.path);
    const std::string html(asset.bytes);
    CHECK(html.find("<style") == std::string::npos);
    CHECK(html.find(" style=") == std::string::npos);
    CHECK(std::regex_search(html, std::regex(R"( on[a-z]+=)")) == false);
    // Every <script> loads a file of this origin.
    for (const std::string& tag : Matches(html, R"((<script[^>]*>))")) {
      INFO(tag);
      CHECK(tag.find("src=\"/") != std::string::npos);
    }
  }
}

TEST_CASE("An unchanged file answers 304 to its ETag, a stale ETag gets the file",
          "[gateway][dashboard]") {
  DashboardServer server;
  auto first = server.client().Get("/app.js");
  REQUIRE(first);
  const std::string etag = first->get_header_value("ETag");
  REQUIRE_FALSE(etag.empty());
  CHECK(etag != server.client().Get("/style.css")->get_header_value("ETag"));

  auto again = server.client().Get("/app.js", {{"If-None-Match", etag}});
  REQUIRE(again);
  CHECK(again->status == 304);
  CHECK(again->body.empty());
  CHECK(again->get_header_value("ETag") == etag);

  auto stale = server.client().Get("/app.js", {{"If-None-Match", "\"0000\""}});
  REQUIRE(stale);
  CHECK(stale->status == 200);
  CHECK(stale->body == first->body);
}

TEST_CASE("A path naming no dashboard file is 404", "[gateway][dashboard]") {
  DashboardServer server;
  for (const char* path : {"/nope.js", "/index.htm", "/appXjs", "/app.js/x", "/web/app.js",
                           "/%2e%2e/CMakeLists.txt"}) {
    INFO(path);
    auto res = server.client().Get(path);
    REQUIRE(res);
    CHECK(res->status == 404);
  }
}

TEST_CASE("Each file's type follows its extension", "[gateway][dashboard]") {
  CHECK(AssetContentType("/index.html") == "text/html; charset=utf-8");
  CHECK(AssetContentType("/app.js") == "text/javascript; charset=utf-8");
  CHECK(AssetContentType("/style.css") == "text/css; charset=utf-8");
  CHECK(AssetContentType("/favicon.svg") == "image/svg+xml");
  CHECK(AssetContentType("/blob") == "application/octet-stream");
  // Every embedded file has a type of its own, not the fallback.
  for (const EmbeddedAsset& asset : DashboardAssets()) {
    INFO(asset.path);
    CHECK(AssetContentType(asset.path) != "application/octet-stream");
  }
}

}  // namespace
}  // namespace lake::gateway
