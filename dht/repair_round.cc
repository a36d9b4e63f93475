#include "dht/repair_round.h"

#include <algorithm>

namespace lake::dht {
namespace {

void SortUnique(std::vector<ChunkId>& ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

}  // namespace

RepairRound::RepairRound(const NodeId& self, std::vector<ChunkId> held, std::vector<NodeId> live,
                         size_t r)
    : self_(self), held_(std::move(held)), live_(std::move(live)), r_(r) {
  SortUnique(held_);
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
  auto it = answers_.find(peer);
  if (it == answers_.end() || it->second.state != Answer::State::kWaiting) return;
  it->second.state = Answer::State::kFailed;
  --unsettled_;
}

bool RepairRound::Confirmed(const ChunkId& chunk, const NodeId& peer) const {
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
    auto answer = answers_.find(node);
    if (answer == answers_.end() || answer->second.state != Answer::State::kFailed) {
      reachable.push_back(node);
    }
  }
  return PlanRepair(self_, held_, reachable, r_, [this](const ChunkId& chunk, const NodeId& node) {
    return Confirmed(chunk, node);
  });
}

std::vector<NodeId> RepairRound::ConfirmedHolders(const ChunkId& chunk) const {
  if (!std::binary_search(held_.begin(), held_.end(), chunk)) return {};
  std::vector<NodeId> holders = {self_};
  for (const NodeId& node : live_.Closest(chunk, r_)) {
    if (Confirmed(chunk, node)) holders.push_back(node);
  }
  return holders;
}

}  // namespace lake::dht
