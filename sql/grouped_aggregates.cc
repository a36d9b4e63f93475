#include "sql/grouped_aggregates.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "sql/statistical_aggregates.h"

namespace lake::sql {
namespace {

template <bool kMin, class T>
void UpdateIntExtreme(AggregateState& s, const SelectedVector& arg, const uint32_t* groups,
                      size_t count) {
  ForEachValid<T>(arg, count, [&](size_t i, T v) {
    const uint32_t g = groups[i];
    FoldExtreme<kMin>(s.count[g]++ == 0, static_cast<int64_t>(v), s.int_extreme[g]);
  });
}

template <bool kMin>
void UpdateExtreme(AggregateState& s, const SelectedVector& arg, const uint32_t* groups,
                   size_t count) {
  switch (s.arg_type) {
    case LogicalType::kVarchar:
      ForEachValidString(arg, count, [&](size_t i, std::string_view v) {
        const uint32_t g = groups[i];
        // compare() rather than <: clang 14 rejects std::string < std::string_view with
        // libstdc++ 12 (the LAKE_FUZZ build).
        const int order = v.compare(s.text_extreme[g]);
        if (s.count[g]++ == 0 || (kMin ? order < 0 : order > 0)) {
          s.text_extreme[g].assign(v);
        }
      });
      return;
    case LogicalType::kDouble:
      ForEachValid<double>(arg, count, [&](size_t i, double v) {
        const uint32_t g = groups[i];
        FoldExtreme<kMin>(s.count[g]++ == 0, v, s.real_extreme[g]);
      });
      return;
    case LogicalType::kDate:
      return UpdateIntExtreme<kMin, int32_t>(s, arg, groups, count);
    case LogicalType::kBoolean:
      return UpdateIntExtreme<kMin, uint8_t>(s, arg, groups, count);
    case LogicalType::kBigInt:
    case LogicalType::kTimestamp:
      return UpdateIntExtreme<kMin, int64_t>(s, arg, groups, count);
  }
}

// Update of a non-DISTINCT aggregate: logical row i of `arg` goes to group groups[i].
void UpdatePlain(AggregateState& s, const SelectedVector& arg, const uint32_t* groups,
                 size_t count) {
  switch (s.kind) {
    case AggregateKind::kCountStar:
      for (size_t i = 0; i < count; ++i) ++s.count[groups[i]];
      return;
    case AggregateKind::kCount: {
      const Vector& v = *arg.vector;
      if (v.null_count() == 0) {
        for (size_t i = 0; i < count; ++i) ++s.count[groups[i]];
      } else {
        ForEachSelected(arg.selection, count,
                        [&](size_t i, size_t row) { s.count[groups[i]] += v.IsValid(row); });
      }
      return;
    }
    case AggregateKind::kSum:
    case AggregateKind::kAvg:
      if (s.arg_type == LogicalType::kDouble) {
        ForEachValid<double>(arg, count, [&](size_t i, double v) {
          s.real_sum[groups[i]] += v;
          ++s.count[groups[i]];
        });
      } else {
        ForEachValid<int64_t>(arg, count, [&](size_t i, int64_t v) {
          s.wide_sum[groups[i]] += v;
          ++s.count[groups[i]];
        });
      }
      return;
    case AggregateKind::kMin:
      return UpdateExtreme<true>(s, arg, groups, count);
    case AggregateKind::kMax:
      return UpdateExtreme<false>(s, arg, groups, count);
    case AggregateKind::kVarSamp:
    case AggregateKind::kVarPop:
    case AggregateKind::kStddevSamp:
    case AggregateKind::kStddevPop:
      return UpdateMoments(s, arg, groups, count);
    case AggregateKind::kApproxCountDistinct:
      return UpdateSketches(s, arg, groups, count);
  }
}

// Sizes `s`'s slots for `groups` groups; new slots are the empty state.
void ResizeState(AggregateState& s, size_t groups) {
  s.count.resize(groups, 0);
  if (s.distinct) return;
  if (IsSum(s.kind)) {
    if (s.arg_type == LogicalType::kDouble) {
      s.real_sum.resize(groups, 0);
    } else {
      s.wide_sum.resize(groups, 0);
    }
  }
  if (IsMoment(s.kind)) {
    s.mean.resize(groups, 0);
    s.m2.resize(groups, 0);
  }
  if (s.kind == AggregateKind::kApproxCountDistinct) s.sketches.resize(groups);
  if (IsExtreme(s.kind)) {
    if (s.arg_type == LogicalType::kVarchar) {
      s.text_extreme.resize(groups);
    } else if (s.arg_type == LogicalType::kDouble) {
      s.real_extreme.resize(groups, 0);
    } else {
      s.int_extreme.resize(groups, 0);
    }
  }
}

// The pairs of the non-NULL logical rows of `arg` (row i of group groups[i], whose key hashes to
// group_hashes[i], or to 0 for all rows when group_hashes is null).
template <class T>
void CollectPairs(const SelectedVector& arg, const uint32_t* groups, const uint64_t* group_hashes,
                  size_t count, std::vector<PairSet::Pair>* pairs) {
  ForEachValid<T>(arg, count, [&](size_t i, T v) {
    const uint64_t bits = KeyBits(v);
    pairs->push_back(PairSet::Make(groups[i], bits, group_hashes ? group_hashes[i] : 0, bits));
  });
}

// Adds DISTINCT state `s`'s pairs for `arg`'s rows, as CollectPairs takes them.
void UpdateDistinct(AggregateState& s, const SelectedVector& arg, const uint32_t* groups,
                    const uint64_t* group_hashes, size_t count, std::vector<uint32_t>* value_ids,
                    std::vector<PairSet::Pair>* pairs) {
  pairs->clear();
  switch (s.arg_type) {
    case LogicalType::kVarchar: {
      value_ids->resize(std::max(value_ids->size(), count));
      s.distinct_strings->FindOrCreate({arg}, count, value_ids->data());
      const uint64_t* string_hashes = s.distinct_strings->row_hashes();
      const Vector& v = *arg.vector;
      ForEachSelected(arg.selection, count, [&](size_t i, size_t row) {
        if (!v.IsValid(row)) return;
        pairs->push_back(PairSet::Make(groups[i], (*value_ids)[i],
                                       group_hashes ? group_hashes[i] : 0, string_hashes[i]));
      });
      break;
    }
    case LogicalType::kDouble:
      CollectPairs<double>(arg, groups, group_hashes, count, pairs);
      break;
    case LogicalType::kDate:
      CollectPairs<int32_t>(arg, groups, group_hashes, count, pairs);
      break;
    case LogicalType::kBoolean:
      CollectPairs<uint8_t>(arg, groups, group_hashes, count, pairs);
      break;
    case LogicalType::kBigInt:
    case LogicalType::kTimestamp:
      CollectPairs<int64_t>(arg, groups, group_hashes, count, pairs);
      break;
  }
  s.distinct_pairs.InsertAll(pairs->data(), pairs->size());
}

// Fixed-width answers in bulk: `column` gets a row per group, value(g) as a T for a group with
// inputs, NULL for one without.
template <class T, class F>
void FillFixed(const AggregateState& s, Vector* column, F&& value) {
  const size_t groups = s.count.size();
  column->Resize(groups);
  T* out = column->mutable_data<T>();
  uint64_t* valid = column->mutable_validity_words();
  for (size_t g = 0; g < groups; ++g) {
    if (s.count[g] == 0) {
      valid[g / 64] &= ~(uint64_t{1} << (g % 64));
    } else {
      out[g] = static_cast<T>(value(g));
    }
  }
  column->RecountNulls();
}

// The answers of non-DISTINCT state `s`, one row per group.
Result<Vector> FinalizePlain(const AggregateState& s) {
  Vector column(s.result_type);
  const bool real = s.arg_type == LogicalType::kDouble;
  switch (s.kind) {
    case AggregateKind::kCountStar:
    case AggregateKind::kCount:
      column.Resize(s.count.size());
      std::copy(s.count.begin(), s.count.end(), column.mutable_data<int64_t>());
      break;
    case AggregateKind::kSum:
      if (real) {
        FillFixed<double>(s, &column, [&](size_t g) { return s.real_sum[g]; });
        break;
      }
      for (size_t g = 0; g < s.count.size(); ++g) {
        if (s.count[g] != 0 && (s.wide_sum[g] > INT64_MAX || s.wide_sum[g] < INT64_MIN)) {
          return Status::InvalidArgument("bigint out of range in SUM");
        }
      }
      FillFixed<int64_t>(s, &column, [&](size_t g) { return s.wide_sum[g]; });
      break;
    case AggregateKind::kAvg:
      FillFixed<double>(s, &column, [&](size_t g) {
        const double sum = real ? s.real_sum[g] : static_cast<double>(s.wide_sum[g]);
        return sum / static_cast<double>(s.count[g]);
      });
      break;
    case AggregateKind::kMin:
    case AggregateKind::kMax:
      if (s.arg_type == LogicalType::kVarchar) {
        column.Reserve(s.count.size());
        for (size_t g = 0; g < s.count.size(); ++g) {
          s.count[g] == 0 ? column.AppendNull() : column.AppendString(s.text_extreme[g]);
        }
      } else if (real) {
        FillFixed<double>(s, &column, [&](size_t g) { return s.real_extreme[g]; });
      } else {
        WithFixedType(s.result_type, [&](auto type) {
          FillFixed<decltype(type)>(s, &column, [&](size_t g) { return s.int_extreme[g]; });
        });
      }
      break;
    case AggregateKind::kVarSamp:
    case AggregateKind::kVarPop:
    case AggregateKind::kStddevSamp:
    case AggregateKind::kStddevPop:
      FinalizeMoments(s, &column);
      break;
    case AggregateKind::kApproxCountDistinct:
      FinalizeSketches(s, &column);
      break;
  }
  return column;
}

// A DISTINCT aggregate's answers but COUNT's: the plain aggregate run over each group's
// distinct values.
Result<Vector> FinalizeDistinct(const AggregateState& s) {
  AggregateState plain;
  plain.kind = s.kind;
  plain.arg_type = s.arg_type;
  plain.result_type = s.result_type;
  ResizeState(plain, s.count.size());
  const size_t n = s.distinct_pairs.size();
  std::vector<uint32_t> groups(n), rows;
  Vector values(s.arg_type);  // fixed-width arguments: the values themselves
  size_t i = 0;
  if (s.distinct_strings) {
    rows.resize(n);
    s.distinct_pairs.ForEach([&](const PairSet::Pair& p) {
      groups[i] = p.group;
      rows[i++] = static_cast<uint32_t>(p.value);
    });
  } else {
    values.Resize(n);
    WithFixedType(s.arg_type, [&](auto type) {
      using T = decltype(type);
      T* out = values.mutable_data<T>();
      s.distinct_pairs.ForEach([&](const PairSet::Pair& p) {
        groups[i] = p.group;
        out[i++] = FromBits<T>(p.value);
      });
    });
  }
  const SelectedVector arg = s.distinct_strings
                                 ? SelectedVector{&s.distinct_strings->keys()[0], rows.data()}
                                 : SelectedVector{&values, nullptr};
  UpdatePlain(plain, arg, groups.data(), n);
  return FinalizePlain(plain);
}

}  // namespace

GroupedAggregates::GroupedAggregates(std::vector<LogicalType> key_types,
                                     const std::vector<BoundAggregate>& aggregates)
    : key_types_(std::move(key_types)), groups_(key_types_) {
  for (const BoundAggregate& a : aggregates) {
    AggregateState s;
    s.kind = a.kind;
    s.distinct = a.distinct;
    s.arg_type = a.argument ? a.argument->type : LogicalType::kBigInt;
    s.result_type = a.type;
    if (s.distinct && s.arg_type == LogicalType::kVarchar) {
      s.distinct_strings = std::make_unique<GroupTable>(std::vector{s.arg_type});
    }
    states_.push_back(std::move(s));
  }
  // Without keys there is exactly one group, which exists even if no row arrives.
  if (key_types_.empty()) {
    uint32_t group;
    groups_.FindOrCreate({}, 1, &group);
    Resize();
  }
}

void GroupedAggregates::Resize() {
  for (AggregateState& s : states_) ResizeState(s, groups_.size());
}

void GroupedAggregates::Update(const std::vector<SelectedVector>& keys,
                               const std::vector<SelectedVector>& arguments, size_t count) {
  row_groups_.resize(std::max(row_groups_.size(), count));
  const uint64_t* group_hashes = nullptr;  // no keys: the one group's hash is 0
  if (key_types_.empty()) {
    std::fill(row_groups_.begin(), row_groups_.begin() + count, 0);
  } else {
    groups_.FindOrCreate(keys, count, row_groups_.data());
    group_hashes = groups_.row_hashes();
    Resize();
  }
  for (size_t a = 0; a < states_.size(); ++a) {
    AggregateState& s = states_[a];
    if (s.distinct) {
      UpdateDistinct(s, arguments[a], row_groups_.data(), group_hashes, count, &value_ids_,
                     &pairs_);
    } else {
      UpdatePlain(s, arguments[a], row_groups_.data(), count);
    }
  }
}

void GroupedAggregates::CountRows(size_t rows) {
  assert(key_types_.empty());
  for (AggregateState& s : states_) {
    assert(s.kind == AggregateKind::kCountStar);
    s.count[0] += static_cast<int64_t>(rows);
  }
}

Result<std::vector<Vector>> GroupedAggregates::Finalize(TaskRunner* runner) const {
  const size_t keys = key_types_.size();
  std::vector<Result<Vector>> columns(keys + states_.size(), Vector(LogicalType::kBigInt));
  // COUNT(DISTINCT)'s answer is how many pairs each group has, counted in parallel first.
  for (size_t a = 0; a < states_.size(); ++a) {
    const AggregateState& s = states_[a];
    if (!s.distinct || s.kind != AggregateKind::kCount) continue;
    Vector counts(LogicalType::kBigInt);
    counts.Resize(groups());
    const std::vector<int64_t> counted = s.distinct_pairs.CountPerGroup(groups(), runner);
    std::copy(counted.begin(), counted.end(), counts.mutable_data<int64_t>());
    columns[keys + a] = std::move(counts);
  }
  runner->ParallelFor(keys + states_.size(), [&](size_t c) {
    if (c < keys) {
      columns[c] = groups_.keys()[c];
      return;
    }
    const AggregateState& s = states_[c - keys];
    if (!s.distinct) {
      columns[c] = FinalizePlain(s);
    } else if (s.kind != AggregateKind::kCount) {
      columns[c] = FinalizeDistinct(s);
    }
  });
  std::vector<Vector> out;
  for (Result<Vector>& column : columns) {
    LAKE_ASSIGN_OR_RETURN(Vector v, std::move(column));
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<Vector>> GroupedAggregates::Finalize() const {
  InlineTaskRunner here;
  return Finalize(&here);
}

}  // namespace lake::sql
