#include "dht/lookup.h"

namespace lake::dht {

Lookup::Lookup(const Id& target, size_t k, size_t alpha, const std::vector<Contact>& seeds)
    : target_(target), k_(k), alpha_(alpha) {
  for (const Contact& seed : seeds) Add(seed, 1);
}

void Lookup::Add(const Contact& contact, int hop) {
  auto [it, inserted] = candidates_.try_emplace(contact.id.Distance(target_));
  if (inserted) {
    it->second.contact = contact;
    it->second.hop = hop;
  } else if (it->second.state == State::kNew && hop < it->second.hop) {
    it->second.hop = hop;
  }
}

std::vector<Contact> Lookup::TakeQueries() {
  std::vector<Contact> out;
  size_t considered = 0;
  for (auto& [distance, candidate] : candidates_) {
    if (in_flight_ >= alpha_ || considered >= k_) break;
    if (candidate.state == State::kFailed) continue;
    ++considered;
    if (candidate.state != State::kNew) continue;
    candidate.state = State::kInFlight;
    ++in_flight_;
    ++queries_sent_;
    out.push_back(candidate.contact);
  }
  return out;
}

void Lookup::OnReply(const NodeId& from, const std::vector<Contact>& closer) {
  auto it = candidates_.find(from.Distance(target_));
  if (it == candidates_.end() || it->second.state != State::kInFlight) return;
  it->second.state = State::kReplied;
  --in_flight_;
  const int hop = it->second.hop + 1;
  for (const Contact& contact : closer) Add(contact, hop);
}

void Lookup::OnFailure(const NodeId& from) {
  auto it = candidates_.find(from.Distance(target_));
  if (it == candidates_.end() || it->second.state != State::kInFlight) return;
  it->second.state = State::kFailed;
  --in_flight_;
}

bool Lookup::Done() const {
  if (in_flight_ > 0) return false;
  size_t considered = 0;
  for (const auto& [distance, candidate] : candidates_) {
    if (considered >= k_) break;
    if (candidate.state == State::kFailed) continue;
    ++considered;
    if (candidate.state != State::kReplied) return false;
  }
  return true;
}

std::vector<Contact> Lookup::Closest() const {
  std::vector<Contact> out;
  for (const auto& [distance, candidate] : candidates_) {
    if (out.size() >= k_) break;
    if (candidate.state == State::kReplied) out.push_back(candidate.contact);
  }
  return out;
}

int Lookup::hops() const {
  for (const auto& [distance, candidate] : candidates_) {
    if (candidate.state == State::kReplied) return candidate.hop;
  }
  return 0;
}

}  // namespace lake::dht
