#include "cli/node_client.h"

#include <httplib.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace lake::cli {

void AddTokenOption(CLI::App& cmd, std::string* token) {
  cmd.add_option("--token", *token, "the node's API token (security.apiToken)")
      ->envname("P2PLAKE_TOKEN");
}

std::unique_ptr<httplib::Client> NodeClient(const std::string& url, const std::string& token) {
  auto client = std::make_unique<httplib::Client>(url);
  if (!client->is_valid()) return nullptr;
  if (!token.empty()) client->set_bearer_token_auth(token);
  return client;
}

std::string RefusalOf(const httplib::Response& res) {
  if (res.status == 401) return "the node requires a token: --token or P2PLAKE_TOKEN";
  const nlohmann::json body = nlohmann::json::parse(res.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object() && body.contains("error") && body["error"].is_string()) {
    return body["error"].get<std::string>();
  }
  return "the node answered HTTP " + std::to_string(res.status) + ": " + res.body;
}

}  // namespace lake::cli
