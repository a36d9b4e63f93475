#include "dht/record_store.h"

#include <algorithm>

namespace lake::dht {
namespace {

// A map node with its key, expiry and owner: what a value costs beyond its bytes.
constexpr size_t kValueOverhead = 128;

size_t Lookup(const auto& map, const auto& key) {
  auto it = map.find(key);
  return it == map.end() ? 0 : it->second;
}

void Subtract(auto& map, const auto& key, size_t amount) {
  auto it = map.find(key);
  if (it == map.end()) return;
  it->second -= std::min(it->second, amount);
  if (it->second == 0) map.erase(it);
}

}  // namespace

size_t RecordStore::Charge(const Bytes& value) { return Id::kBytes + value.size() + kValueOverhead; }

bool RecordStore::Put(const Id& key, const Bytes& value, TimePoint expires,
                      const std::optional<Owner>& owner) {
  auto& values = values_[key];
  auto it = values.find(value);
  if (it != values.end()) {
    it->second.expires = std::max(it->second.expires, expires);
    return true;
  }
  const size_t charge = Charge(value);
  const bool over =
      values.size() >= limits_.max_values_per_key || total_ >= limits_.max_values_total ||
      bytes_ + charge > limits_.max_bytes_total ||
      (owner && (Lookup(peer_bytes_, owner->peer) + charge > limits_.max_bytes_per_peer ||
                 Lookup(group_bytes_, owner->group) + charge > limits_.max_bytes_per_group));
  if (over) {
    if (values.empty()) values_.erase(key);
    return false;
  }
  values.emplace(value, Stored{expires, owner});
  ++total_;
  bytes_ += charge;
  if (owner) {
    peer_bytes_[owner->peer] += charge;
    group_bytes_[owner->group] += charge;
  }
  return true;
}

std::vector<Bytes> RecordStore::Get(const Id& key, TimePoint now) const {
  std::vector<Bytes> out;
  auto it = values_.find(key);
  if (it == values_.end()) return out;
  for (const auto& [value, stored] : it->second) {
    if (stored.expires > now) out.push_back(value);
  }
  return out;
}

void RecordStore::Release(const Bytes& value, const std::optional<Owner>& owner) {
  const size_t charge = Charge(value);
  --total_;
  bytes_ -= charge;
  if (owner) {
    Subtract(peer_bytes_, owner->peer, charge);
    Subtract(group_bytes_, owner->group, charge);
  }
}

size_t RecordStore::Expire(TimePoint now) {
  size_t dropped = 0;
  for (auto key_it = values_.begin(); key_it != values_.end();) {
    auto& values = key_it->second;
    for (auto it = values.begin(); it != values.end();) {
      if (it->second.expires <= now) {
        Release(it->first, it->second.owner);
        it = values.erase(it);
        ++dropped;
      } else {
        ++it;
      }
    }
    key_it = values.empty() ? values_.erase(key_it) : std::next(key_it);
  }
  return dropped;
}

size_t RecordStore::BytesOfPeer(const NodeId& peer) const { return Lookup(peer_bytes_, peer); }

size_t RecordStore::BytesOfGroup(const std::string& group) const {
  return Lookup(group_bytes_, group);
}

}  // namespace lake::dht
