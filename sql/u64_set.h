// U64Set: a set of 64-bit values, open addressing with linear probing, at most half full. It
// holds the (group, distinct value) pairs of DISTINCT aggregates: one flat table for all groups
// instead of a node-based set per group.
// Thread-safety: not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lake::sql {

// MurmurHash3's 64-bit finaliser: every input bit affects every output bit. The hash of the
// in-memory hash tables (not a content hash: see common/hash.h for that).
inline uint64_t Mix64(uint64_t v) {
  v ^= v >> 33;
  v *= 0xff51afd7ed558ccdULL;
  v ^= v >> 33;
  v *= 0xc4ceb9fe1a85ec53ULL;
  return v ^ (v >> 33);
}

class U64Set {
 public:
  U64Set() : slots_(64, kEmpty), mask_(63) {}

  // REQUIRES: value != UINT64_MAX (the empty-slot marker).
  void Insert(uint64_t value) {
    size_t at = Mix64(value) & mask_;
    while (slots_[at] != kEmpty) {
      if (slots_[at] == value) return;
      at = (at + 1) & mask_;
    }
    slots_[at] = value;
    if (2 * ++size_ > slots_.size()) Grow();
  }

  // Inserts values[0..count): every slot is prefetched first, so that the cache misses of a
  // large set overlap instead of waiting in turn. REQUIRES: as Insert.
  void InsertAll(const uint64_t* values, size_t count) {
    for (size_t i = 0; i < count; ++i) __builtin_prefetch(&slots_[Mix64(values[i]) & mask_]);
    for (size_t i = 0; i < count; ++i) Insert(values[i]);
  }

  size_t size() const { return size_; }

  // Calls f(value) for every value, in no particular order.
  template <class F>
  void ForEach(F&& f) const {
    for (uint64_t v : slots_) {
      if (v != kEmpty) f(v);
    }
  }

 private:
  static constexpr uint64_t kEmpty = UINT64_MAX;

  void Grow() {
    std::vector<uint64_t> old(slots_.size() * 2, kEmpty);
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    for (uint64_t v : old) {
      if (v == kEmpty) continue;
      size_t at = Mix64(v) & mask_;
      while (slots_[at] != kEmpty) at = (at + 1) & mask_;
      slots_[at] = v;
    }
  }

  std::vector<uint64_t> slots_;
  size_t mask_;
  size_t size_ = 0;
};

}  // namespace lake::sql
