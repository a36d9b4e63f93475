// GroupTable: the hash table behind GROUP BY and DISTINCT aggregates. It maps each distinct
// tuple of key values to a dense group number (0, 1, 2, ... in first-seen order) and keeps the
// keys themselves as columns, a row per group, with each group's 64-bit hash. Keys are hashed a
// column at a time over a whole vector and compared as typed values (no per-row encoding into
// strings); the index is open addressing with linear probing over (tag, group) slots, kept at
// most half full. The tag is the tuple's hash; for a single fixed-width key it is the key's own
// bits, so a probe decides equality in the slot without touching the stored keys (high-cardinality
// keys such as user ids would otherwise pay a cache miss per row there).
// Past PartitionThreshold() groups the index splits into radix partitions (sql/radix_partitions.h)
// so that Merge can fold other tables in partition by partition, in parallel.
// NULL is a key value like any other: all NULLs of a column fall in one group. DOUBLE keys
// compare by value, so -0.0 and 0.0 are one group.
// Thread-safety: not thread-safe, except that Merge runs its own work on a TaskRunner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/logical_type.h"
#include "common/task_runner.h"
#include "common/vector.h"
#include "sql/selected_vector.h"

namespace lake::sql {

class GroupTable {
 public:
  explicit GroupTable(const std::vector<LogicalType>& key_types);

  // Writes to groups[i] the group of logical row i of `keys` (one per key column, of the
  // key types, each with at least `count` logical rows), creating groups for unseen tuples.
  void FindOrCreate(const std::vector<SelectedVector>& keys, size_t count, uint32_t* groups);
  // Lookup only, for joins: writes to groups[i] the group of logical row i of `keys`, or kNone
  // when the tuple has no group or any of its values is NULL (NULL keys never match). `hashes`
  // is scratch; distinct callers may look up concurrently with their own.
  static constexpr uint32_t kNone = UINT32_MAX;
  void Find(const std::vector<SelectedVector>& keys, size_t count, uint32_t* groups,
            std::vector<uint64_t>* hashes) const;
  // Sizes an empty table's index for `groups` groups (split into partitions already if they
  // will pass the threshold), so that a table rebuilt from a known number of keys (a partial
  // result from another node) never grows or splits on the way. REQUIRES: size() == 0.
  void Reserve(size_t groups);
  // The hash of each row's key tuple in the last FindOrCreate: row i's at [i].
  const uint64_t* row_hashes() const { return hashes_.data(); }

  // Adds the groups of `others` (tables of the same key types) that this table lacks and
  // returns, for each of them, the map from its group numbers to this table's. When a table is
  // partitioned, the work runs partition by partition on `runner`; the groups this table lacked
  // are numbered after its own, partition by partition.
  std::vector<std::vector<uint32_t>> Merge(const std::vector<const GroupTable*>& others,
                                           TaskRunner* runner);

  size_t size() const { return group_count_; }
  // One Vector per key column; row g holds group g's key.
  const std::vector<Vector>& keys() const { return key_values_; }
  // Group g's hash: equal keys hash equally in every table of the same key types.
  uint64_t hash(uint32_t group) const { return group_hashes_[group]; }
  bool partitioned() const { return partitions_.size() > 1; }

 private:
  struct Slot {
    uint64_t tag;
    uint32_t group;  // kEmpty when unused
  };
  struct Partition {
    std::vector<Slot> slots;
    size_t mask = 0;
    size_t used = 0;
  };
  static constexpr uint32_t kEmpty = UINT32_MAX;

  Partition& PartitionOf(uint64_t hash);
  const Partition& PartitionOf(uint64_t hash) const;
  // The single fixed-width key case: tags are key bits (see above); NULL has its own group.
  template <class T>
  void FindOrCreateExact(const std::vector<SelectedVector>& keys, size_t count, uint32_t* groups);
  // One VARCHAR key in dictionary form, without NULLs: each distinct string is looked up once.
  void FindOrCreateByCodes(const SelectedVector& key, size_t count, uint32_t* groups);
  void FindOrCreateHashed(const std::vector<SelectedVector>& keys, size_t count, uint32_t* groups);
  // The slot of the key whose hash is `hash` and tag `tag` (same(group) deciding the rest), or
  // the empty slot where it would go.
  template <class Same>
  static size_t Probe(const Partition& partition, uint64_t hash, uint64_t tag, Same&& same) {
    size_t at = hash & partition.mask;
    while (true) {
      const Slot& slot = partition.slots[at];
      if (slot.group == kEmpty || (slot.tag == tag && same(slot.group))) return at;
      at = (at + 1) & partition.mask;
    }
  }
  // The group of row i of `keys` (hash `hash`, tag `tag`), added if absent.
  template <class Same>
  uint32_t FindOrAdd(const std::vector<SelectedVector>& keys, size_t i, uint64_t hash, uint64_t tag,
                     Same&& same);
  // Calls f(slot) for the slot of each of this table's groups of partition p (an exact table's
  // NULL group has none: it comes with tag 0): from its slot array once split, else for groups
  // sorted[start[p], start[p + 1]).
  template <class F>
  void ForEachSlotIn(size_t p, const std::vector<uint32_t>& sorted,
                     const std::vector<size_t>& start, F&& f) const;
  void HashRows(const std::vector<SelectedVector>& keys, size_t count);
  static void HashKeys(const std::vector<SelectedVector>& keys, size_t count, uint64_t* hashes);
  bool Matches(const std::vector<SelectedVector>& keys, size_t i, uint32_t group) const;
  uint32_t AddGroup(const std::vector<SelectedVector>& keys, size_t i, uint64_t hash);
  // Group g's tag and the hash its slot is placed by.
  uint64_t TagOf(uint32_t group) const;
  uint64_t SlotHash(const Slot& slot) const;
  // Puts `slot`, whose key is absent, into its partition, growing the partition when needed.
  void Place(Partition* partition, const Slot& slot);
  void Grow(Partition* partition);
  // Moves the one slot array into kRadixPartitions of them.
  void Split();
  // Replaces the (empty or about to be refilled) index with `count` partitions of at least
  // `slots_wanted` slots each.
  void SizePartitions(size_t count, size_t slots_wanted);
  // Appends the groups of `added` (which this table lacks) without indexing them.
  void AppendUnindexed(const GroupTable& added);

  std::vector<Vector> key_values_;
  std::vector<uint64_t> group_hashes_;
  const bool exact_tags_;         // one fixed-width key
  const size_t split_at_;         // PartitionThreshold() when the table was made
  uint32_t null_group_ = kEmpty;  // exact_tags_: the NULL key's group (it has no slot)
  size_t group_count_ = 0;
  std::vector<Partition> partitions_;  // 1, or kRadixPartitions once split
  size_t partition_mask_ = 0;          // 0, or kRadixPartitions - 1 once split
  std::vector<uint64_t> hashes_;       // the hash of each row of the current vector
};

}  // namespace lake::sql
