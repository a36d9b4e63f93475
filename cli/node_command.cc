// `p2plake node`: runs one node until SIGINT/SIGTERM. config.json first, then flags.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <optional>

#include "actors/node.h"
#include "cli/command.h"
#include "cli/logging.h"
#include "gateway/gateway_actor.h"
#include "local/data_dir.h"
#include "local/node_config.h"

namespace lake::cli {
namespace {

struct NodeArgs {
  std::string config_file;
  std::optional<uint16_t> http_port;
  std::optional<uint16_t> p2p_port;
  std::optional<std::string> data_dir;
  std::vector<std::string> seeds;
  std::optional<uint32_t> replication;
  std::optional<std::string> bind;
  std::optional<std::string> http_bind;
  std::optional<std::string> p2p_bind;
  std::optional<std::string> advertise_address;
  std::optional<std::string> log_level;
  uint32_t upload_timeout_s = 3600;
};

Result<local::NodeConfig> ResolveConfig(const NodeArgs& args, std::vector<std::string>* warnings) {
  local::NodeConfig config;
  if (!args.config_file.empty()) {
    LAKE_ASSIGN_OR_RETURN(config, local::LoadNodeConfig(args.config_file, warnings));
  }
  if (args.http_port) config.network.default_port = *args.http_port;
  if (args.p2p_port) config.network.p2p_port = *args.p2p_port;
  if (args.data_dir) config.storage.data_path = *args.data_dir;
  if (!args.seeds.empty()) config.network.bootstrap_nodes = args.seeds;
  if (args.replication) {
    config.storage.replication_factor = *args.replication;
    config.storage.write_quorum = std::min(config.storage.write_quorum, *args.replication);
  }
  if (args.bind) {
    config.network.bind_address = *args.bind;
    config.network.http_bind_address = *args.bind;
    config.network.p2p_bind_address = *args.bind;
  }
  if (args.http_bind) config.network.http_bind_address = *args.http_bind;
  if (args.p2p_bind) config.network.p2p_bind_address = *args.p2p_bind;
  if (args.advertise_address) config.network.advertise_address = *args.advertise_address;
  if (args.log_level) config.logging.level = *args.log_level;
  LAKE_RETURN_IF_ERROR(local::ValidateNodeConfig(config));
  return config;
}

int RunNode(const NodeArgs& args) {
  // Every thread started from here on inherits this mask, so the signals wait for sigwait below
  // instead of killing the process in the middle of a RocksDB write.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::vector<std::string> warnings;
  Result<local::NodeConfig> config = ResolveConfig(args, &warnings);
  if (!config.ok()) {
    std::fprintf(stderr, "p2plake node: %s\n", config.status().message().c_str());
    return kExitFailure;
  }
  Result<std::unique_ptr<local::DataDir>> dir =
      local::DataDir::Open(config->storage.data_path, local::DataDirOptionsOf(*config));
  if (!dir.ok()) {
    std::fprintf(stderr, "p2plake node: %s\n", dir.status().message().c_str());
    return kExitFailure;
  }
  if (Status s = InitLogging(config->logging.level, (*dir)->log_path()); !s.ok()) {
    std::fprintf(stderr, "p2plake node: %s\n", s.message().c_str());
    return kExitFailure;
  }
  for (const std::string& warning : warnings) spdlog::warn("config: {}", warning);
  if (!config->security.enable_encryption) {
    spdlog::warn(
        "config: security.enableEncryption=false is ignored: peer sessions are always "
        "authenticated and encrypted");
  }

  if ((*dir)->removed_spool_files() > 0) {
    spdlog::info("removed {} spool files of interrupted uploads", (*dir)->removed_spool_files());
  }
  const std::string spool_dir = (*dir)->spool_dir();

  Result<std::unique_ptr<actors::Node>> node = actors::Node::Start(*config, std::move(dir).value());
  if (!node.ok()) {
    spdlog::error("node failed to start: {}", node.status().ToString());
    return kExitFailure;
  }
  gateway::GatewayOptions gateway_options;
  gateway_options.bind_address = config->network.http_bind_address;
  gateway_options.port = config->network.default_port;
  gateway_options.allowed_origins = config->security.allowed_origins;
  gateway_options.allowed_hosts = config->security.allowed_hosts;
  gateway_options.api_token = config->security.api_token;
  gateway_options.http_threads = config->network.http_threads;
  gateway_options.max_query_time = std::chrono::milliseconds(config->analytics.max_query_time_ms);
  gateway_options.max_result_rows = config->analytics.max_result_rows;
  gateway_options.spool_dir = spool_dir;
  gateway_options.max_upload_bytes = config->storage.max_upload_bytes;
  gateway_options.upload_timeout = std::chrono::seconds(args.upload_timeout_s);
  Result<std::unique_ptr<gateway::Gateway>> gateway = gateway::Gateway::Start(
      (*node)->system(),
      gateway::NodeHandles{(*node)->overlay().router, (*node)->keeper(), (*node)->planner(),
                           (*node)->overlay().transport},
      gateway_options);
  if (!gateway.ok()) {
    spdlog::error("node failed to start: {}", gateway.status().ToString());
    return kExitFailure;
  }
  const uint16_t http_port = (*gateway)->port();
  const std::string& http_bind = config->network.http_bind_address;
  const std::string host = http_bind == "0.0.0.0" ? "127.0.0.1" : http_bind;
  spdlog::info("node {} serving http://{}:{}", (*node)->id().ToHex(), host, http_port);
  std::printf("p2plake node %s\n  http  http://%s:%u\n  p2p   %s\n  data  %s\n",
              (*node)->id().ToHex().c_str(), host.c_str(), http_port,
              (*node)->overlay().address.c_str(), config->storage.data_path.c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("received {}, shutting down", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  (*gateway)->Stop();
  (*node)->Stop();
  return kExitOk;
}

}  // namespace

CommandRunner AddNodeCommand(CLI::App& app) {
  auto args = std::make_shared<NodeArgs>();
  CLI::App* cmd = app.add_subcommand("node", "Run a node until SIGINT/SIGTERM");
  cmd->add_option("--config", args->config_file, "config.json; flags override it")
      ->check(CLI::ExistingFile);
  cmd->add_option("--http-port", args->http_port, "HTTP gateway port (default 3000; 0 = any)");
  cmd->add_option("--p2p-port", args->p2p_port, "peer protocol port (default 4000; 0 = any)");
  cmd->add_option("--data-dir", args->data_dir, "node key, database and logs (default ./data)");
  cmd->add_option("--seed", args->seeds,
                  "HOST:PORT or NODE_ID@HOST:PORT of a node to join through (repeatable); with "
                  "the id, a node answering there with another id is refused");
  cmd->add_option("--replication", args->replication, "replicas per chunk (default 3)")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--bind", args->bind, "address both ports listen on (default 127.0.0.1)");
  cmd->add_option("--http-bind", args->http_bind,
                  "address the HTTP API listens on (default: --bind's)");
  cmd->add_option("--p2p-bind", args->p2p_bind,
                  "address the peer protocol listens on (default: --bind's)");
  cmd->add_option("--advertise-address", args->advertise_address,
                  "HOST:PORT peers are told to reach this node at (behind NAT, or bound to "
                  "0.0.0.0; default: the p2p bind address and port)");
  cmd->add_option("--log-level", args->log_level, "trace, debug, info, warn, error or off");
  cmd->add_option("--upload-timeout", args->upload_timeout_s,
                  "seconds an upload may take to be stored before it answers 504")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  return [args] { return RunNode(*args); };
}

}  // namespace lake::cli
