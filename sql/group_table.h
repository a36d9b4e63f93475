// GroupTable: the hash table behind GROUP BY and DISTINCT aggregates. It maps each distinct
// tuple of key values to a dense group number (0, 1, 2, ... in first-seen order) and keeps the
// keys themselves as columns, a row per group. Keys are hashed a column at a time over a whole
// vector and compared as typed values (no per-row encoding into strings); the table is open
// addressing with linear probing over (tag, group) slots, kept at most half full. The tag is the
// tuple's 64-bit hash; for a single fixed-width key it is the key's own bits, so a probe decides
// equality in the slot without touching the stored keys (high-cardinality keys such as user ids
// would otherwise pay a cache miss per row there).
// NULL is a key value like any other: all NULLs of a column fall in one group. DOUBLE keys
// compare by value, so -0.0 and 0.0 are one group.
// Thread-safety: not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/logical_type.h"
#include "common/vector.h"
#include "sql/selected_vector.h"

namespace lake::sql {

class GroupTable {
 public:
  explicit GroupTable(const std::vector<LogicalType>& key_types);

  // Writes to groups[i] the group of logical row i of `keys` (one per key column, of the
  // key types, each with at least `count` logical rows), creating groups for unseen tuples.
  void FindOrCreate(const std::vector<SelectedVector>& keys, size_t count, uint32_t* groups);

  size_t size() const { return group_count_; }
  // One Vector per key column; row g holds group g's key.
  const std::vector<Vector>& keys() const { return key_values_; }

 private:
  struct Slot {
    uint64_t tag;
    uint32_t group;  // kEmpty when unused
  };
  static constexpr uint32_t kEmpty = UINT32_MAX;

  // The single fixed-width key case: tags are key bits (see above); NULL has its own group.
  template <class T>
  void FindOrCreateExact(const std::vector<SelectedVector>& keys, size_t count, uint32_t* groups);
  // One VARCHAR key in dictionary form, without NULLs: each distinct string is looked up once.
  void FindOrCreateByCodes(const SelectedVector& key, size_t count, uint32_t* groups);
  void HashRows(const std::vector<SelectedVector>& keys, size_t count);
  bool Matches(const std::vector<SelectedVector>& keys, size_t i, uint32_t group) const;
  uint32_t AddGroup(const std::vector<SelectedVector>& keys, size_t i);
  void Grow();

  std::vector<Vector> key_values_;
  const bool exact_tags_;         // one fixed-width key
  uint32_t null_group_ = kEmpty;  // exact_tags_: the NULL key's group
  size_t group_count_ = 0;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  std::vector<uint64_t> hashes_;  // scratch: the hash of each row of the current vector
};

}  // namespace lake::sql
