#include "dht/placement.h"

#include <algorithm>

namespace lake::dht {

std::vector<NodeId> ClosestNodes(const Id& key, const std::vector<NodeId>& nodes, size_t r) {
  std::vector<NodeId> out = nodes;
  const size_t count = std::min(r, out.size());
  std::partial_sort(out.begin(), out.begin() + count, out.end(),
                    [&](const NodeId& a, const NodeId& b) { return CloserTo(key, a, b); });
  out.resize(count);
  return out;
}

RepairPlan PlanRepair(const NodeId& self, const std::vector<ChunkId>& held,
                      const std::vector<NodeId>& live, size_t r,
                      const std::function<bool(const ChunkId&, const NodeId&)>& has_copy) {
  RepairPlan plan;
  for (const ChunkId& chunk : held) {
    bool self_responsible = false;
    bool all_have_it = true;
    for (const NodeId& node : ClosestNodes(chunk, live, r)) {
      if (node == self) {
        self_responsible = true;
      } else if (!has_copy(chunk, node)) {
        plan.pushes.push_back(RepairPlan::Push{chunk, node});
        all_have_it = false;
      }
    }
    if (!self_responsible && all_have_it) plan.droppable.push_back(chunk);
  }
  return plan;
}

}  // namespace lake::dht
