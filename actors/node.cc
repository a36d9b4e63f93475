#include "actors/node.h"

#include <thread>

#include <sodium.h>
#include <spdlog/spdlog.h>
#include <caf/io/all.hpp>

#include "actors/chunk_keeper.h"
#include "actors/query_executor.h"
#include "actors/query_planner.h"
#include "dht/chunk_messages.h"
#include "dht/query_messages.h"

namespace lake::actors {

Result<std::unique_ptr<Node>> Node::Start(const local::NodeConfig& config,
                                          std::unique_ptr<local::DataDir> dir) {
  local::DataDir::KeyNotes key;
  LAKE_ASSIGN_OR_RETURN(dht::Identity identity, dir->LoadOrCreateIdentity(&key));
  if (key.created) spdlog::info("node: created a new identity in {}", dir->key_path());
  if (key.exposed()) {
    spdlog::warn("node: the node key {} is readable by other users (mode {:o}): chmod 600 it",
                 dir->key_path(), key.mode);
  }
  if (dir->recovered_chunks() > 0) {
    spdlog::warn("node: removed {} chunks of an interrupted import", dir->recovered_chunks());
  }

  std::unique_ptr<Node> node(new Node());
  node->id_ = identity.node_id();
  node->caf_config_ = std::make_unique<caf::actor_system_config>();
  node->caf_config_->load<caf::io::middleman>();
  // CAF's default work stealing keeps idle workers polling; a node's actors are mostly idle
  // (queries run on the planner's own pool), and several nodes may share a machine.
  node->caf_config_->set("scheduler.policy", caf::atom("sharing"));
  // One read per socket per multiplexer round (CAF's default is 50): the transport halts
  // reading from a peer over its byte rate or backlog, and a halt takes effect only between
  // rounds, so more would let a peer push 50 reads past it.
  node->caf_config_->set("middleman.max-consecutive-reads", 1);
  node->system_ = std::make_unique<caf::actor_system>(*node->caf_config_);

  PeerTransportOptions transport;
  transport.bind_address = config.network.p2p_bind_address;
  transport.port = config.network.p2p_port;
  transport.max_inbound = config.network.max_inbound_peers;
  transport.max_outbound = config.network.max_outbound_peers;
  transport.max_frames_per_second = config.network.max_frames_per_second;
  transport.max_bytes_per_second = static_cast<double>(config.network.max_bytes_per_second);
  transport.frame_timeout = std::chrono::milliseconds(config.network.frame_timeout_ms);
  LAKE_ASSIGN_OR_RETURN(transport.session.network_key, local::LoadNetworkKey(config.security));
  if (transport.session.network_key) spdlog::info("node: joining a private network (network key)");
  DhtRouterOptions router;
  router.seeds = config.network.bootstrap_nodes;
  router.advertise_address = config.network.advertise_address;
  for (const std::string& writer : config.security.writers) {
    router.dht.writers.push_back(*NodeId::FromHex(writer));  // ValidateNodeConfig checked it
  }
  router.dht.maintenance_interval = std::chrono::milliseconds(config.network.discovery_interval_ms);
  router.dht.heartbeat_interval = std::chrono::milliseconds(config.network.heartbeat_interval_ms);
  randombytes_buf(&router.rng_seed, sizeof router.rng_seed);
  LAKE_ASSIGN_OR_RETURN(node->overlay_,
                        StartOverlay(*node->system_, identity, transport, std::move(router)));
  ChunkKeeperOptions keeper;
  keeper.replication = config.storage.replication_factor;
  keeper.write_quorum = config.storage.write_quorum;
  keeper.chunk_bytes = config.storage.chunk_size;
  keeper.import_threads = std::max(1u, std::thread::hardware_concurrency());
  keeper.repair_interval = std::chrono::milliseconds(config.storage.repair_interval_ms);
  keeper.repair_bytes_per_second = config.storage.repair_bandwidth;
  keeper.orphan_grace = std::chrono::milliseconds(config.storage.orphan_grace_ms);
  keeper.fetch_cache_bytes = static_cast<size_t>(config.analytics.fetch_cache_size);
  node->keeper_ = node->system_->spawn(ChunkKeeper, keeper, identity, dir->store());
  caf::anon_send(node->overlay_.transport, attach_atom::value, std::string(dht::kChunkProtocol),
                 caf::actor_cast<caf::actor>(node->keeper_));
  caf::anon_send(node->keeper_, attach_atom::value, node->overlay_.transport, node->overlay_.router,
                 node->overlay_.address);
  node->executor_ = node->system_->spawn<caf::detached>(
      QueryExecutor, dir->store(), std::max(1u, std::thread::hardware_concurrency()),
      static_cast<size_t>(config.analytics.cache_size));
  QueryPlannerOptions planner;
  planner.replication = config.storage.replication_factor;
  planner.max_query_time = std::chrono::milliseconds(config.analytics.max_query_time_ms);
  planner.max_concurrent = config.analytics.max_concurrent_queries;
  planner.max_queued = config.analytics.max_queued_queries;
  planner.result_cache_bytes = static_cast<size_t>(config.analytics.result_cache_size);
  planner.max_gather_bytes = config.analytics.max_gather_bytes;
  planner.join_strategy =
      config.analytics.join_strategy == "broadcast" ? local::JoinStrategy::kBroadcast
      : config.analytics.join_strategy == "gather"  ? local::JoinStrategy::kGather
                                                    : local::JoinStrategy::kAuto;
  node->planner_ = node->system_->spawn(QueryPlanner, planner, node->id_, dir->store(),
                                        node->executor_, node->keeper_);
  caf::anon_send(node->overlay_.transport, attach_atom::value, std::string(dht::kQueryProtocol),
                 caf::actor_cast<caf::actor>(node->planner_));
  caf::anon_send(node->planner_, attach_atom::value, node->overlay_.transport,
                 node->overlay_.router);
  node->dir_ = std::move(dir);
  spdlog::info("node {} listening for peers on {}", node->id_.ToHex(), node->overlay_.address);
  return node;
}

Node::~Node() { Stop(); }

void Node::Stop() {
  if (!system_) return;
  StopOverlay(overlay_);
  caf::anon_send_exit(keeper_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(planner_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(executor_, caf::exit_reason::user_shutdown);
  // The system waits for its detached actors to be destroyed, so no handle may outlive it.
  overlay_ = OverlayHandles{};
  keeper_ = nullptr;
  planner_ = nullptr;
  executor_ = nullptr;
  system_.reset();  // waits for every actor
  caf_config_.reset();
  dir_.reset();  // closes the store and releases the directory's lock
  spdlog::info("node {} stopped", id_.ShortHex());
}

}  // namespace lake::actors
