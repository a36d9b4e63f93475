// RecordStore: values per key with their own expiry, re-puts that extend it, and bounds that
// refuse rather than evict.
#include "dht/record_store.h"

#include <catch2/catch.hpp>

#include <algorithm>
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

std::vector<Bytes> Sorted(std::vector<Bytes> values) {
  std::sort(values.begin(), values.end());
  return values;
}

TEST_CASE("RecordStore returns what was put, under its key only", "[dht][record_store]") {
  RecordStore store(8, 100);
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
  RecordStore store(8, 100);
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
  RecordStore store(8, 100);
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
  RecordStore store(3, 100);
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
  RecordStore store(10, 5);
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

}  // namespace
}  // namespace lake::dht
