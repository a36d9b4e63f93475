// Placement: where data belongs in the overlay. A chunk (or record) with id K lives on the R live
// nodes whose ids are XOR-closest to K. PlanRepair turns that rule into work for one
// node: for each chunk it holds, which of the R closest live nodes lack a copy (push one there),
// and whether it may drop its own copy (it is not among the R closest, and they all have one).
// SortedNodes answers many closest-node questions over one set of nodes quickly.
// DHT values are ids and node lists, never chunk bytes.
// Thread-safety: pure functions; a SortedNodes is immutable.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "common/id.h"

namespace lake::dht {

// The `r` ids of `nodes` closest to `key`, closest first (fewer if there are fewer nodes).
std::vector<NodeId> ClosestNodes(const Id& key, const std::vector<NodeId>& nodes, size_t r);

// A set of nodes sorted once, for many ClosestNodes questions (one per chunk a node holds).
// The nodes sharing the first L bits with a key form one contiguous run of the sorted ids, and
// every node in it is closer to the key than any node outside it; so the r closest lie in the
// longest-prefix run holding at least r nodes, which is found by walking outwards from the key's
// place in the sorted ids. For random ids that run holds about 2r nodes: O(log n + r log r) a
// question instead of ClosestNodes' O(n log r).
class SortedNodes {
 public:
  explicit SortedNodes(std::vector<NodeId> nodes);  // duplicates are dropped
  // Adds `more` (duplicates dropped) in one merge: O(size + m log m) for m more, where building
  // anew sorted everything again.
  void Insert(std::vector<NodeId> more);

  // The same answer as ClosestNodes(key, ids(), r); with `keep`, as ClosestNodes over the ids it
  // keeps.
  std::vector<NodeId> Closest(const Id& key, size_t r,
                              const std::function<bool(const NodeId&)>& keep = nullptr) const;
  const std::vector<NodeId>& ids() const { return ids_; }  // ascending, unique

 private:
  std::vector<NodeId> ids_;
};

struct RepairPlan {
  struct Push {
    ChunkId chunk;
    NodeId to;
  };
  std::vector<Push> pushes;        // copies to send
  std::vector<ChunkId> droppable;  // chunks this node no longer needs to keep
};

// REQUIRES: `live` includes `self`. `has_copy(chunk, node)` says whether `node` is known to hold
// `chunk` (from provider records or probes); unknown counts as missing, so repair errs towards
// an extra copy rather than a lost one. Pushes come in the order of `held`, each chunk's targets
// closest first; droppable chunks in the order of `held`.
RepairPlan PlanRepair(const NodeId& self, const std::vector<ChunkId>& held,
                      const std::vector<NodeId>& live, size_t r,
                      const std::function<bool(const ChunkId&, const NodeId&)>& has_copy);

}  // namespace lake::dht
