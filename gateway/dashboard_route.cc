#include "gateway/dashboard_route.h"

#include <httplib.h>

#include <string>

#include "gateway/dashboard_assets.h"

namespace lake::gateway {
namespace {

// Scripts, styles, images and API calls (fetch, XMLHttpRequest, EventSource) from this origin
// only; no inline script or style, no plugins, and no framing of the page by another site.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

// The route pattern (httplib matches a std::regex) naming exactly `path`: asset names hold only
// letters, digits, '_', '.' and '-' (cmake/EmbedAssets.cmake checks), of which '.' is special.
std::string ExactPattern(std::string_view path) {
  std::string pattern;
  for (char c : path) {
    if (c == '.') pattern += '\\';
    pattern += c;
  }
  return pattern;
}

void ServeAsset(const EmbeddedAsset& asset, const httplib::Request& req, httplib::Response& res) {
  res.set_header("Cache-Control", "no-cache");
  res.set_header("ETag", std::string(asset.etag));
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Content-Security-Policy", kContentSecurityPolicy);
  res.set_header("Referrer-Policy", "no-referrer");
  // no-cache: the browser revalidates every time, and an unchanged file costs a 304.
  if (req.get_header_value("If-None-Match") == asset.etag) {
    res.status = 304;
    return;
  }
  res.status = 200;
  res.set_content(asset.bytes.data(), asset.bytes.size(),
                  std::string(AssetContentType(asset.path)).c_str());
}

}  // namespace

std::string_view AssetContentType(std::string_view path) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"}, {".png", "image/png"},
      {".ico", "image/x-icon"}, {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"}};
  for (const auto& [extension, type] : kTypes) {
    if (path.ends_with(extension)) return type;
  }
  return "application/octet-stream";
}

void AddDashboardRoutes(httplib::Server& server) {
  for (const EmbeddedAsset& asset : DashboardAssets()) {
    const auto handler = [&asset](const httplib::Request& req, httplib::Response& res) {
      ServeAsset(asset, req, res);
    };
    server.Get(ExactPattern(asset.path), handler);
    if (asset.path == "/index.html") server.Get("/", handler);
  }
}

}  // namespace lake::gateway
