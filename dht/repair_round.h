// RepairRound: one node's repair pass over the chunks it holds, as a sans-I/O state machine.
// It says which peers to ask about which chunks (a HAVE query each: ids in, one bool per id
// out), takes their answers, failures and the outcome of the pushes it planned, and turns them
// into a RepairPlan (PlanRepair's rule: every chunk on the r closest live nodes, a copy outside
// them dropped once all r hold one). A driver asks, answers, then loops: push what Plan() says,
// report each push (OnPushed / OnPeerFailed), and plan again while pushes failed.
// Owned by whoever drives the round (the chunk keeper, the simulator); no clock, no I/O.
// Thread-safety: not thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <vector>

#include "common/id.h"
#include "dht/placement.h"

namespace lake::dht {

class RepairRound {
 public:
  // `held`: the chunks this node holds (any order, duplicates ignored). `live`: the node's view
  // of the network (duplicates ignored).
  // REQUIRES: `live` includes `self` (the node's view: itself plus its routing-table contacts);
  // r >= 1 (with r = 0 no node is responsible for anything and every chunk would be droppable).
  RepairRound(const NodeId& self, std::vector<ChunkId> held, std::vector<NodeId> live, size_t r);

  // Per peer (never self), the held chunks that peer should hold (it is among the r closest live
  // nodes to them), ascending ids: what to ask it. Peers with nothing to ask are absent.
  const std::map<NodeId, std::vector<ChunkId>>& queries() const { return queries_; }

  // `have[i]` answers queries().at(peer)[i]. A reply of the wrong size, a second reply, a reply
  // after OnPeerFailed, or one from a peer not asked is ignored (returns false); true if it was
  // used.
  bool OnHaveReply(const NodeId& peer, const std::vector<bool>& have);
  // `peer` (any live node but self) did not answer its HAVE query or a push (unreachable, timed
  // out): from now on the plan leaves it out of the live nodes, so its chunks go to the next
  // closest node instead. A crashed node stays in routing tables until the heartbeat notices;
  // pushing to it alone would leave its chunks one copy short meanwhile.
  void OnPeerFailed(const NodeId& peer);
  // Every asked peer answered or failed.
  bool complete() const { return unsettled_ == 0; }

  // A push of a held `chunk` to `peer` was acknowledged: `peer` now counts as holding it.
  void OnPushed(const ChunkId& chunk, const NodeId& peer);

  // What to push where and what may be dropped, from PlanRepair with the answers and pushes so
  // far over the live nodes less the failed ones. A peer yet to answer counts as lacking the
  // chunk, as does a stand-in for a failed one (it was not asked), so repair errs toward an
  // extra copy; a chunk is droppable only if every one of its r closest reachable nodes
  // confirmed a copy. Pushes come in ascending chunk order, each chunk's targets closest first;
  // droppable chunks ascending.
  RepairPlan Plan() const;

  // Self (which holds every chunk it offers), then the reachable peers that confirmed holding
  // `chunk` or took a push of it, closest first. Empty for a chunk this round does not cover.
  std::vector<NodeId> ConfirmedHolders(const ChunkId& chunk) const;

 private:
  // A queried peer's state; `have` is filled by its reply.
  struct Answer {
    enum class State { kWaiting, kAnswered, kFailed };
    State state = State::kWaiting;
    std::vector<bool> have;
  };

  // Whether `peer` said it holds `chunk` or took a push of it (false for self).
  bool Confirmed(const ChunkId& chunk, const NodeId& peer) const;
  bool Held(const ChunkId& chunk) const;

  // Immutable after construction
  NodeId self_;
  std::vector<ChunkId> held_;  // ascending, unique
  SortedNodes live_;
  size_t r_;
  std::map<NodeId, std::vector<ChunkId>> queries_;

  // Mutable state
  std::map<NodeId, Answer> answers_;  // one per key of queries_
  size_t unsettled_ = 0;              // peers still kWaiting
  std::set<NodeId> failed_;           // asked or not
  std::set<std::pair<ChunkId, NodeId>> pushed_;
};

}  // namespace lake::dht
