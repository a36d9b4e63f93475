#include "dht/lookup.h"

#include <algorithm>

namespace lake::dht {
namespace {

// Where `distance` is, or belongs, in a by-distance order.
template <class Ranked>
auto LowerBound(std::vector<Ranked>& ranked, const Id& distance) {
  return std::lower_bound(ranked.begin(), ranked.end(), distance,
                          [](const Ranked& r, const Id& d) { return r.distance < d; });
}

}  // namespace

Lookup::Lookup(const Id& target, size_t k, size_t alpha, const std::vector<Contact>& seeds)
    : target_(target), k_(k), alpha_(alpha) {
  Add(seeds, 1);
}

void Lookup::Add(const std::vector<Contact>& contacts, int hop) {
  std::vector<Ranked> fresh;  // index: into `contacts` until merged
  for (size_t i = 0; i < contacts.size(); ++i) {
    const Id distance = contacts[i].id.Distance(target_);
    auto it = LowerBound(by_distance_, distance);
    if (it == by_distance_.end() || it->distance != distance) {
      fresh.push_back(Ranked{distance, static_cast<uint32_t>(i)});
    } else if (Candidate& known = candidates_[it->index];
               known.state == State::kNew && hop < known.hop) {
      known.hop = hop;
    }
  }
  const auto closer = [](const Ranked& a, const Ranked& b) { return a.distance < b.distance; };
  // A contact listed twice counts once, as first listed.
  std::stable_sort(fresh.begin(), fresh.end(), closer);
  fresh.erase(
      std::unique(fresh.begin(), fresh.end(),
                  [](const Ranked& a, const Ranked& b) { return a.distance == b.distance; }),
      fresh.end());
  for (Ranked& ranked : fresh) {
    candidates_.push_back(Candidate{contacts[ranked.index], State::kNew, hop});
    ranked.index = static_cast<uint32_t>(candidates_.size() - 1);
  }
  const size_t old_size = by_distance_.size();
  by_distance_.insert(by_distance_.end(), fresh.begin(), fresh.end());
  std::inplace_merge(by_distance_.begin(), by_distance_.begin() + old_size, by_distance_.end(),
                     closer);
}

Lookup::Candidate* Lookup::Find(const NodeId& from) {
  const Id distance = from.Distance(target_);
  auto it = LowerBound(by_distance_, distance);
  if (it == by_distance_.end() || it->distance != distance) return nullptr;
  return &candidates_[it->index];
}

std::vector<Contact> Lookup::TakeQueries() {
  std::vector<Contact> out;
  size_t considered = 0;
  for (const Ranked& ranked : by_distance_) {
    Candidate& candidate = candidates_[ranked.index];
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
  Candidate* candidate = Find(from);
  if (candidate == nullptr || candidate->state != State::kInFlight) return;
  candidate->state = State::kReplied;
  --in_flight_;
  const int hop = candidate->hop + 1;
  Add(closer, hop);
}

void Lookup::OnFailure(const NodeId& from) {
  Candidate* candidate = Find(from);
  if (candidate == nullptr || candidate->state != State::kInFlight) return;
  candidate->state = State::kFailed;
  --in_flight_;
}

bool Lookup::Done() const {
  if (in_flight_ > 0) return false;
  size_t considered = 0;
  for (const Ranked& ranked : by_distance_) {
    const Candidate& candidate = candidates_[ranked.index];
    if (considered >= k_) break;
    if (candidate.state == State::kFailed) continue;
    ++considered;
    if (candidate.state != State::kReplied) return false;
  }
  return true;
}

std::vector<Contact> Lookup::Closest() const {
  std::vector<Contact> out;
  for (const Ranked& ranked : by_distance_) {
    const Candidate& candidate = candidates_[ranked.index];
    if (out.size() >= k_) break;
    if (candidate.state == State::kReplied) out.push_back(candidate.contact);
  }
  return out;
}

int Lookup::hops() const {
  for (const Ranked& ranked : by_distance_) {
    const Candidate& candidate = candidates_[ranked.index];
    if (candidate.state == State::kReplied) return candidate.hop;
  }
  return 0;
}

}  // namespace lake::dht
