// Node assembly: one `p2plake node` as an actor system holding the DHT router, the TCP peer
// transport, the chunk keeper and the query planner, built from a NodeConfig over an open data
// directory (its key and store), so a node restarted on it keeps its NodeId and its data. The
// HTTP gateway sits on top (gateway/ depends on actors/, not the reverse): the node command adds
// it. Thread-safety: Start/Stop from one thread; the handles may be used from any thread.
#pragma once

#include <caf/all.hpp>

#include <memory>

#include "actors/interfaces.h"
#include "actors/overlay.h"
#include "common/result.h"
#include "dht/identity.h"
#include "local/node_config.h"

namespace lake::actors {

class Node {
 public:
  // Starts the actors over `dir` (its key is created on first start); the node holds the
  // directory, and its lock, until Stop. REQUIRES: ValidateNodeConfig(config).ok().
  static Result<std::unique_ptr<Node>> Start(const local::NodeConfig& config,
                                             std::unique_ptr<local::DataDir> dir);
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  ~Node();  // Stop()

  // Stops every actor and waits for them; the store is closed when this returns. Idempotent.
  void Stop();

  caf::actor_system& system() { return *system_; }
  const NodeId& id() const { return id_; }
  const OverlayHandles& overlay() const { return overlay_; }
  const ChunkKeeperActor& keeper() const { return keeper_; }
  const QueryPlannerActor& planner() const { return planner_; }

 private:
  Node() = default;

  NodeId id_;
  std::unique_ptr<caf::actor_system_config> caf_config_;
  std::unique_ptr<caf::actor_system> system_;
  OverlayHandles overlay_;
  ChunkKeeperActor keeper_;
  QueryPlannerActor planner_;
  QueryExecutorActor executor_;
  std::unique_ptr<local::DataDir> dir_;  // released after the actors that use its store
};

}  // namespace lake::actors
