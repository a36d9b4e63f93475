// Placement: where data belongs in the overlay. A chunk (or record) with id K lives on the R live
// nodes whose ids are XOR-closest to K. PlanRepair turns that rule into work for one
// node: for each chunk it holds, which of the R closest live nodes lack a copy (push one there),
// and whether it may drop its own copy (it is not among the R closest, and they all have one).
// DHT values are ids and node lists, never chunk bytes.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "common/id.h"

namespace lake::dht {

// The `r` ids of `nodes` closest to `key`, closest first (fewer if there are fewer nodes).
std::vector<NodeId> ClosestNodes(const Id& key, const std::vector<NodeId>& nodes, size_t r);

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
// an extra copy rather than a lost one.
RepairPlan PlanRepair(const NodeId& self, const std::vector<ChunkId>& held,
                      const std::vector<NodeId>& live, size_t r,
                      const std::function<bool(const ChunkId&, const NodeId&)>& has_copy);

}  // namespace lake::dht
