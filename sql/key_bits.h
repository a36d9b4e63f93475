// Fixed-width values as 64-bit keys, and the mixer the in-memory hash tables hash them with.
// KeyBits(v) == KeyBits(w) exactly when v and w are one key for GROUP BY and DISTINCT (DOUBLE
// -0.0 and 0.0 are one value); integers are sign-extended. Mix64 is MurmurHash3's finaliser,
// every input bit affecting every output bit (not a content hash: see common/hash.h for that).
// FromBits inverts KeyBits; WithFixedType dispatches on a fixed-width type's physical type.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "common/logical_type.h"

namespace lake::sql {

inline uint64_t Mix64(uint64_t v) {
  v ^= v >> 33;
  v *= 0xff51afd7ed558ccdULL;
  v ^= v >> 33;
  v *= 0xc4ceb9fe1a85ec53ULL;
  return v ^ (v >> 33);
}

// The hash the tables give a NULL key value.
inline constexpr uint64_t kNullHash = 0x9e3779b97f4a7c15ULL;

template <class T>
inline uint64_t KeyBits(T value) {
  if constexpr (std::is_same_v<T, double>) {
    if (value == 0) value = 0;  // -0.0 and 0.0 are one key
    uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    return bits;
  } else {
    return static_cast<uint64_t>(static_cast<int64_t>(value));
  }
}

// The value of type T whose KeyBits are `bits`.
template <class T>
inline T FromBits(uint64_t bits) {
  if constexpr (std::is_same_v<T, double>) {
    double value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
  } else {
    return static_cast<T>(static_cast<int64_t>(bits));
  }
}

// Calls f(T{}) with T the physical type of fixed-width `type` (BIGINT, TIMESTAMP: int64_t).
template <class F>
decltype(auto) WithFixedType(LogicalType type, F&& f) {
  switch (type) {
    case LogicalType::kDouble:
      return f(double{});
    case LogicalType::kDate:
      return f(int32_t{});
    case LogicalType::kBoolean:
      return f(uint8_t{});
    default:
      return f(int64_t{});
  }
}

}  // namespace lake::sql
