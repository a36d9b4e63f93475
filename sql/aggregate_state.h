// AggregateState: one aggregate's state for every group of a GroupedAggregates (slot g belongs to
// group g), and the small helpers its update, merge and wire code share.
// Thread-safety: a value type; not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/logical_type.h"
#include "sql/bound.h"
#include "sql/group_table.h"
#include "sql/pair_set.h"

namespace lake::sql {

__extension__ using WideInt = __int128;  // exact BIGINT sums (GCC/Clang extension)

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

inline bool IsExtreme(AggregateKind kind) {
  return kind == AggregateKind::kMin || kind == AggregateKind::kMax;
}

inline bool IsSum(AggregateKind kind) {
  return kind == AggregateKind::kSum || kind == AggregateKind::kAvg;
}

// Folds value `v` into extreme slot `slot` of a group; `first` when the group had no value yet.
template <bool kMin, class T, class U>
inline void FoldExtreme(bool first, const T& v, U& slot) {
  if (first || (kMin ? v < slot : slot < v)) slot = v;
}

}  // namespace lake::sql
