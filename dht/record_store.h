// RecordStore: the small values a node keeps for the DHT (dataset pointers and other records),
// each under a key, each with its own expiry. Storing an existing value again extends its expiry.
// Bounded: values per key and in total, and bytes in total, per storing peer and per storing
// peer's network (dht/address_group.h), so one peer, or one host posing as many peers, can fill
// only its share. Over a bound a store is refused rather than evicting others. A value is charged
// to whoever stored it first until it expires; this node's own values are charged to no peer.
// Thread-safety: not thread-safe; owned by one DhtCore.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/id.h"

namespace lake::dht {

struct RecordLimits {
  size_t max_values_per_key = 64;
  size_t max_values_total = 100'000;
  size_t max_bytes_total = size_t{64} << 20;       // key, value and bookkeeping of every value
  size_t max_bytes_per_peer = size_t{4} << 20;     // charged to one storing NodeId
  size_t max_bytes_per_group = size_t{16} << 20;   // charged to one address group (/24, /48)
};

class RecordStore {
 public:
  // Who asked to store a value: a peer and its address group. No owner: this node itself.
  struct Owner {
    NodeId peer;
    std::string group;
  };
  // The bytes one value is charged: its key, its bytes, and what keeping it costs besides.
  static size_t Charge(const Bytes& value);

  explicit RecordStore(const RecordLimits& limits) : limits_(limits) {}

  // Keeps `value` under `key` until `expires`. False if a bound refuses it.
  bool Put(const Id& key, const Bytes& value, TimePoint expires,
           const std::optional<Owner>& owner = std::nullopt);
  // The unexpired values under `key`.
  std::vector<Bytes> Get(const Id& key, TimePoint now) const;
  bool Contains(const Id& key) const { return values_.count(key) > 0; }
  // Drops expired values; returns how many.
  size_t Expire(TimePoint now);
  size_t size() const { return total_; }
  size_t bytes() const { return bytes_; }
  // Bytes charged to `peer` / to address group `group`.
  size_t BytesOfPeer(const NodeId& peer) const;
  size_t BytesOfGroup(const std::string& group) const;

 private:
  struct Stored {
    TimePoint expires;
    std::optional<Owner> owner;
  };
  void Release(const Bytes& value, const std::optional<Owner>& owner);

  const RecordLimits limits_;
  std::map<Id, std::map<Bytes, Stored>> values_;  // key -> value -> expiry and owner
  size_t total_ = 0;
  size_t bytes_ = 0;
  std::map<NodeId, size_t> peer_bytes_;
  std::map<std::string, size_t> group_bytes_;
};

}  // namespace lake::dht
