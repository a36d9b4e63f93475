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

SortedNodes::SortedNodes(std::vector<NodeId> nodes) : ids_(std::move(nodes)) {
  std::sort(ids_.begin(), ids_.end());
  ids_.erase(std::unique(ids_.begin(), ids_.end()), ids_.end());
}

void SortedNodes::Insert(std::vector<NodeId> more) {
  std::sort(more.begin(), more.end());
  const size_t old_size = ids_.size();
  ids_.insert(ids_.end(), more.begin(), more.end());
  std::inplace_merge(ids_.begin(), ids_.begin() + old_size, ids_.end());
  ids_.erase(std::unique(ids_.begin(), ids_.end()), ids_.end());
}

std::vector<NodeId> SortedNodes::Closest(const Id& key, size_t r,
                                         const std::function<bool(const NodeId&)>& keep) const {
  // The prefix an id shares with `key` grows towards key's place in the sorted order and
  // shrinks past it, so walking outwards from there, always to the side sharing more, meets
  // the nodes longest prefix first. The walk stops once it holds r nodes kept and has taken
  // every node sharing as long a prefix as the last one it took: those are closer than all the
  // rest.
  auto shared = [&](const NodeId& id) { return key.Distance(id).LeadingZeros(); };
  const auto split = std::lower_bound(ids_.begin(), ids_.end(), key);
  auto left = split;  // taken: [left, right)
  auto right = split;
  std::vector<NodeId> taken;
  int level = Id::kBits;  // prefix shared by the last node taken
  while (true) {
    const int left_shared = left != ids_.begin() ? shared(*(left - 1)) : -1;
    const int right_shared = right != ids_.end() ? shared(*right) : -1;
    const int next = std::max(left_shared, right_shared);
    if (next < 0 || (taken.size() >= r && next < level)) break;
    level = next;
    const NodeId& id = left_shared >= right_shared ? *--left : *right++;
    if (!keep || keep(id)) taken.push_back(id);
  }
  return ClosestNodes(key, taken, r);
}

RepairPlan PlanRepair(const NodeId& self, const std::vector<ChunkId>& held,
                      const std::vector<NodeId>& live, size_t r,
                      const std::function<bool(const ChunkId&, const NodeId&)>& has_copy) {
  RepairPlan plan;
  const SortedNodes sorted(live);
  for (const ChunkId& chunk : held) {
    bool self_responsible = false;
    bool all_have_it = true;
    for (const NodeId& node : sorted.Closest(chunk, r)) {
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
