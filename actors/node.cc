#include "actors/node.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <sodium.h>
#include <spdlog/spdlog.h>
#include <caf/io/all.hpp>

#include "actors/chunk_keeper.h"
#include "actors/data_dir.h"
#include "actors/query_planner.h"

namespace lake::actors {

Result<dht::Identity> LoadOrCreateIdentity(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return Status::IOError("cannot read node key " + path);
    Result<dht::Identity> identity = dht::Identity::FromKeyFile(text.str());
    if (!identity.ok()) {
      return Status::Corruption("node key " + path + ": " + identity.status().ToString());
    }
    return identity;
  }
  if (sodium_init() < 0) return Status::IOError("libsodium failed to initialise");
  dht::Identity::Seed seed;
  randombytes_buf(seed.data(), seed.size());
  dht::Identity identity(seed);
  sodium_memzero(seed.data(), seed.size());
  const std::filesystem::path file(path);
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  // Written to a temporary name first, readable by the owner only from the start, and synced:
  // a crash never leaves a half-written key behind.
  const std::string tmp = path + ".tmp";
  const std::string text = identity.ToKeyFile();
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot write node key " + tmp + ": " + std::strerror(errno));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written) return Status::IOError("cannot write node key " + tmp);
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::IOError("cannot write node key " + path + ": " + ec.message());
  spdlog::info("node: created a new identity in {}", path);
  return identity;
}

Result<std::unique_ptr<Node>> Node::Start(const NodeConfig& config) {
  LAKE_RETURN_IF_ERROR(ValidateNodeConfig(config));
  std::error_code ec;
  std::filesystem::create_directories(config.storage.data_path, ec);
  if (ec) {
    return Status::IOError("cannot create data directory " + config.storage.data_path + ": " +
                           ec.message());
  }
  LAKE_ASSIGN_OR_RETURN(dht::Identity identity, LoadOrCreateIdentity(EffectiveKeyPath(config)));
  LAKE_ASSIGN_OR_RETURN(OpenedDataDir data, OpenDataDir(config.storage.data_path));
  if (data.recovered_chunks > 0) {
    spdlog::warn("node: removed {} chunks of an interrupted import", data.recovered_chunks);
  }

  std::unique_ptr<Node> node(new Node());
  node->id_ = identity.node_id();
  node->caf_config_ = std::make_unique<caf::actor_system_config>();
  node->caf_config_->load<caf::io::middleman>();
  // CAF's default work stealing keeps idle workers polling; a node's actors are mostly idle
  // (queries run on the planner's own pool), and several nodes may share a machine.
  node->caf_config_->set("scheduler.policy", caf::atom("sharing"));
  node->system_ = std::make_unique<caf::actor_system>(*node->caf_config_);

  PeerTransportOptions transport;
  transport.bind_address = config.network.bind_address;
  transport.port = config.network.p2p_port;
  transport.max_connections = config.network.max_peers;
  transport.max_frames_per_second = config.network.max_frames_per_second;
  DhtRouterOptions router;
  router.seeds = config.network.bootstrap_nodes;
  router.dht.maintenance_interval = std::chrono::milliseconds(config.network.discovery_interval_ms);
  router.dht.heartbeat_interval = std::chrono::milliseconds(config.network.heartbeat_interval_ms);
  randombytes_buf(&router.rng_seed, sizeof router.rng_seed);
  LAKE_ASSIGN_OR_RETURN(node->overlay_,
                        StartOverlay(*node->system_, identity, transport, std::move(router)));
  std::shared_ptr<store::ChunkStore> store(std::move(data.store));
  node->keeper_ = node->system_->spawn(ChunkKeeper, store);
  node->planner_ = node->system_->spawn<caf::detached>(
      QueryPlanner, store, std::max(1u, std::thread::hardware_concurrency()),
      static_cast<size_t>(config.analytics.cache_size));
  spdlog::info("node {} listening for peers on {}", node->id_.ToHex(), node->overlay_.address);
  return node;
}

Node::~Node() { Stop(); }

void Node::Stop() {
  if (!system_) return;
  StopOverlay(overlay_);
  caf::anon_send_exit(keeper_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(planner_, caf::exit_reason::user_shutdown);
  // The system waits for its detached actors to be destroyed, so no handle may outlive it.
  overlay_ = OverlayHandles{};
  keeper_ = nullptr;
  planner_ = nullptr;
  system_.reset();  // waits for every actor; the keeper's store closes with it
  caf_config_.reset();
  spdlog::info("node {} stopped", id_.ShortHex());
}

}  // namespace lake::actors
