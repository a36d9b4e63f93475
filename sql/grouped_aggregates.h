// GroupedAggregates: hash aggregation with init/update/combine/finalize. Rows come in a vector
// at a time as group keys and aggregate arguments, read through selection vectors; a GroupTable
// gives each row its group, then every aggregate updates its typed per-group slots in one tight
// loop per vector. Partial results (one per worker, per chunk or per node) are merged with
// Merge, partition by partition in parallel once their tables are partitioned
// (sql/radix_partitions.h), and Pack/Unpack carry them between nodes (sql/fragment_codec.h).
// DISTINCT aggregates keep (group, value) pairs in one set (sql/pair_set.h), a fixed-width value
// as its bits and a string as its number in a dictionary of the argument's strings; COUNT
// DISTINCT counts each group's pairs, SUM/AVG/MIN/MAX DISTINCT run over them at Finalize.
// Thread-safety: not thread-safe; one instance per worker, merged afterwards (Merge runs its own
// work on a TaskRunner).
#pragma once

#include <msgpack.hpp>

#include <cstdint>
#include <memory>
#include <vector>

#include "common/result.h"
#include "common/task_runner.h"
#include "common/vector.h"
#include "sql/aggregate_state.h"
#include "sql/bound.h"
#include "sql/group_table.h"
#include "sql/selected_vector.h"

namespace lake::sql {

class GroupedAggregates {
 public:
  // `key_types` of the group keys (none: one group, even over no rows); `aggregates` as bound.
  GroupedAggregates(std::vector<LogicalType> key_types,
                    const std::vector<BoundAggregate>& aggregates);

  // Adds `count` rows: keys[k] is key k, arguments[a] aggregate a's argument (its vector may be
  // null for COUNT(*)). Each has at least `count` logical rows.
  void Update(const std::vector<SelectedVector>& keys, const std::vector<SelectedVector>& arguments,
              size_t count);
  // Adds `rows` rows without looking at them. REQUIRES: no keys, every aggregate COUNT(*).
  void CountRows(size_t rows);
  // Merges `others` (same keys and aggregates) into this: their groups this one lacks come after
  // its own. Partitioned tables merge partition by partition on `runner`.
  void Combine(const std::vector<const GroupedAggregates*>& others, TaskRunner* runner);
  // Merges `other` into this on the calling thread.
  void Combine(const GroupedAggregates& other);
  // The merge of `partials` (same keys and aggregates, at least one), into the one with the most
  // groups.
  static std::unique_ptr<GroupedAggregates> Merge(
      std::vector<std::unique_ptr<GroupedAggregates>> partials, TaskRunner* runner);
  // One Vector per key then per aggregate, one row per group, in first-seen order (groups a
  // merge added: in the order Combine gives them); the columns are made in parallel on
  // `runner`. Errors: a BIGINT SUM out of range.
  Result<std::vector<Vector>> Finalize(TaskRunner* runner) const;
  // The same on the calling thread.
  Result<std::vector<Vector>> Finalize() const;

  size_t groups() const { return groups_.size(); }

  // The state as msgpack, and back. Unpack treats the object as untrusted: Corruption for
  // anything inconsistent with the key types and aggregates it is given.
  void Pack(msgpack::packer<msgpack::sbuffer>& pk) const;
  static Result<std::unique_ptr<GroupedAggregates>> Unpack(
      const msgpack::object& object, std::vector<LogicalType> key_types,
      const std::vector<BoundAggregate>& aggregates);

 private:
  void Resize();  // sizes every state to groups()
  // Folds the non-DISTINCT states of `other`'s groups [begin, end) into groups group_of[...].
  void CombineStates(const GroupedAggregates& other, const uint32_t* group_of, size_t begin,
                     size_t end);

  std::vector<LogicalType> key_types_;
  GroupTable groups_;
  std::vector<AggregateState> states_;
  std::vector<uint32_t> row_groups_;  // scratch: the group of each row of the current vector
  std::vector<uint32_t> value_ids_;   // scratch: DISTINCT strings' numbers
  std::vector<PairSet::Pair> pairs_;  // scratch: DISTINCT pairs of the current vector
};

}  // namespace lake::sql
