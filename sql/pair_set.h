// PairSet: the (group, value) pairs of DISTINCT aggregates, one flat table for all groups. A value
// is a fixed-width argument's KeyBits (sql/key_bits.h), or a string's number in a dictionary, so
// equality is decided in the slot: one probe, one cache miss at most, per row. Open addressing
// with linear probing, at most half full.
// Thread-safety: not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sql/key_bits.h"

namespace lake::sql {

class PairSet {
 public:
  struct Pair {
    uint64_t value;
    uint32_t group;  // kNoGroup marks an empty slot
  };
  static constexpr uint32_t kNoGroup = UINT32_MAX;

  PairSet() : slots_(64, Pair{0, kNoGroup}), mask_(63) {}

  // REQUIRES: group != kNoGroup.
  void Insert(uint32_t group, uint64_t value) {
    size_t at = Hash(group, value) & mask_;
    while (slots_[at].group != kNoGroup) {
      if (slots_[at].group == group && slots_[at].value == value) return;
      at = (at + 1) & mask_;
    }
    slots_[at] = Pair{value, group};
    if (2 * ++size_ > slots_.size()) Grow();
  }

  // Inserts pairs[0..count): every slot is prefetched first, so that the cache misses of a large
  // set overlap instead of waiting in turn.
  void InsertAll(const Pair* pairs, size_t count) {
    for (size_t i = 0; i < count; ++i) {
      __builtin_prefetch(&slots_[Hash(pairs[i].group, pairs[i].value) & mask_]);
    }
    for (size_t i = 0; i < count; ++i) Insert(pairs[i].group, pairs[i].value);
  }

  size_t size() const { return size_; }

  // Calls f(group, value) for every pair, in no particular order.
  template <class F>
  void ForEach(F&& f) const {
    for (const Pair& p : slots_) {
      if (p.group != kNoGroup) f(p.group, p.value);
    }
  }

 private:
  static uint64_t Hash(uint32_t group, uint64_t value) {
    return Mix64(value ^ (uint64_t{group} * 0x9e3779b97f4a7c15ULL));
  }

  void Grow() {
    std::vector<Pair> old(slots_.size() * 2, Pair{0, kNoGroup});
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    for (const Pair& p : old) {
      if (p.group == kNoGroup) continue;
      size_t at = Hash(p.group, p.value) & mask_;
      while (slots_[at].group != kNoGroup) at = (at + 1) & mask_;
      slots_[at] = p;
    }
  }

  std::vector<Pair> slots_;
  size_t mask_;
  size_t size_ = 0;
};

}  // namespace lake::sql
