#include "dht/repair_round.h"

#include <algorithm>

namespace lake::dht {

RepairRound::RepairRound(const NodeId& self, std::vector<ChunkId> held, std::vector<NodeId> live,
                         size_t r)
    : self_(self), held_(std::move(held)), live_(std::move(live)), r_(r) {
  std::sort(held_.begin(), held_.end());
  held_.erase(std::unique(held_.begin(), held_.end()), held_.end());
  // Chunks are visited in ascending order, so every peer's list comes out ascending.
  for (const ChunkId& chunk : held_) {
    for (const NodeId& node : live_.Closest(chunk, r_)) {
      if (node != self_) queries_[node].push_back(chunk);
    }
  }
  for (const auto& entry : queries_) answers_.emplace_hint(answers_.end(), entry.first, Answer());
  unsettled_ = answers_.size();
}

bool RepairRound::OnHaveReply(const NodeId& peer, const std::vector<bool>& have) {
  auto it = answers_.find(peer);
  if (it == answers_.end() || it->second.state != Answer::State::kWaiting) return false;
  if (have.size() != queries_.at(peer).size()) return false;
  it->second.state = Answer::State::kAnswered;
  it->second.have = have;
  --unsettled_;
  return true;
}

void RepairRound::OnPeerFailed(const NodeId& peer) {
  if (peer == self_) return;
  failed_.insert(peer);
  auto it = answers_.find(peer);
  if (it != answers_.end() && it->second.state == Answer::State::kWaiting) {
    it->second.state = Answer::State::kFailed;
    --unsettled_;
  }
}

void RepairRound::OnPushed(const ChunkId& chunk, const NodeId& peer) {
  if (peer != self_ && Held(chunk)) pushed_.insert({chunk, peer});
}

bool RepairRound::Held(const ChunkId& chunk) const {
  return std::binary_search(held_.begin(), held_.end(), chunk);
}

bool RepairRound::Confirmed(const ChunkId& chunk, const NodeId& peer) const {
  if (pushed_.count({chunk, peer}) != 0) return true;
  auto answer = answers_.find(peer);
  if (answer == answers_.end() || answer->second.state != Answer::State::kAnswered) return false;
  const std::vector<ChunkId>& asked = queries_.at(peer);
  auto it = std::lower_bound(asked.begin(), asked.end(), chunk);
  return it != asked.end() && *it == chunk && answer->second.have[it - asked.begin()];
}

RepairPlan RepairRound::Plan() const {
  std::vector<NodeId> reachable;
  reachable.reserve(live_.ids().size());
  for (const NodeId& node : live_.ids()) {
    if (failed_.count(node) == 0) reachable.push_back(node);
  }
  return PlanRepair(self_, held_, reachable, r_, [this](const ChunkId& chunk, const NodeId& node) {
    return Confirmed(chunk, node);
  });
}

std::vector<NodeId> RepairRound::ConfirmedHolders(const ChunkId& chunk) const {
  if (!Held(chunk)) return {};
  // The peers asked about `chunk` (its r closest live nodes) and those that took a push of it.
  std::vector<NodeId> peers = live_.Closest(chunk, r_);
  for (auto it = pushed_.lower_bound({chunk, NodeId()}); it != pushed_.end() && it->first == chunk;
       ++it) {
    peers.push_back(it->second);
  }
  std::sort(peers.begin(), peers.end(),
            [&](const NodeId& a, const NodeId& b) { return CloserTo(chunk, a, b); });
  peers.erase(std::unique(peers.begin(), peers.end()), peers.end());
  std::vector<NodeId> holders = {self_};
  for (const NodeId& peer : peers) {
    if (peer != self_ && failed_.count(peer) == 0 && Confirmed(chunk, peer)) {
      holders.push_back(peer);
    }
  }
  return holders;
}

}  // namespace lake::dht
