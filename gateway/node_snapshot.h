// Everything /api/status and /metrics report, asked of the node's actors at once: the router's
// view of the overlay and its routing table, the keeper's storage and replication counters, the
// transport's, the planner's, the gateway actor's own, and this process's resident memory.
// Thread-safety: a free function; any handler thread may call it.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <vector>

#include "actors/interfaces.h"
#include "common/result.h"
#include "gateway/gateway_actor.h"

namespace lake::gateway {

struct NodeSnapshot {
  actors::RouterStatus router;
  std::vector<actors::PeerInfo> peers;
  actors::StorageStatus storage;
  actors::TransportStats transport;
  actors::PlannerStatus planner;
  GatewayStats gateway;
  uint64_t resident_bytes = 0;  // 0 where /proc is not available
};

// The first actor that fails to answer within `timeout` fails it all.
Result<NodeSnapshot> AskSnapshot(caf::actor_system& system, const NodeHandles& handles,
                                 const GatewayActor& gateway, std::chrono::milliseconds timeout);

}  // namespace lake::gateway
