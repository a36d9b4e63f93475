#include "dht/routing_table.h"

#include <algorithm>
#include <cassert>

namespace lake::dht {

RoutingTable::RoutingTable(NodeId self, size_t k) : self_(self), k_(k) {}

int RoutingTable::BucketIndex(const NodeId& id) const {
  return Id::kBits - 1 - self_.Distance(id).LeadingZeros();
}

RoutingTable::Touch RoutingTable::Heard(const Contact& contact, TimePoint now) {
  if (contact.id == self_) return Touch::kSelf;
  Bucket& bucket = buckets_[BucketIndex(contact.id)];
  for (auto it = bucket.entries.begin(); it != bucket.entries.end(); ++it) {
    if (it->contact.id == contact.id) {
      Entry entry = *it;
      entry.contact.address = contact.address;  // a node may come back on another port
      entry.last_seen = now;
      bucket.entries.erase(it);
      bucket.entries.push_back(std::move(entry));
      bucket.last_changed = now;
      return Touch::kRefreshed;
    }
  }
  if (bucket.entries.size() < k_) {
    bucket.entries.push_back(Entry{contact, now, std::nullopt});
    bucket.last_changed = now;
    ++size_;
    return Touch::kAdded;
  }
  bucket.replacement = std::make_unique<Contact>(contact);
  return Touch::kBucketFull;
}

const Contact& RoutingTable::LeastRecentlySeen(const NodeId& id) const {
  assert(id != self_);
  const Bucket& bucket = buckets_[BucketIndex(id)];
  assert(!bucket.entries.empty());
  return bucket.entries.front().contact;
}

std::optional<Contact> RoutingTable::Replacement(const NodeId& id) const {
  if (id == self_) return std::nullopt;
  const Bucket& bucket = buckets_[BucketIndex(id)];
  if (!bucket.replacement) return std::nullopt;
  return *bucket.replacement;
}

std::optional<Contact> RoutingTable::Remove(const NodeId& id, TimePoint now) {
  if (id == self_) return std::nullopt;
  Bucket& bucket = buckets_[BucketIndex(id)];
  auto it = std::find_if(bucket.entries.begin(), bucket.entries.end(),
                         [&](const Entry& e) { return e.contact.id == id; });
  if (it == bucket.entries.end()) return std::nullopt;
  bucket.entries.erase(it);
  --size_;
  std::optional<Contact> promoted;
  if (bucket.replacement && bucket.replacement->id != id) {
    promoted = *bucket.replacement;
    bucket.entries.push_back(Entry{*bucket.replacement, now, std::nullopt});
    ++size_;
  }
  bucket.replacement.reset();
  bucket.last_changed = now;
  return promoted;
}

bool RoutingTable::Contains(const NodeId& id) const { return Find(id).has_value(); }

std::vector<Contact> RoutingTable::Closest(const Id& target, size_t n) const {
  std::vector<std::pair<Id, const Contact*>> candidates;
  candidates.reserve(size_);
  for (const Bucket& bucket : buckets_) {
    for (const Entry& e : bucket.entries) {
      candidates.emplace_back(e.contact.id.Distance(target), &e.contact);
    }
  }
  const size_t count = std::min(n, candidates.size());
  std::partial_sort(candidates.begin(), candidates.begin() + count, candidates.end(),
                    [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Contact> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) out.push_back(*candidates[i].second);
  return out;
}

std::vector<Contact> RoutingTable::All() const {
  std::vector<Contact> out;
  out.reserve(size_);
  for (const Bucket& bucket : buckets_) {
    for (const Entry& e : bucket.entries) out.push_back(e.contact);
  }
  return out;
}

std::vector<RoutingTable::PeerView> RoutingTable::Peers() const {
  std::vector<PeerView> out;
  out.reserve(size_);
  for (const Bucket& bucket : buckets_) {
    for (const Entry& e : bucket.entries) out.push_back(PeerView{e.contact, e.last_seen, e.rtt});
  }
  return out;
}

void RoutingTable::RecordRtt(const NodeId& id, Duration rtt) {
  if (id == self_) return;
  for (Entry& e : buckets_[BucketIndex(id)].entries) {
    if (e.contact.id == id) e.rtt = rtt;
  }
}

std::optional<Contact> RoutingTable::Find(const NodeId& id) const {
  if (id == self_) return std::nullopt;
  for (const Entry& e : buckets_[BucketIndex(id)].entries) {
    if (e.contact.id == id) return e.contact;
  }
  return std::nullopt;
}

std::vector<int> RoutingTable::StaleBuckets(TimePoint since) const {
  std::vector<int> stale;
  for (int i = 0; i < static_cast<int>(Id::kBits); ++i) {
    if (!buckets_[i].entries.empty() && buckets_[i].last_changed < since) stale.push_back(i);
  }
  return stale;
}

Id RoutingTable::RandomIdInBucket(int index, const std::array<uint8_t, Id::kBytes>& random) const {
  // Distance d with highest set bit `index` and random lower bits; the id is self XOR d.
  std::array<uint8_t, Id::kBytes> distance{};
  const int top_bit = Id::kBits - 1 - index;  // position counted from the most significant bit
  for (int bit = top_bit; bit < static_cast<int>(Id::kBits); ++bit) {
    const bool value = bit == top_bit || ((random[bit / 8] >> (7 - bit % 8)) & 1);
    if (value) distance[bit / 8] |= static_cast<uint8_t>(1 << (7 - bit % 8));
  }
  return self_.Distance(Id(distance));
}

}  // namespace lake::dht
