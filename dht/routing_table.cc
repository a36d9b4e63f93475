#include "dht/routing_table.h"

#include <algorithm>
#include <cassert>
#include <ranges>
#include <utility>

#include "dht/address_group.h"

namespace lake::dht {

RoutingTable::RoutingTable(NodeId self, const Options& options) : self_(self), options_(options) {}

bool RoutingTable::GroupHasRoom(const Bucket& bucket, const std::string& address,
                                const NodeId* except) const {
  const AddressGroup group = GroupOfAddress(address);
  if (!group.is_public) return true;
  size_t in_bucket = 0;
  size_t leaving = 0;
  for (const Entry& e : bucket.entries) {
    if (GroupOfAddress(e.contact.address).name != group.name) continue;
    ++in_bucket;
    if (except != nullptr && e.contact.id == *except) ++leaving;
  }
  auto it = public_groups_.find(group.name);
  const size_t in_table = it == public_groups_.end() ? 0 : it->second;
  return in_bucket - leaving < options_.max_per_group_in_bucket &&
         in_table - leaving < options_.max_per_group_in_table;
}

void RoutingTable::Count(const std::string& address, bool added) {
  const AddressGroup group = GroupOfAddress(address);
  if (!group.is_public) return;
  size_t& count = public_groups_[group.name];
  if (added) {
    ++count;
  } else if (--count == 0) {
    public_groups_.erase(group.name);
  }
}

const RoutingTable::Bucket& RoutingTable::BucketAt(int index) const {
  static const Bucket kNever;
  const size_t depth = Id::kBits - 1 - index;
  return depth < buckets_.size() ? buckets_[depth] : kNever;
}

RoutingTable::Bucket* RoutingTable::GrownBucket(int index) {
  const size_t depth = Id::kBits - 1 - index;
  return depth < buckets_.size() ? &buckets_[depth] : nullptr;
}

RoutingTable::Bucket& RoutingTable::GrowTo(int index) {
  const size_t depth = Id::kBits - 1 - index;
  if (depth >= buckets_.size()) buckets_.resize(depth + 1);
  return buckets_[depth];
}

const RoutingTable::Entry* RoutingTable::FindEntry(const NodeId& id) const {
  if (id == self_) return nullptr;
  for (const Entry& e : BucketAt(BucketIndex(id)).entries) {
    if (e.contact.id == id) return &e;
  }
  return nullptr;
}

RoutingTable::Entry* RoutingTable::FindEntry(const NodeId& id) {
  return const_cast<Entry*>(std::as_const(*this).FindEntry(id));
}

int RoutingTable::BucketIndex(const NodeId& id) const {
  return Id::kBits - 1 - self_.Distance(id).LeadingZeros();
}

bool RoutingTable::Refresh(const NodeId& id, TimePoint now) {
  if (id == self_) return false;
  Bucket* grown = GrownBucket(BucketIndex(id));
  if (grown == nullptr) return false;
  Bucket& bucket = *grown;
  auto it = std::find_if(bucket.entries.begin(), bucket.entries.end(),
                         [&](const Entry& e) { return e.contact.id == id; });
  if (it == bucket.entries.end()) return false;
  std::rotate(it, it + 1, bucket.entries.end());
  Entry& entry = bucket.entries.back();
  entry.last_seen = now;
  entry.failures = 0;
  bucket.last_changed = now;
  return true;
}

RoutingTable::Touch RoutingTable::Heard(const Contact& contact, TimePoint now) {
  if (contact.id == self_) return Touch::kSelf;
  if (Refresh(contact.id, now)) return Touch::kRefreshed;
  const int index = BucketIndex(contact.id);
  if (!GroupHasRoom(BucketAt(index), contact.address)) return Touch::kGroupFull;
  Bucket& bucket = GrowTo(index);  // it takes the contact, or keeps it as the replacement
  if (bucket.entries.size() < options_.k) {
    bucket.entries.push_back(Entry{contact, now, std::nullopt});
    bucket.last_changed = now;
    ++size_;
    Count(contact.address, true);
    return Touch::kAdded;
  }
  bucket.replacement = std::make_unique<Contact>(contact);
  return Touch::kBucketFull;
}

void RoutingTable::UpdateAddress(const NodeId& id, const std::string& address) {
  Entry* entry = FindEntry(id);
  if (entry == nullptr || entry->contact.address == address) return;
  if (!GroupHasRoom(BucketAt(BucketIndex(id)), address, &id)) return;
  Count(entry->contact.address, false);
  entry->contact.address = address;
  Count(address, true);
}

size_t RoutingTable::RecordFailure(const NodeId& id) {
  Entry* entry = FindEntry(id);
  return entry == nullptr ? 0 : ++entry->failures;
}

const Contact& RoutingTable::LeastRecentlySeen(const NodeId& id) const {
  assert(id != self_);
  const Bucket& bucket = BucketAt(BucketIndex(id));
  assert(!bucket.entries.empty());
  return bucket.entries.front().contact;
}

std::optional<Contact> RoutingTable::Replacement(const NodeId& id) const {
  if (id == self_) return std::nullopt;
  const Bucket& bucket = BucketAt(BucketIndex(id));
  if (!bucket.replacement) return std::nullopt;
  return *bucket.replacement;
}

std::optional<Contact> RoutingTable::Remove(const NodeId& id, TimePoint now) {
  if (id == self_) return std::nullopt;
  Bucket* grown = GrownBucket(BucketIndex(id));
  if (grown == nullptr) return std::nullopt;
  Bucket& bucket = *grown;
  auto it = std::find_if(bucket.entries.begin(), bucket.entries.end(),
                         [&](const Entry& e) { return e.contact.id == id; });
  if (it == bucket.entries.end()) return std::nullopt;
  Count(it->contact.address, false);
  bucket.entries.erase(it);
  --size_;
  std::optional<Contact> promoted;
  // The replacement waited under the limits of its day: it must still fit them.
  if (bucket.replacement && bucket.replacement->id != id &&
      GroupHasRoom(bucket, bucket.replacement->address)) {
    promoted = *bucket.replacement;
    bucket.entries.push_back(Entry{*bucket.replacement, now, std::nullopt});
    ++size_;
    Count(promoted->address, true);
  }
  bucket.replacement.reset();
  bucket.last_changed = now;
  return promoted;
}

bool RoutingTable::Contains(const NodeId& id) const { return FindEntry(id) != nullptr; }

std::vector<Contact> RoutingTable::Closest(const Id& target, size_t n) const {
  // Bucket i holds the contacts whose distance from self has top bit i. With b the top bit of
  // target's distance from self, a contact of bucket b is within 2^b of target, one of a lower
  // bucket between 2^b and 2^(b+1), and one of bucket j > b between 2^j and 2^(j+1). So the
  // n closest are bucket b's, then the lower buckets' together, then buckets b+1, b+2, ... in
  // turn: a random target's bucket is one of the top few, full, and settles the answer alone,
  // where sorting the whole table did for every request served.
  std::vector<std::pair<Id, const Contact*>> candidates;
  size_t sorted = 0;  // candidates[0, sorted) are in their final order
  const auto take = [&](const Bucket& bucket) {
    for (const Entry& e : bucket.entries) {
      candidates.emplace_back(e.contact.id.Distance(target), &e.contact);
    }
  };
  const auto settle = [&] {
    const size_t count = std::min(n, candidates.size());
    if (count > sorted) {
      std::partial_sort(candidates.begin() + sorted, candidates.begin() + count, candidates.end(),
                        [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    sorted = std::max(sorted, count);
    candidates.resize(count);
  };
  const int b = static_cast<int>(Id::kBits) - 1 - self_.Distance(target).LeadingZeros();
  if (b >= 0) {
    take(BucketAt(b));
    if (candidates.size() < n) {
      for (int j = LowestGrown(); j < b; ++j) take(BucketAt(j));
    }
    settle();
  }
  for (int j = b + 1; j < static_cast<int>(Id::kBits) && candidates.size() < n; ++j) {
    take(BucketAt(j));
    settle();
  }
  std::vector<Contact> out;
  out.reserve(candidates.size());
  for (const auto& [distance, contact] : candidates) out.push_back(*contact);
  return out;
}

std::vector<Contact> RoutingTable::All() const {
  std::vector<Contact> out;
  out.reserve(size_);
  for (const Bucket& bucket : std::views::reverse(buckets_)) {  // lowest index first
    for (const Entry& e : bucket.entries) out.push_back(e.contact);
  }
  return out;
}

std::vector<RoutingTable::PeerView> RoutingTable::Peers() const {
  std::vector<PeerView> out;
  out.reserve(size_);
  for (const Bucket& bucket : std::views::reverse(buckets_)) {  // lowest index first
    for (const Entry& e : bucket.entries) out.push_back(PeerView{e.contact, e.last_seen, e.rtt});
  }
  return out;
}

std::vector<Contact> RoutingTable::QuietSince(TimePoint since) const {
  std::vector<Contact> out;
  for (const Bucket& bucket : std::views::reverse(buckets_)) {  // lowest index first
    for (const Entry& e : bucket.entries) {
      if (e.last_seen <= since) out.push_back(e.contact);
    }
  }
  return out;
}

void RoutingTable::RecordRtt(const NodeId& id, Duration rtt) {
  if (Entry* entry = FindEntry(id)) entry->rtt = rtt;
}

std::optional<Contact> RoutingTable::Find(const NodeId& id) const {
  const Entry* entry = FindEntry(id);
  if (entry == nullptr) return std::nullopt;
  return entry->contact;
}

std::vector<int> RoutingTable::StaleBuckets(TimePoint since) const {
  std::vector<int> stale;
  for (int i = LowestGrown(); i < static_cast<int>(Id::kBits); ++i) {
    const Bucket& bucket = BucketAt(i);
    if (!bucket.entries.empty() && bucket.last_changed < since) stale.push_back(i);
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
