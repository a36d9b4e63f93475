#include "sql/pair_set.h"

#include <algorithm>
#include <atomic>
#include <bit>

namespace lake::sql {
namespace {

constexpr PairSet::Pair kEmptySlot{0, PairSet::kNoGroup, 0};

}  // namespace

PairSet::PairSet() : partitions_(1), split_at_(PartitionThreshold()) {
  partitions_[0].slots.assign(64, kEmptySlot);
  partitions_[0].mask = 63;
}

bool PairSet::InsertInto(Partition* partition, const Pair& pair) {
  size_t at = pair.hash & partition->mask;
  while (partition->slots[at].group != kNoGroup) {
    const Pair& slot = partition->slots[at];
    if (slot.group == pair.group && slot.value == pair.value) return false;
    at = (at + 1) & partition->mask;
  }
  partition->slots[at] = pair;
  if (2 * ++partition->used > partition->slots.size()) Grow(partition);
  return true;
}

size_t PairSet::InsertPrefetched(Partition* partition, const Pair* pairs, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    __builtin_prefetch(&partition->slots[pairs[i].hash & partition->mask]);
  }
  size_t added = 0;
  for (size_t i = 0; i < count; ++i) added += InsertInto(partition, pairs[i]);
  return added;
}

void PairSet::Grow(Partition* partition) {
  std::vector<Pair> old(partition->slots.size() * 2, kEmptySlot);
  old.swap(partition->slots);
  partition->mask = partition->slots.size() - 1;
  for (const Pair& p : old) {
    if (p.group == kNoGroup) continue;
    size_t at = p.hash & partition->mask;
    while (partition->slots[at].group != kNoGroup) at = (at + 1) & partition->mask;
    partition->slots[at] = p;
  }
}

void PairSet::Split() {
  const std::vector<Pair> old = std::move(partitions_[0].slots);
  partitions_.assign(kRadixPartitions, Partition{});
  partition_mask_ = kRadixPartitions - 1;
  // Room for each partition's share of the pairs at most half full, so that none grows at once.
  const size_t slots = std::bit_ceil(std::max<size_t>(16, 4 * size_ / kRadixPartitions));
  for (Partition& partition : partitions_) {
    partition.slots.assign(slots, kEmptySlot);
    partition.mask = slots - 1;
  }
  for (const Pair& p : old) {
    if (p.group != kNoGroup) InsertInto(&PartitionOf(p.hash), p);
  }
}

void PairSet::Insert(const Pair& pair) {
  if (!InsertInto(&PartitionOf(pair.hash), pair)) return;
  if (++size_ >= split_at_ && partition_mask_ == 0) Split();
}

void PairSet::InsertAll(const Pair* pairs, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const Partition& partition = PartitionOf(pairs[i].hash);
    __builtin_prefetch(&partition.slots[pairs[i].hash & partition.mask]);
  }
  for (size_t i = 0; i < count; ++i) Insert(pairs[i]);
}

void PairSet::Merge(const std::vector<const PairSet*>& others,
                    const std::vector<const uint32_t*>& group_of,
                    const std::vector<const uint32_t*>& value_of, TaskRunner* runner) {
  const auto mapped = [&](size_t t, Pair p) {
    p.group = group_of[t][p.group];
    if (value_of[t] != nullptr) p.value = value_of[t][p.value];
    return p;  // same key and value, so the same hash
  };
  const bool any_partitioned =
      partitioned() ||
      std::any_of(others.begin(), others.end(), [](const PairSet* o) { return o->partitioned(); });
  if (any_partitioned && !partitioned()) Split();
  // An unpartitioned set is small: its pairs go in one by one.
  for (size_t t = 0; t < others.size(); ++t) {
    if (!others[t]->partitioned()) others[t]->ForEach([&](const Pair& p) { Insert(mapped(t, p)); });
  }
  if (!any_partitioned) return;
  // Partition q of every partitioned set goes into partition q of this one, which no other task
  // touches; the partitions run in parallel.
  std::vector<size_t> added(kRadixPartitions, 0);
  runner->ParallelFor(kRadixPartitions, [&](size_t q) {
    constexpr size_t kBatch = 32;
    Pair batch[kBatch];
    size_t n = 0;
    for (size_t t = 0; t < others.size(); ++t) {
      if (!others[t]->partitioned()) continue;
      for (const Pair& p : others[t]->partitions_[q].slots) {
        if (p.group == kNoGroup) continue;
        batch[n++] = mapped(t, p);
        if (n == kBatch) {
          added[q] += InsertPrefetched(&partitions_[q], batch, n);
          n = 0;
        }
      }
    }
    added[q] += InsertPrefetched(&partitions_[q], batch, n);
  });
  for (size_t n : added) size_ += n;
}

std::vector<int64_t> PairSet::CountPerGroup(size_t groups, TaskRunner* runner) const {
  // A count per group and worker: workers take partitions in turn, then the counts are summed.
  const size_t workers = std::min(runner->parallelism(), partitions_.size());
  std::vector<std::vector<int64_t>> counts(workers);
  std::atomic<size_t> next{0};
  runner->ParallelFor(workers, [&](size_t w) {
    counts[w].assign(groups, 0);
    for (size_t q = next++; q < partitions_.size(); q = next++) {
      for (const Pair& p : partitions_[q].slots) {
        if (p.group != kNoGroup) ++counts[w][p.group];
      }
    }
  });
  for (size_t w = 1; w < workers; ++w) {
    for (size_t g = 0; g < groups; ++g) counts[0][g] += counts[w][g];
  }
  return std::move(counts[0]);
}

}  // namespace lake::sql
