// RecordStore: the small values a node keeps for the DHT (manifests, provider records), each
// under a key, each with its own expiry. Storing an existing value again extends its expiry.
// Bounded: per key and in total; over a bound a store is refused rather than evicting others.
// Thread-safety: not thread-safe; owned by one DhtCore.
#pragma once

#include <cstddef>
#include <map>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/id.h"

namespace lake::dht {

class RecordStore {
 public:
  RecordStore(size_t max_values_per_key, size_t max_values_total)
      : max_per_key_(max_values_per_key), max_total_(max_values_total) {}

  // Keeps `value` under `key` until `expires`. False if a bound refuses it.
  bool Put(const Id& key, const Bytes& value, TimePoint expires);
  // The unexpired values under `key`.
  std::vector<Bytes> Get(const Id& key, TimePoint now) const;
  // Drops expired values; returns how many.
  size_t Expire(TimePoint now);
  size_t size() const { return total_; }

 private:
  const size_t max_per_key_;
  const size_t max_total_;
  std::map<Id, std::map<Bytes, TimePoint>> values_;  // key -> value -> expiry
  size_t total_ = 0;
};

}  // namespace lake::dht
