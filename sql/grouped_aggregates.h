// GroupedAggregates: hash aggregation with init/update/combine/finalize. Rows come in as vectors
// of group keys and aggregate arguments; each distinct key tuple gets a group, and every
// aggregate keeps one typed state slot per group. Partial results (one per chunk or per worker)
// are merged with Combine, which is what the distributed engine ships between nodes.
// Keys: a single BIGINT/DATE/TIMESTAMP key uses an integer hash map; other key shapes hash a
// compact binary encoding of the tuple. NULL is a key value like any other (its own group).
// Thread-safety: not thread-safe; one instance per worker, combined afterwards.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/result.h"
#include "common/vector.h"
#include "sql/bound.h"

namespace lake::sql {

__extension__ using WideInt = __int128;  // exact BIGINT sums (GCC/Clang extension)

class GroupedAggregates {
 public:
  // `key_types` of the group keys (none: one group, even over no rows); `aggregates` as bound.
  GroupedAggregates(std::vector<LogicalType> key_types,
                    const std::vector<BoundAggregate>& aggregates);

  // Adds `rows` rows: keys[k] is key k, arguments[a] aggregate a's argument (unused for
  // COUNT(*)). Errors: integer overflow of a SUM.
  Status Update(const std::vector<Vector>& keys, const std::vector<Vector>& arguments, size_t rows);
  // Merges `other` (same keys and aggregates) into this.
  Status Combine(const GroupedAggregates& other);
  // One Vector per key then per aggregate, one row per group, in first-seen order.
  Result<std::vector<Vector>> Finalize() const;

  size_t groups() const { return group_count_; }

 private:
  struct State {
    AggregateKind kind;
    bool distinct;
    LogicalType arg_type;
    LogicalType result_type;
    std::vector<int64_t> count;
    std::vector<WideInt> wide_sum;  // BIGINT SUM/AVG: exact, checked at Finalize
    std::vector<double> real_sum;   // DOUBLE SUM/AVG
    std::vector<uint8_t> seen;      // MIN/MAX/SUM: a non-NULL value arrived
    std::vector<int64_t> int_extreme;
    std::vector<double> real_extreme;
    std::vector<std::string> text_extreme;
    // DISTINCT: integer-like values (BIGINT, DATE, TIMESTAMP, BOOLEAN) in integer sets, others
    // by their binary encoding.
    std::vector<std::unordered_set<int64_t>> distinct_ints;
    std::vector<std::unordered_set<std::string>> distinct_values;
  };

  // The group of row `row`, created if new.
  uint32_t GroupOf(const std::vector<Vector>& keys, size_t row);
  uint32_t NewGroup(const std::vector<Vector>& keys, size_t row);
  void Grow();
  Status Accumulate(State& s, uint32_t group, const Vector& arg, size_t row);
  // Appends DISTINCT aggregate `s`'s result for group `g` to `column`.
  Status FinalizeDistinct(const State& s, size_t g, Vector* column) const;

  std::vector<LogicalType> key_types_;
  std::vector<State> states_;
  bool int_key_;  // one integer-like key: the fast map
  std::unordered_map<int64_t, uint32_t> int_groups_;
  int64_t null_group_ = -1;  // int_key_: the group of the NULL key, if any
  std::unordered_map<std::string, uint32_t> encoded_groups_;
  std::vector<Vector> key_values_;  // one Vector per key, a row per group
  size_t group_count_ = 0;
  std::string scratch_;
};

}  // namespace lake::sql
