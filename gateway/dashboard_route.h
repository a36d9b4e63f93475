// The dashboard routes: GET / answers web/index.html and GET /<file> each other file of web/, as
// compiled into the binary (gateway/dashboard_assets.h), with its Content-Type, an ETag (a
// matching If-None-Match answers 304), Cache-Control: no-cache, and a Content-Security-Policy
// that lets the page load scripts, styles and data from its own origin only.
// Thread-safety: the handlers read only the immutable asset table.
#pragma once

#include <string_view>

namespace httplib {
class Server;
}

namespace lake::gateway {

// "text/javascript; charset=utf-8" for "/app.js": the type a browser needs for each extension
// the dashboard uses ("application/octet-stream" for any other).
std::string_view AssetContentType(std::string_view path);

// Registers GET for "/" and each asset's path (exact paths only, so every other path keeps
// whatever route or 404 it had).
void AddDashboardRoutes(httplib::Server& server);

}  // namespace lake::gateway
