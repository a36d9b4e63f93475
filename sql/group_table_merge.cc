// GroupTable::Merge: other tables' groups folded into this one. Small tables are looked up group
// by group; once any table is partitioned, partition p of every table is handled by one task,
// which touches only partition p of this table, so the partitions run in parallel:
//   1. a split table's groups of a partition are the groups in that partition's slot array; an
//      unsplit one's groups are ordered by partition (a counting sort on their hashes);
//   2. per partition: every group is looked up here (reads only); the ones this table lacks go
//      into a small table of that partition's new groups;
//   3. serially: the new groups are numbered after this table's, partition by partition, and
//      their keys appended (a copy, no hashing);
//   4. per partition: the new groups are indexed in this table's partition, and the maps
//      pointing at them get their final numbers.
#include <algorithm>
#include <memory>

#include "sql/group_table.h"
#include "sql/key_bits.h"
#include "sql/radix_partitions.h"

namespace lake::sql {
namespace {

// A table's groups ordered by partition: partition p's are groups[start[p], start[p + 1]), in
// ascending order.
struct ByPartition {
  std::vector<uint32_t> groups;
  std::vector<size_t> start;
};

ByPartition SortByPartition(const GroupTable& table) {
  ByPartition sorted;
  sorted.start.assign(kRadixPartitions + 1, 0);
  const auto n = static_cast<uint32_t>(table.size());
  for (uint32_t g = 0; g < n; ++g) ++sorted.start[RadixPartition(table.hash(g)) + 1];
  for (size_t p = 0; p < kRadixPartitions; ++p) sorted.start[p + 1] += sorted.start[p];
  std::vector<size_t> next(sorted.start.begin(), sorted.start.end() - 1);
  sorted.groups.resize(n);
  for (uint32_t g = 0; g < n; ++g) sorted.groups[next[RadixPartition(table.hash(g))]++] = g;
  return sorted;
}

}  // namespace

void GroupTable::AppendUnindexed(const GroupTable& added) {
  if (added.null_group_ != kEmpty) {
    null_group_ = static_cast<uint32_t>(group_count_) + added.null_group_;
  }
  for (size_t k = 0; k < key_values_.size(); ++k) {
    key_values_[k].AppendRange(added.key_values_[k], 0, added.size());
  }
  group_hashes_.insert(group_hashes_.end(), added.group_hashes_.begin(), added.group_hashes_.end());
  group_count_ += added.size();
}

template <class F>
void GroupTable::ForEachSlotIn(size_t p, const std::vector<uint32_t>& sorted,
                               const std::vector<size_t>& start, F&& f) const {
  if (!partitioned()) {
    for (size_t i = start[p]; i < start[p + 1]; ++i) f(Slot{TagOf(sorted[i]), sorted[i]});
    return;
  }
  for (const Slot& slot : partitions_[p].slots) {
    if (slot.group != kEmpty) f(slot);
  }
  if (null_group_ != kEmpty && RadixPartition(kNullHash) == p) f(Slot{0, null_group_});
}

std::vector<std::vector<uint32_t>> GroupTable::Merge(const std::vector<const GroupTable*>& others,
                                                     TaskRunner* runner) {
  std::vector<std::vector<uint32_t>> maps(others.size());
  for (size_t t = 0; t < others.size(); ++t) maps[t].resize(others[t]->size());
  const auto keys_of = [](const GroupTable& table, const uint32_t* selection) {
    std::vector<SelectedVector> view;
    for (const Vector& k : table.keys()) view.push_back(SelectedVector{&k, selection});
    return view;
  };
  if (!partitioned() && std::none_of(others.begin(), others.end(),
                                     [](const GroupTable* o) { return o->partitioned(); })) {
    for (size_t t = 0; t < others.size(); ++t) {
      FindOrCreate(keys_of(*others[t], nullptr), others[t]->size(), maps[t].data());
    }
    return maps;
  }
  if (!partitioned()) Split();

  // 1. A split table lists its groups of a partition from its slot array; the others are
  // sorted by partition first.
  std::vector<ByPartition> sorted(others.size());
  runner->ParallelFor(others.size(), [&](size_t t) {
    if (!others[t]->partitioned()) sorted[t] = SortByPartition(*others[t]);
  });
  std::vector<LogicalType> key_types;
  for (const Vector& k : key_values_) key_types.push_back(k.type());
  // lacking[p][t]: table t's groups of partition p that this table lacks, which go to added[p];
  // until step 4 their maps hold their numbers there.
  std::vector<std::vector<std::vector<uint32_t>>> lacking(kRadixPartitions);
  std::vector<std::unique_ptr<GroupTable>> added(kRadixPartitions);
  runner->ParallelFor(kRadixPartitions, [&](size_t p) {
    added[p] = std::make_unique<GroupTable>(key_types);
    lacking[p].resize(others.size());
    const Partition& mine = partitions_[p];
    for (size_t t = 0; t < others.size(); ++t) {
      const GroupTable& other = *others[t];
      // 2. Look each group up here (only partition p's slots are read); the keys of a group
      // are read only to tell tuples with equal hashes apart.
      uint32_t current;
      const std::vector<SelectedVector> current_keys = keys_of(other, &current);
      other.ForEachSlotIn(p, sorted[t].groups, sorted[t].start, [&](const Slot& slot) {
        uint32_t found = null_group_;
        if (!exact_tags_ || slot.group != other.null_group_) {
          current = slot.group;
          const size_t at = Probe(mine, other.SlotHash(slot), slot.tag, [&](uint32_t g) {
            return exact_tags_ || Matches(current_keys, 0, g);
          });
          found = mine.slots[at].group;
        }
        if (found == kEmpty) {
          lacking[p][t].push_back(slot.group);
        } else {
          maps[t][slot.group] = found;
        }
      });
      const std::vector<uint32_t>& missing = lacking[p][t];
      std::vector<uint32_t> numbers(missing.size());
      added[p]->FindOrCreate(keys_of(other, missing.data()), missing.size(), numbers.data());
      for (size_t j = 0; j < missing.size(); ++j) maps[t][missing[j]] = numbers[j];
    }
  });

  // 3. Number the new groups after this table's, partition by partition.
  std::vector<uint32_t> first(kRadixPartitions);
  for (size_t p = 0; p < kRadixPartitions; ++p) {
    first[p] = static_cast<uint32_t>(group_count_);
    AppendUnindexed(*added[p]);
  }

  // 4. Index them, and give the maps their numbers.
  runner->ParallelFor(kRadixPartitions, [&](size_t p) {
    const auto end = static_cast<uint32_t>(first[p] + added[p]->size());
    for (uint32_t g = first[p]; g < end; ++g) {
      if (g != null_group_) Place(&partitions_[p], Slot{TagOf(g), g});
    }
    for (size_t t = 0; t < others.size(); ++t) {
      for (uint32_t group : lacking[p][t]) maps[t][group] += first[p];
    }
  });
  return maps;
}

}  // namespace lake::sql
