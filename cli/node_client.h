// What the commands that call a node's HTTP API share (upload, query, status): the --token
// option (or P2PLAKE_TOKEN), a client of the node that sends it as a bearer token, and the one
// line that says why the node refused a request.
// Thread-safety: free functions; a client belongs to the command's thread.
#pragma once

#include <memory>
#include <string>

namespace CLI {
class App;
}

namespace httplib {
class Client;
struct Response;
}  // namespace httplib

namespace lake::cli {

// Adds --token TOKEN to `cmd`, read from the environment variable P2PLAKE_TOKEN when not given.
void AddTokenOption(CLI::App& cmd, std::string* token);

// A client of the node at `url` that sends "Authorization: Bearer <token>" with every request
// when `token` is not empty; nullptr when `url` is not a URL.
std::unique_ptr<httplib::Client> NodeClient(const std::string& url, const std::string& token);

// Why the node refused: for 401, that it wants a token; else the `error` of its JSON answer, or
// the status and body when it has none.
std::string RefusalOf(const httplib::Response& res);

}  // namespace lake::cli
