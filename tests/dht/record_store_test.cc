// RecordStore: values per key with their own expiry, re-puts that extend it, and bounds that
// refuse rather than evict.
#include "dht/record_store.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace lake::dht {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = FromMicros(1'700'000'000'000'000);

Id KeyOf(uint8_t n) {
  std::array<uint8_t, Id::kBytes> bytes{};
  bytes[0] = n;
  bytes[31] = static_cast<uint8_t>(n * 7 + 1);
  return Id(bytes);
}

Bytes ValueOf(int n) { return Bytes{static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8), 42}; }

RecordLimits CountLimits(size_t per_key, size_t total) {
  RecordLimits limits;
  limits.max_values_per_key = per_key;
  limits.max_values_total = total;
  return limits;
}

std::vector<Bytes> Sorted(std::vector<Bytes> values) {
  std::sort(values.begin(), values.end());
  return values;
}

TEST_CASE("RecordStore returns what was put, under its key only", "[dht][record_store]") {
  RecordStore store(CountLimits(8, 100));
  CHECK(store.Get(KeyOf(1), kT0).empty());
  REQUIRE(store.Put(KeyOf(1), ValueOf(1), kT0 + 1h));
  REQUIRE(store.Put(KeyOf(1), ValueOf(2), kT0 + 1h));
  REQUIRE(store.Put(KeyOf(2), ValueOf(3), kT0 + 1h));
  CHECK(Sorted(store.Get(KeyOf(1), kT0)) == Sorted({ValueOf(1), ValueOf(2)}));
  CHECK(store.Get(KeyOf(2), kT0) == std::vector<Bytes>{ValueOf(3)});
  CHECK(store.Get(KeyOf(3), kT0).empty());
  CHECK(store.size() == 3);

  // The same value twice under a key is one record.
  REQUIRE(store.Put(KeyOf(1), ValueOf(1), kT0 + 1h));
  CHECK(store.Get(KeyOf(1), kT0).size() == 2);
  CHECK(store.size() == 3);

  // An empty value is a value.
  REQUIRE(store.Put(KeyOf(4), Bytes{}, kT0 + 1h));
  CHECK(store.Get(KeyOf(4), kT0) == std::vector<Bytes>{Bytes{}});
}

TEST_CASE("A record expires exactly at its deadline", "[dht][record_store]") {
  RecordStore store(CountLimits(8, 100));
  const TimePoint deadline = kT0 + 10min;
  REQUIRE(store.Put(KeyOf(1), ValueOf(1), deadline));
  REQUIRE(store.Put(KeyOf(1), ValueOf(2), deadline + 1min));

  CHECK(store.Get(KeyOf(1), deadline - 1us).size() == 2);
  CHECK(store.Get(KeyOf(1), deadline) == std::vector<Bytes>{ValueOf(2)});
  // Get hides expired values even before Expire drops them.
  CHECK(store.size() == 2);

  CHECK(store.Expire(deadline - 1us) == 0);
  CHECK(store.size() == 2);
  CHECK(store.Expire(deadline) == 1);
  CHECK(store.size() == 1);
  CHECK(store.Get(KeyOf(1), deadline) == std::vector<Bytes>{ValueOf(2)});
  CHECK(store.Expire(deadline + 1min) == 1);
  CHECK(store.size() == 0);
  CHECK(store.Get(KeyOf(1), kT0).empty());
}

TEST_CASE("Putting a value again extends its expiry but never shortens it", "[dht][record_store]") {
  RecordStore store(CountLimits(8, 100));
  REQUIRE(store.Put(KeyOf(1), ValueOf(1), kT0 + 10min));
  REQUIRE(store.Put(KeyOf(1), ValueOf(1), kT0 + 30min));
  CHECK(store.Get(KeyOf(1), kT0 + 20min) == std::vector<Bytes>{ValueOf(1)});
  CHECK(store.Expire(kT0 + 20min) == 0);

  // An earlier deadline does not cut the record short.
  REQUIRE(store.Put(KeyOf(1), ValueOf(1), kT0 + 15min));
  CHECK(store.Get(KeyOf(1), kT0 + 25min) == std::vector<Bytes>{ValueOf(1)});
  CHECK(store.Get(KeyOf(1), kT0 + 30min).empty());
  CHECK(store.size() == 1);
}

TEST_CASE("RecordStore refuses values over the per-key bound", "[dht][record_store]") {
  RecordStore store(CountLimits(3, 100));
  for (int i = 0; i < 3; ++i) REQUIRE(store.Put(KeyOf(1), ValueOf(i), kT0 + 1h));
  CHECK_FALSE(store.Put(KeyOf(1), ValueOf(3), kT0 + 1h));
  CHECK(Sorted(store.Get(KeyOf(1), kT0)) == Sorted({ValueOf(0), ValueOf(1), ValueOf(2)}));
  CHECK(store.size() == 3);
  // A value already there may still be refreshed, and other keys still have room.
  CHECK(store.Put(KeyOf(1), ValueOf(0), kT0 + 2h));
  CHECK(store.Put(KeyOf(2), ValueOf(3), kT0 + 1h));
  CHECK(store.size() == 4);
  // Once a value expires and is dropped, the key has room again.
  CHECK(store.Expire(kT0 + 1h) == 3);  // ValueOf(1), ValueOf(2) under key 1, ValueOf(3) under 2
  CHECK(store.Put(KeyOf(1), ValueOf(3), kT0 + 3h));
  CHECK(store.Get(KeyOf(1), kT0 + 1h).size() == 2);
}

TEST_CASE("RecordStore refuses values over the total bound", "[dht][record_store]") {
  RecordStore store(CountLimits(10, 5));
  for (int i = 0; i < 5; ++i)
    REQUIRE(store.Put(KeyOf(static_cast<uint8_t>(i)), ValueOf(i), kT0 + 1h));
  CHECK(store.size() == 5);
  CHECK_FALSE(store.Put(KeyOf(9), ValueOf(9), kT0 + 1h));
  CHECK_FALSE(store.Put(KeyOf(0), ValueOf(9), kT0 + 1h));
  CHECK(store.size() == 5);
  CHECK(store.Get(KeyOf(9), kT0).empty());
  // Nothing was evicted to make room.
  for (int i = 0; i < 5; ++i) {
    CHECK(store.Get(KeyOf(static_cast<uint8_t>(i)), kT0) == std::vector<Bytes>{ValueOf(i)});
  }
  // Re-putting an existing value is not a new record and is accepted.
  CHECK(store.Put(KeyOf(0), ValueOf(0), kT0 + 2h));
  CHECK(store.size() == 5);
  // A refused key left nothing behind: after expiry the store is empty again.
  CHECK(store.Expire(kT0 + 2h) == 5);
  CHECK(store.size() == 0);
  CHECK(store.Put(KeyOf(9), ValueOf(9), kT0 + 3h));
}

TEST_CASE("RecordStore bounds bytes, not just values, in total", "[dht][record_store]") {
  RecordLimits limits;
  const Bytes big(60 << 10, 7);
  limits.max_bytes_total = 10 * RecordStore::Charge(big);
  RecordStore store(limits);
  int stored = 0;
  for (int i = 0; i < 100; ++i) {
    Bytes value = big;
    value[0] = static_cast<uint8_t>(i);
    stored += store.Put(KeyOf(static_cast<uint8_t>(i)), value, kT0 + 1h) ? 1 : 0;
  }
  // 100 values are far under the value count bounds: only the byte budget stops them.
  CHECK(stored == 10);
  CHECK(store.bytes() == 10 * RecordStore::Charge(big));
  // The budget is spent exactly: not even a small value fits.
  CHECK_FALSE(store.Put(KeyOf(200), ValueOf(1), kT0 + 1h));
  // Expiry gives the bytes back.
  CHECK(store.Expire(kT0 + 2h) == 10);
  CHECK(store.bytes() == 0);
  CHECK(store.Put(KeyOf(200), ValueOf(1), kT0 + 3h));
}

TEST_CASE("RecordStore charges each peer and each address group its own quota",
          "[dht][record_store]") {
  RecordLimits limits;
  const Bytes value(1000, 1);
  limits.max_bytes_per_peer = 3 * RecordStore::Charge(value);
  limits.max_bytes_per_group = 5 * RecordStore::Charge(value);
  RecordStore store(limits);
  const auto owner = [](uint8_t peer, const std::string& group) {
    return RecordStore::Owner{KeyOf(peer), group};
  };
  const auto put = [&](int n, const std::optional<RecordStore::Owner>& who) {
    Bytes v = value;
    v[0] = static_cast<uint8_t>(n);
    v[1] = static_cast<uint8_t>(n >> 8);
    return store.Put(KeyOf(static_cast<uint8_t>(n)), v, kT0 + 1h, who);
  };
  // One peer: three values, then refused.
  CHECK(put(1, owner(1, "v4:1.2.3")));
  CHECK(put(2, owner(1, "v4:1.2.3")));
  CHECK(put(3, owner(1, "v4:1.2.3")));
  CHECK_FALSE(put(4, owner(1, "v4:1.2.3")));
  // Another id from the same /24: only what is left of the group's quota.
  CHECK(put(5, owner(2, "v4:1.2.3")));
  CHECK(put(6, owner(2, "v4:1.2.3")));
  CHECK_FALSE(put(7, owner(2, "v4:1.2.3")));
  CHECK_FALSE(put(8, owner(3, "v4:1.2.3")));
  CHECK(store.BytesOfGroup("v4:1.2.3") == 5 * RecordStore::Charge(value));
  // Other networks and this node itself are not held back by that group.
  CHECK(put(9, owner(4, "v4:9.9.9")));
  CHECK(put(10, std::nullopt));
  // A re-put of a held value by another peer extends it without charging anyone.
  Bytes first = value;
  first[0] = 1;
  first[1] = 0;
  CHECK(store.Put(KeyOf(1), first, kT0 + 2h, owner(5, "v4:5.5.5")));
  CHECK(store.BytesOfPeer(KeyOf(5)) == 0);
  // Expiry refunds the quotas.
  store.Expire(kT0 + 90min);
  CHECK(store.BytesOfPeer(KeyOf(1)) == RecordStore::Charge(value));
  CHECK(store.BytesOfGroup("v4:1.2.3") == RecordStore::Charge(value));
}

}  // namespace
}  // namespace lake::dht
