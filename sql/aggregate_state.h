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
#include "sql/selected_vector.h"

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
  std::vector<double> mean;  // VAR_*/STDDEV_*: each group's running mean of its inputs
  std::vector<double> m2;    // and the sum of squared deviations from it
  // APPROX_COUNT_DISTINCT: kHllRegisters registers per group, empty until its first input.
  std::vector<std::vector<uint8_t>> sketches;
  std::unique_ptr<GroupTable> distinct_strings;  // DISTINCT VARCHAR: numbers the strings
  PairSet distinct_pairs;  // DISTINCT: (group, KeyBits of the value or the string's number)
};

inline bool IsExtreme(AggregateKind kind) {
  return kind == AggregateKind::kMin || kind == AggregateKind::kMax;
}

inline bool IsSum(AggregateKind kind) {
  return kind == AggregateKind::kSum || kind == AggregateKind::kAvg;
}

// Calls f(i, value) for each logical row i of `arg` that is not NULL.
template <class T, class F>
void ForEachValid(const SelectedVector& arg, size_t count, F&& f) {
  const Vector& v = *arg.vector;
  const T* values = v.data<T>();
  if (v.null_count() == 0) {
    ForEachSelected(arg.selection, count, [&](size_t i, size_t row) { f(i, values[row]); });
  } else {
    ForEachSelected(arg.selection, count, [&](size_t i, size_t row) {
      if (v.IsValid(row)) f(i, values[row]);
    });
  }
}

template <class F>
void ForEachValidString(const SelectedVector& arg, size_t count, F&& f) {
  const Vector& v = *arg.vector;
  ForEachSelected(arg.selection, count, [&](size_t i, size_t row) {
    if (v.IsValid(row)) f(i, v.GetString(row));
  });
}

// Folds value `v` into extreme slot `slot` of a group; `first` when the group had no value yet.
template <bool kMin, class T, class U>
inline void FoldExtreme(bool first, const T& v, U& slot) {
  if (first || (kMin ? v < slot : slot < v)) slot = v;
}

}  // namespace lake::sql
