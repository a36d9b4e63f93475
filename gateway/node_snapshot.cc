#include "gateway/node_snapshot.h"

#include <unistd.h>

#include <fstream>

#include "gateway/http_reply.h"

namespace lake::gateway {
namespace {

uint64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages_total = 0;
  uint64_t pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

Result<NodeSnapshot> AskSnapshot(caf::actor_system& system, const NodeHandles& handles,
                                 const GatewayActor& gateway, std::chrono::milliseconds timeout) {
  using namespace actors;
  NodeSnapshot snapshot;
  LAKE_ASSIGN_OR_RETURN(snapshot.router,
                        Ask<RouterStatus>(system, handles.router, timeout, status_atom::value));
  LAKE_ASSIGN_OR_RETURN(snapshot.peers, Ask<std::vector<PeerInfo>>(system, handles.router, timeout,
                                                                   peers_atom::value));
  LAKE_ASSIGN_OR_RETURN(snapshot.storage,
                        Ask<StorageStatus>(system, handles.keeper, timeout, status_atom::value));
  LAKE_ASSIGN_OR_RETURN(snapshot.transport,
                        Ask<TransportStats>(system, handles.transport, timeout, stats_atom::value));
  LAKE_ASSIGN_OR_RETURN(snapshot.planner,
                        Ask<PlannerStatus>(system, handles.planner, timeout, status_atom::value));
  LAKE_ASSIGN_OR_RETURN(snapshot.gateway,
                        Ask<GatewayStats>(system, gateway, timeout, stats_atom::value));
  snapshot.resident_bytes = ResidentBytes();
  return snapshot;
}

}  // namespace lake::gateway
