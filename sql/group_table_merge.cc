// GroupTable::Merge: other tables' groups folded into this one. Small tables are looked up group
// by group; once any table is partitioned, partition p of every table is handled by one task,
// which touches only partition p of this table, so the partitions run in parallel:
//   1. each other table's groups are ordered by partition (a counting sort on their hashes);
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

// Marks a map entry holding a number in its partition's table of new groups (step 2 to 4).
constexpr uint32_t kNew = uint32_t{1} << 31;

}  // namespace

void GroupTable::AppendUnindexed(const GroupTable& added) {
  if (added.null_group_ != kEmpty) null_group_ = static_cast<uint32_t>(group_count_) + added.null_group_;
  for (size_t k = 0; k < key_values_.size(); ++k) {
    key_values_[k].AppendRange(added.key_values_[k], 0, added.size());
  }
  group_hashes_.insert(group_hashes_.end(), added.group_hashes_.begin(),
                       added.group_hashes_.end());
  group_count_ += added.size();
}

std::vector<GroupTable::Slot> GroupTable::SlotsIn(size_t p, const std::vector<uint32_t>& sorted,
                                                  const std::vector<size_t>& start) const {
  std::vector<Slot> slots;
  if (!partitioned()) {
    for (size_t i = start[p]; i < start[p + 1]; ++i) {
      slots.push_back(Slot{TagOf(sorted[i]), sorted[i]});
    }
    return slots;
  }
  for (const Slot& slot : partitions_[p].slots) {
    if (slot.group != kEmpty) slots.push_back(slot);
  }
  if (null_group_ != kEmpty && RadixPartition(kNullHash) == p) {
    slots.push_back(Slot{0, null_group_});
  }
  return slots;
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
  // incoming[p][t]: the slots of table t's groups of partition p.
  std::vector<std::vector<std::vector<Slot>>> incoming(kRadixPartitions);
  std::vector<std::unique_ptr<GroupTable>> added(kRadixPartitions);
  runner->ParallelFor(kRadixPartitions, [&](size_t p) {
    added[p] = std::make_unique<GroupTable>(key_types);
    Partition& mine = partitions_[p];
    std::vector<uint32_t> groups, missing, numbers;
    for (size_t t = 0; t < others.size(); ++t) {
      const GroupTable& other = *others[t];
      incoming[p].push_back(other.SlotsIn(p, sorted[t].groups, sorted[t].start));
      const std::vector<Slot>& slots = incoming[p].back();
      groups.clear();
      for (const Slot& slot : slots) groups.push_back(slot.group);
      const std::vector<SelectedVector> keys = keys_of(other, groups.data());
      // 2. Look each group up here (only partition p's slots are read).
      missing.clear();
      for (size_t i = 0; i < slots.size(); ++i) {
        uint32_t found = null_group_;
        if (!exact_tags_ || slots[i].group != other.null_group_) {
          const size_t at = Probe(mine, other.SlotHash(slots[i]), slots[i].tag, [&](uint32_t g) {
            return exact_tags_ || Matches(keys, i, g);
          });
          found = mine.slots[at].group;
        }
        if (found == kEmpty) {
          missing.push_back(slots[i].group);
        } else {
          maps[t][slots[i].group] = found;
        }
      }
      numbers.resize(missing.size());
      added[p]->FindOrCreate(keys_of(other, missing.data()), missing.size(), numbers.data());
      for (size_t j = 0; j < missing.size(); ++j) maps[t][missing[j]] = kNew | numbers[j];
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
      for (const Slot& slot : incoming[p][t]) {
        uint32_t& to = maps[t][slot.group];
        if (to & kNew) to = first[p] + (to & ~kNew);
      }
    }
  });
  return maps;
}

}  // namespace lake::sql
