// GroupedAggregates::Combine and Merge: partial aggregates folded together. The group tables
// merge first (GroupTable::Merge, partition by partition once partitioned), which maps every
// partial's groups to the result's; then the plain states fold over ranges of each partial's
// groups in parallel, and DISTINCT pairs merge partition by partition (PairSet::Merge).
#include <algorithm>
#include <cassert>
#include <utility>

#include "sql/grouped_aggregates.h"
#include "sql/statistical_aggregates.h"

namespace lake::sql {
namespace {

// The array of a plain state's fixed-width values (sums, extremes, means) and their width; null
// when it has none (COUNT) or holds strings or sketches.
std::pair<const char*, size_t> FixedValues(const AggregateState& s) {
  if (IsMoment(s.kind)) return {reinterpret_cast<const char*>(s.mean.data()), sizeof(double)};
  if (IsSum(s.kind)) {
    return s.arg_type == LogicalType::kDouble
               ? std::pair(reinterpret_cast<const char*>(s.real_sum.data()), sizeof(double))
               : std::pair(reinterpret_cast<const char*>(s.wide_sum.data()), sizeof(WideInt));
  }
  if (!IsExtreme(s.kind) || s.arg_type == LogicalType::kVarchar) return {nullptr, 0};
  return s.arg_type == LogicalType::kDouble
             ? std::pair(reinterpret_cast<const char*>(s.real_extreme.data()), sizeof(double))
             : std::pair(reinterpret_cast<const char*>(s.int_extreme.data()), sizeof(int64_t));
}

}  // namespace

void GroupedAggregates::CombineStates(const GroupedAggregates& other, const uint32_t* group_of,
                                      size_t begin, size_t end) {
  for (size_t a = 0; a < states_.size(); ++a) {
    AggregateState& s = states_[a];
    const AggregateState& o = other.states_[a];
    if (s.distinct) continue;
    // The groups here are scattered over large arrays: each one's entries are prefetched a few
    // groups ahead, so that the cache misses overlap.
    const auto [values, width] = FixedValues(s);
    constexpr size_t kAhead = 16;
    for (size_t og = begin; og < end; ++og) {
      if (og + kAhead < end) {
        const uint32_t ahead = group_of[og + kAhead];
        __builtin_prefetch(&s.count[ahead], 1);
        if (values != nullptr) __builtin_prefetch(values + ahead * width, 1);
      }
      const uint32_t g = group_of[og];
      if (o.count[og] == 0) continue;
      if (IsMoment(s.kind)) CombineMoments(s, g, o, og);  // before the counts add up
      if (s.kind == AggregateKind::kApproxCountDistinct) CombineSketches(s, g, o, og);
      const bool first = s.count[g] == 0;
      s.count[g] += o.count[og];
      if (IsSum(s.kind)) {
        if (s.arg_type == LogicalType::kDouble) {
          s.real_sum[g] += o.real_sum[og];
        } else {
          s.wide_sum[g] += o.wide_sum[og];
        }
      } else if (s.kind == AggregateKind::kMin || s.kind == AggregateKind::kMax) {
        const bool is_min = s.kind == AggregateKind::kMin;
        if (s.arg_type == LogicalType::kVarchar) {
          is_min ? FoldExtreme<true>(first, o.text_extreme[og], s.text_extreme[g])
                 : FoldExtreme<false>(first, o.text_extreme[og], s.text_extreme[g]);
        } else if (s.arg_type == LogicalType::kDouble) {
          is_min ? FoldExtreme<true>(first, o.real_extreme[og], s.real_extreme[g])
                 : FoldExtreme<false>(first, o.real_extreme[og], s.real_extreme[g]);
        } else {
          is_min ? FoldExtreme<true>(first, o.int_extreme[og], s.int_extreme[g])
                 : FoldExtreme<false>(first, o.int_extreme[og], s.int_extreme[g]);
        }
      }
    }
  }
}

void GroupedAggregates::Combine(const std::vector<const GroupedAggregates*>& others,
                                TaskRunner* runner) {
  std::vector<std::vector<uint32_t>> group_of;  // others' groups -> ours
  if (key_types_.empty()) {
    group_of.assign(others.size(), std::vector<uint32_t>{0});
  } else {
    std::vector<const GroupTable*> tables;
    for (const GroupedAggregates* o : others) tables.push_back(&o->groups_);
    group_of = groups_.Merge(tables, runner);
  }
  Resize();
  // The groups of one partial map to distinct groups here, so ranges of them fold in parallel.
  constexpr size_t kMinGroupsPerTask = 4096;
  for (size_t t = 0; t < others.size(); ++t) {
    const size_t n = others[t]->groups();
    const size_t tasks = std::min(4 * runner->parallelism(), n / kMinGroupsPerTask + 1);
    runner->ParallelFor(tasks, [&](size_t task) {
      CombineStates(*others[t], group_of[t].data(), n * task / tasks, n * (task + 1) / tasks);
    });
  }
  for (size_t a = 0; a < states_.size(); ++a) {
    AggregateState& s = states_[a];
    if (!s.distinct) continue;
    std::vector<std::vector<uint32_t>> string_of;  // others' string numbers -> ours
    if (s.distinct_strings) {
      std::vector<const GroupTable*> tables;
      for (const GroupedAggregates* o : others) {
        tables.push_back(o->states_[a].distinct_strings.get());
      }
      string_of = s.distinct_strings->Merge(tables, runner);
    }
    std::vector<const PairSet*> pair_sets;
    std::vector<const uint32_t*> group_maps, value_maps;
    for (size_t t = 0; t < others.size(); ++t) {
      pair_sets.push_back(&others[t]->states_[a].distinct_pairs);
      group_maps.push_back(group_of[t].data());
      value_maps.push_back(s.distinct_strings ? string_of[t].data() : nullptr);
    }
    s.distinct_pairs.Merge(pair_sets, group_maps, value_maps, runner);
  }
}

void GroupedAggregates::Combine(const GroupedAggregates& other) {
  InlineTaskRunner here;
  Combine({&other}, &here);
}

std::unique_ptr<GroupedAggregates> GroupedAggregates::Merge(
    std::vector<std::unique_ptr<GroupedAggregates>> partials, TaskRunner* runner) {
  assert(!partials.empty());
  // Into the largest: the fewest groups to look up and add.
  auto largest =
      std::max_element(partials.begin(), partials.end(),
                       [](const auto& a, const auto& b) { return a->groups() < b->groups(); });
  std::unique_ptr<GroupedAggregates> total = std::move(*largest);
  std::vector<const GroupedAggregates*> others;
  for (const auto& p : partials) {
    if (p) others.push_back(p.get());
  }
  if (!others.empty()) total->Combine(others, runner);
  return total;
}

}  // namespace lake::sql
