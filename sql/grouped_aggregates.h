// GroupedAggregates: hash aggregation with init/update/combine/finalize. Rows come in a vector
// at a time as group keys and aggregate arguments, read through selection vectors; a GroupTable
// gives each row its group, then every aggregate updates its typed per-group slots in one tight
// loop per vector. Partial results (one per worker, per chunk or per node) are merged with
// Combine, and Pack/Unpack carry them between nodes (sql/fragment_codec.h).
// DISTINCT aggregates keep (group, value) pairs in one flat set, a fixed-width value as its bits
// and a string as its number in a dictionary of the argument's strings; SUM/AVG/MIN/MAX DISTINCT
// run over the pairs at Finalize.
// Thread-safety: not thread-safe; one instance per worker, combined afterwards.
#pragma once

#include <msgpack.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/vector.h"
#include "sql/bound.h"
#include "sql/group_table.h"
#include "sql/pair_set.h"
#include "sql/selected_vector.h"

namespace lake::sql {

__extension__ using WideInt = __int128;  // exact BIGINT sums (GCC/Clang extension)

// One aggregate's state for every group: slot g belongs to group g.
struct AggregateState {
  AggregateKind kind = AggregateKind::kCountStar;
  bool distinct = false;
  LogicalType arg_type = LogicalType::kBigInt;
  LogicalType result_type = LogicalType::kBigInt;
  // COUNT's answer; for the others, the non-NULL inputs seen (AVG's divisor; 0 means NULL).
  std::vector<int64_t> count;
  std::vector<WideInt> wide_sum;     // BIGINT SUM/AVG: exact, range-checked at Finalize
  std::vector<double> real_sum;      // DOUBLE SUM/AVG
  std::vector<int64_t> int_extreme;  // MIN/MAX of BIGINT, DATE, TIMESTAMP, BOOLEAN
  std::vector<double> real_extreme;
  std::vector<std::string> text_extreme;
  std::unique_ptr<GroupTable> distinct_strings;  // DISTINCT VARCHAR: numbers the strings
  PairSet distinct_pairs;  // DISTINCT: (group, KeyBits of the value or the string's number)
};

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
  // Merges `other` (same keys and aggregates) into this.
  void Combine(const GroupedAggregates& other);
  // One Vector per key then per aggregate, one row per group, in first-seen order. Errors: a
  // BIGINT SUM out of range.
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

  std::vector<LogicalType> key_types_;
  GroupTable groups_;
  std::vector<AggregateState> states_;
  std::vector<uint32_t> row_groups_;  // scratch: the group of each row of the current vector
  std::vector<uint32_t> value_ids_;   // scratch: DISTINCT strings' numbers
  std::vector<PairSet::Pair> pairs_;  // scratch: DISTINCT pairs of the current vector
};

}  // namespace lake::sql
