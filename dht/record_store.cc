#include "dht/record_store.h"

#include <algorithm>

namespace lake::dht {

bool RecordStore::Put(const Id& key, const Bytes& value, TimePoint expires) {
  auto& values = values_[key];
  auto it = values.find(value);
  if (it != values.end()) {
    it->second = std::max(it->second, expires);
    return true;
  }
  if (values.size() >= max_per_key_ || total_ >= max_total_) {
    if (values.empty()) values_.erase(key);
    return false;
  }
  values.emplace(value, expires);
  ++total_;
  return true;
}

std::vector<Bytes> RecordStore::Get(const Id& key, TimePoint now) const {
  std::vector<Bytes> out;
  auto it = values_.find(key);
  if (it == values_.end()) return out;
  for (const auto& [value, expires] : it->second) {
    if (expires > now) out.push_back(value);
  }
  return out;
}

size_t RecordStore::Expire(TimePoint now) {
  size_t dropped = 0;
  for (auto key_it = values_.begin(); key_it != values_.end();) {
    auto& values = key_it->second;
    for (auto it = values.begin(); it != values.end();) {
      if (it->second <= now) {
        it = values.erase(it);
        ++dropped;
      } else {
        ++it;
      }
    }
    key_it = values.empty() ? values_.erase(key_it) : std::next(key_it);
  }
  total_ -= dropped;
  return dropped;
}

}  // namespace lake::dht
