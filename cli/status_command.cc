// `p2plake status`: the network as one node sees it, from its /api/status.
#include <httplib.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/node_client.h"

namespace lake::cli {
namespace {

struct StatusArgs {
  std::string node = "http://127.0.0.1:3000";
  std::string token;
  bool json = false;
  int timeout_s = 5;
};

std::string Short(const std::string& hex) { return hex.substr(0, 16); }

void PrintStatus(const nlohmann::json& s) {
  std::printf("node      %s\n", s.value("nodeId", "").c_str());
  std::printf("address   %s (http port %d)\n", s.value("address", "").c_str(), s.value("port", 0));
  std::printf("uptime    %.0f s\n", s.value("uptime", 0.0));
  const auto& storage = s["storageUsage"];
  std::printf("storage   %llu datasets, %llu chunks, %s\n",
              static_cast<unsigned long long>(storage.value("totalDatasets", 0ull)),
              static_cast<unsigned long long>(storage.value("totalChunks", 0ull)),
              storage.value("formattedSize", "").c_str());
  std::printf("peers     %d\n", s.value("peersCount", 0));
  for (const auto& peer : s["peers"]) {
    char rtt[32] = "-";
    if (peer["rttMs"].is_number()) {
      std::snprintf(rtt, sizeof rtt, "%.2f ms", peer["rttMs"].get<double>());
    }
    std::printf("  %s  %-22s rtt %-10s %s\n", Short(peer.value("nodeId", "")).c_str(),
                peer.value("address", "").c_str(), rtt,
                peer.value("connected", false) ? "session open" : "");
  }
  for (const auto& name : s["datasets"])
    std::printf("dataset   %s\n", name.get<std::string>().c_str());
}

int RunStatus(const StatusArgs& args) {
  const std::unique_ptr<httplib::Client> client = NodeClient(args.node, args.token);
  if (client == nullptr) {
    std::fprintf(stderr, "p2plake status: not a node URL: %s\n", args.node.c_str());
    return kExitUsage;
  }
  client->set_connection_timeout(args.timeout_s, 0);
  client->set_read_timeout(args.timeout_s, 0);
  httplib::Result res = client->Get("/api/status");
  if (!res) {
    std::fprintf(stderr, "p2plake status: cannot reach %s: %s\n", args.node.c_str(),
                 httplib::to_string(res.error()).c_str());
    return kExitFailure;
  }
  const nlohmann::json body = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status != 200 || body.is_discarded()) {
    std::fprintf(stderr, "p2plake status: %s: %s\n", args.node.c_str(), RefusalOf(*res).c_str());
    return kExitFailure;
  }
  if (args.json) {
    std::cout << body.dump(2) << "\n";
  } else {
    PrintStatus(body);
  }
  return kExitOk;
}

}  // namespace

CommandRunner AddStatusCommand(CLI::App& app) {
  auto args = std::make_shared<StatusArgs>();
  CLI::App* cmd = app.add_subcommand("status", "Show the network as one node sees it");
  cmd->add_option("--node", args->node, "the node's HTTP URL")->capture_default_str();
  AddTokenOption(*cmd, &args->token);
  cmd->add_flag("--json", args->json, "print the node's /api/status JSON");
  cmd->add_option("--timeout", args->timeout_s, "seconds to wait for the node")
      ->capture_default_str()
      ->check(CLI::Range(1, 600));
  return [args] { return RunStatus(*args); };
}

}  // namespace lake::cli
