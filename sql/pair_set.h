// PairSet: the (group, value) pairs of DISTINCT aggregates, one flat set for all groups. A value
// is a fixed-width argument's KeyBits (sql/key_bits.h), or a string's number in a dictionary, so
// equality is decided in the slot: one probe, one cache miss at most, per row. Open addressing
// with linear probing, at most half full.
// Group and string numbers are local to one worker's tables, so a pair also carries 32 bits of a
// hash of its group's key and its value: a pair keeps its hash when another table's numbers
// replace its own, and past PartitionThreshold() pairs the set splits into radix partitions by
// that hash (sql/radix_partitions.h), so that sets merge partition by partition in parallel.
// Thread-safety: not thread-safe, except that Merge runs its own work on a TaskRunner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/task_runner.h"
#include "sql/key_bits.h"
#include "sql/radix_partitions.h"

namespace lake::sql {

class PairSet {
 public:
  struct Pair {
    uint64_t value;
    uint32_t group;  // kNoGroup marks an empty slot
    uint32_t hash;   // the top half of the pair's 64-bit hash (see Make)
  };
  static constexpr uint32_t kNoGroup = UINT32_MAX;

  // The pair of `group` and `value`, whose group's key hashes to `group_hash`
  // (GroupTable::hash) and whose value to `value_hash`: a fixed-width value's KeyBits as they
  // are, a string's hash in its dictionary.
  static Pair Make(uint32_t group, uint64_t value, uint64_t group_hash, uint64_t value_hash) {
    return Pair{value, group, static_cast<uint32_t>(Mix64(value_hash ^ group_hash) >> 32)};
  }

  PairSet();

  // REQUIRES: pair.group != kNoGroup.
  void Insert(const Pair& pair);
  // Inserts pairs[0..count): every slot is prefetched first, so that the cache misses of a large
  // set overlap instead of waiting in turn.
  void InsertAll(const Pair* pairs, size_t count);

  // Adds the pairs of `others`, each with its group number replaced by group_of[t][group] and,
  // where value_of[t] is not null, its value by value_of[t][value] (numbers of the same keys and
  // strings in this set's tables). Partitioned sets merge partition by partition on `runner`.
  void Merge(const std::vector<const PairSet*>& others,
             const std::vector<const uint32_t*>& group_of,
             const std::vector<const uint32_t*>& value_of, TaskRunner* runner);

  // How many pairs each group 0 .. groups-1 has, counted partition by partition on `runner`.
  std::vector<int64_t> CountPerGroup(size_t groups, TaskRunner* runner) const;

  size_t size() const { return size_; }
  bool partitioned() const { return partitions_.size() > 1; }

  // Calls f(pair) for every pair, in no particular order.
  template <class F>
  void ForEach(F&& f) const {
    for (const Partition& partition : partitions_) {
      for (const Pair& p : partition.slots) {
        if (p.group != kNoGroup) f(p);
      }
    }
  }

 private:
  struct Partition {
    std::vector<Pair> slots;
    size_t mask = 0;
    size_t used = 0;
  };

  Partition& PartitionOf(uint32_t hash) {
    return partitions_[RadixPartition(uint64_t{hash} << 32) & partition_mask_];
  }
  // Inserts `pair` into `partition` (its own) unless it is there; true if it was not.
  static bool InsertInto(Partition* partition, const Pair& pair);
  // Inserts pairs[0..count), all of `partition`, prefetching their slots first; returns how many
  // were new.
  static size_t InsertPrefetched(Partition* partition, const Pair* pairs, size_t count);
  static void Grow(Partition* partition);
  // Moves the one slot array into kRadixPartitions of them.
  void Split();

  std::vector<Partition> partitions_;  // 1, or kRadixPartitions once split
  size_t partition_mask_ = 0;          // 0, or kRadixPartitions - 1 once split
  size_t size_ = 0;
  size_t split_at_;  // PartitionThreshold() when the set was made
};

}  // namespace lake::sql
