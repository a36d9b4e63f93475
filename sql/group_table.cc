#include "sql/group_table.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>
#include <functional>
#include <string_view>
#include <vector>

#include "sql/key_bits.h"
#include "sql/radix_partitions.h"

namespace lake::sql {
namespace {

inline uint64_t Combine(uint64_t seed, uint64_t value_hash) {
  return Mix64(seed ^ (value_hash + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2)));
}

// hashes[i] = Combine(hashes[i], hash of logical row i of `key`), typed once per vector.
template <class T>
void HashFixed(const SelectedVector& key, size_t count, uint64_t* hashes) {
  const Vector& v = *key.vector;
  const T* values = v.data<T>();
  const bool has_nulls = v.null_count() != 0;
  ForEachSelected(key.selection, count, [&](size_t i, size_t row) {
    const uint64_t h = has_nulls && !v.IsValid(row) ? kNullHash : Mix64(KeyBits(values[row]));
    hashes[i] = Combine(hashes[i], h);
  });
}

void HashStrings(const SelectedVector& key, size_t count, uint64_t* hashes) {
  const Vector& v = *key.vector;
  const bool has_nulls = v.null_count() != 0;
  const std::hash<std::string_view> hash;
  if (const StringDictionary* d = v.dictionary()) {  // hash each distinct string once
    std::vector<uint64_t> value_hashes(d->values.size());
    for (size_t k = 0; k < value_hashes.size(); ++k) value_hashes[k] = hash(d->values.GetString(k));
    ForEachSelected(key.selection, count, [&](size_t i, size_t row) {
      const uint64_t h = has_nulls && !v.IsValid(row) ? kNullHash : value_hashes[d->codes[row]];
      hashes[i] = Combine(hashes[i], h);
    });
    return;
  }
  ForEachSelected(key.selection, count, [&](size_t i, size_t row) {
    const uint64_t h = has_nulls && !v.IsValid(row) ? kNullHash : hash(v.GetString(row));
    hashes[i] = Combine(hashes[i], h);
  });
}

template <class T>
bool FixedEqual(const Vector& a, size_t row_a, const Vector& b, size_t row_b) {
  return KeyBits(a.Get<T>(row_a)) == KeyBits(b.Get<T>(row_b));
}

}  // namespace

GroupTable::GroupTable(const std::vector<LogicalType>& key_types)
    : exact_tags_(key_types.size() == 1 && key_types[0] != LogicalType::kVarchar),
      split_at_(PartitionThreshold()) {
  for (LogicalType t : key_types) key_values_.emplace_back(t);
  partitions_.resize(1);
  partitions_[0].slots.assign(1024, Slot{0, kEmpty});
  partitions_[0].mask = 1023;
}

GroupTable::Partition& GroupTable::PartitionOf(uint64_t hash) {
  return partitions_[RadixPartition(hash) & partition_mask_];
}

const GroupTable::Partition& GroupTable::PartitionOf(uint64_t hash) const {
  return partitions_[RadixPartition(hash) & partition_mask_];
}

void GroupTable::HashRows(const std::vector<SelectedVector>& keys, size_t count) {
  if (hashes_.size() < count) hashes_.resize(count);
  HashKeys(keys, count, hashes_.data());
}

void GroupTable::HashKeys(const std::vector<SelectedVector>& keys, size_t count,
                          uint64_t* hashes) {
  std::fill(hashes, hashes + count, 0);
  for (const SelectedVector& key : keys) {
    switch (key.vector->type()) {
      case LogicalType::kBigInt:
      case LogicalType::kTimestamp:
        HashFixed<int64_t>(key, count, hashes);
        break;
      case LogicalType::kDouble:
        HashFixed<double>(key, count, hashes);
        break;
      case LogicalType::kDate:
        HashFixed<int32_t>(key, count, hashes);
        break;
      case LogicalType::kBoolean:
        HashFixed<uint8_t>(key, count, hashes);
        break;
      case LogicalType::kVarchar:
        HashStrings(key, count, hashes);
        break;
    }
  }
}

void GroupTable::Find(const std::vector<SelectedVector>& keys, size_t count, uint32_t* groups,
                      std::vector<uint64_t>* hashes) const {
  assert(keys.size() == key_values_.size());
  if (hashes->size() < count) hashes->resize(count);
  uint64_t* h = hashes->data();
  if (exact_tags_) {
    // As FindOrCreateExact: hash and prefetch every row's slot first, then probe.
    WithFixedType(key_values_[0].type(), [&](auto type) {
      using T = decltype(type);
      const Vector& v = *keys[0].vector;
      const T* values = v.data<T>();
      const bool has_nulls = v.null_count() != 0;
      ForEachSelected(keys[0].selection, count, [&](size_t i, size_t row) {
        h[i] = Mix64(KeyBits(values[row]));
        const Partition& partition = PartitionOf(h[i]);
        __builtin_prefetch(&partition.slots[h[i] & partition.mask]);
      });
      ForEachSelected(keys[0].selection, count, [&](size_t i, size_t row) {
        if (has_nulls && !v.IsValid(row)) {
          groups[i] = kNone;
          return;
        }
        const Partition& partition = PartitionOf(h[i]);
        const Slot& slot = partition.slots[Probe(partition, h[i], KeyBits(values[row]),
                                                 [](uint32_t) { return true; })];
        groups[i] = slot.group;  // kEmpty == kNone
      });
    });
    return;
  }
  HashKeys(keys, count, h);
  for (size_t i = 0; i < count; ++i) {
    bool null_key = false;
    for (const SelectedVector& key : keys) {
      null_key |= key.vector->null_count() != 0 && !key.vector->IsValid(key.Row(i));
    }
    if (null_key) {
      groups[i] = kNone;
      continue;
    }
    const Partition& partition = PartitionOf(h[i]);
    const Slot& slot = partition.slots[Probe(partition, h[i], h[i],
                                             [&](uint32_t g) { return Matches(keys, i, g); })];
    groups[i] = slot.group;
  }
}

bool GroupTable::Matches(const std::vector<SelectedVector>& keys, size_t i, uint32_t group) const {
  for (size_t k = 0; k < keys.size(); ++k) {
    const Vector& in = *keys[k].vector;
    const size_t row = keys[k].Row(i);
    const Vector& stored = key_values_[k];
    const bool valid = in.IsValid(row);
    if (valid != stored.IsValid(group)) return false;
    if (!valid) continue;
    bool equal = false;
    switch (in.type()) {
      case LogicalType::kBigInt:
      case LogicalType::kTimestamp:
        equal = FixedEqual<int64_t>(in, row, stored, group);
        break;
      case LogicalType::kDouble:
        equal = FixedEqual<double>(in, row, stored, group);
        break;
      case LogicalType::kDate:
        equal = FixedEqual<int32_t>(in, row, stored, group);
        break;
      case LogicalType::kBoolean:
        equal = FixedEqual<uint8_t>(in, row, stored, group);
        break;
      case LogicalType::kVarchar:
        equal = in.GetString(row) == stored.GetString(group);
        break;
    }
    if (!equal) return false;
  }
  return true;
}

uint32_t GroupTable::AddGroup(const std::vector<SelectedVector>& keys, size_t i, uint64_t hash) {
  for (size_t k = 0; k < keys.size(); ++k) {
    key_values_[k].AppendRange(*keys[k].vector, keys[k].Row(i), 1);
  }
  group_hashes_.push_back(hash);
  return static_cast<uint32_t>(group_count_++);
}

uint64_t GroupTable::TagOf(uint32_t group) const {
  if (!exact_tags_) return group_hashes_[group];
  return WithFixedType(key_values_[0].type(), [&](auto type) {
    return KeyBits(key_values_[0].Get<decltype(type)>(group));
  });
}

uint64_t GroupTable::SlotHash(const Slot& slot) const {
  return exact_tags_ ? Mix64(slot.tag) : slot.tag;
}

template <class Same>
uint32_t GroupTable::FindOrAdd(const std::vector<SelectedVector>& keys, size_t i, uint64_t hash,
                               uint64_t tag, Same&& same) {
  Partition& partition = PartitionOf(hash);
  Slot& slot = partition.slots[Probe(partition, hash, tag, same)];
  if (slot.group != kEmpty) return slot.group;
  const uint32_t group = AddGroup(keys, i, hash);
  slot = Slot{tag, group};
  if (2 * ++partition.used > partition.slots.size()) Grow(&partition);
  return group;
}

void GroupTable::Place(Partition* partition, const Slot& slot) {
  size_t at = SlotHash(slot) & partition->mask;
  while (partition->slots[at].group != kEmpty) at = (at + 1) & partition->mask;
  partition->slots[at] = slot;
  if (2 * ++partition->used > partition->slots.size()) Grow(partition);
}

void GroupTable::Grow(Partition* partition) {
  std::vector<Slot> old = std::move(partition->slots);
  partition->slots.assign(old.size() * 2, Slot{0, kEmpty});
  partition->mask = partition->slots.size() - 1;
  partition->used = 0;
  for (const Slot& slot : old) {
    if (slot.group != kEmpty) Place(partition, slot);
  }
}

void GroupTable::Split() {
  const std::vector<Slot> old = std::move(partitions_[0].slots);
  // Room for four times each partition's share: the table keeps growing after a split.
  SizePartitions(kRadixPartitions, 4 * group_count_ / kRadixPartitions);
  for (const Slot& slot : old) {
    if (slot.group != kEmpty) Place(&PartitionOf(SlotHash(slot)), slot);
  }
}

void GroupTable::Reserve(size_t groups) {
  assert(group_count_ == 0);
  // Twice each partition's share (rounded up to a power of two): at most half full, as Place
  // keeps it, and no more memory to clear than that.
  if (groups >= split_at_) {
    SizePartitions(kRadixPartitions, 2 * groups / kRadixPartitions);
  } else if (2 * groups > partitions_[0].slots.size()) {
    SizePartitions(1, 2 * groups);
  }
}

void GroupTable::SizePartitions(size_t count, size_t slots_wanted) {
  partitions_.assign(count, Partition{});
  partition_mask_ = count - 1;
  const size_t slots = std::bit_ceil(std::max<size_t>(16, slots_wanted));
  for (Partition& partition : partitions_) {
    partition.slots.assign(slots, Slot{0, kEmpty});
    partition.mask = slots - 1;
  }
}

template <class T>
void GroupTable::FindOrCreateExact(const std::vector<SelectedVector>& keys, size_t count,
                                   uint32_t* groups) {
  const Vector& v = *keys[0].vector;
  const T* values = v.data<T>();
  const bool has_nulls = v.null_count() != 0;
  // First every row's slot is hashed and prefetched, so that the probes below, one cache miss
  // each in a large table, overlap instead of waiting in turn.
  if (hashes_.size() < count) hashes_.resize(count);
  ForEachSelected(keys[0].selection, count, [&](size_t i, size_t row) {
    hashes_[i] = Mix64(KeyBits(values[row]));
    const Partition& partition = PartitionOf(hashes_[i]);
    __builtin_prefetch(&partition.slots[hashes_[i] & partition.mask]);
  });
  ForEachSelected(keys[0].selection, count, [&](size_t i, size_t row) {
    if (has_nulls && !v.IsValid(row)) {
      hashes_[i] = kNullHash;
      if (null_group_ == kEmpty) null_group_ = AddGroup(keys, i, kNullHash);
      groups[i] = null_group_;
      return;
    }
    groups[i] = FindOrAdd(keys, i, hashes_[i], KeyBits(values[row]), [](uint32_t) { return true; });
  });
}

void GroupTable::FindOrCreateByCodes(const SelectedVector& key, size_t count, uint32_t* groups) {
  const StringDictionary& d = *key.vector->dictionary();
  // The distinct strings present, in order of first appearance (the order groups are numbered
  // in), looked up as keys themselves; then each row takes its string's group and hash.
  std::vector<uint32_t> slot_of_code(d.values.size(), kEmpty), present;
  ForEachSelected(key.selection, count, [&](size_t, size_t row) {
    const uint8_t code = d.codes[row];
    if (slot_of_code[code] == kEmpty) {
      slot_of_code[code] = static_cast<uint32_t>(present.size());
      present.push_back(code);
    }
  });
  std::vector<uint32_t> present_groups(present.size());
  FindOrCreate({SelectedVector{&d.values, present.data()}}, present.size(), present_groups.data());
  const std::vector<uint64_t> present_hashes(hashes_.begin(), hashes_.begin() + present.size());
  if (hashes_.size() < count) hashes_.resize(count);
  const uint8_t* codes = d.codes.data();  // locals: `groups` may alias the vectors' buffers
  const uint32_t* slots = slot_of_code.data();
  const uint32_t* found = present_groups.data();
  const uint64_t* found_hashes = present_hashes.data();
  uint64_t* hashes = hashes_.data();
  ForEachSelected(key.selection, count, [&](size_t i, size_t row) {
    const uint32_t at = slots[codes[row]];
    groups[i] = found[at];
    hashes[i] = found_hashes[at];
  });
}

void GroupTable::FindOrCreateHashed(const std::vector<SelectedVector>& keys, size_t count,
                                    uint32_t* groups) {
  HashRows(keys, count);
  for (size_t i = 0; i < count; ++i) {
    const uint64_t hash = hashes_[i];
    groups[i] = FindOrAdd(keys, i, hash, hash, [&](uint32_t g) { return Matches(keys, i, g); });
  }
}

void GroupTable::FindOrCreate(const std::vector<SelectedVector>& keys, size_t count,
                              uint32_t* groups) {
  assert(keys.size() == key_values_.size());
  if (keys.size() == 1 && keys[0].vector->dictionary() != nullptr &&
      keys[0].vector->null_count() == 0) {
    FindOrCreateByCodes(keys[0], count, groups);
  } else if (exact_tags_) {
    WithFixedType(key_values_[0].type(),
                  [&](auto type) { FindOrCreateExact<decltype(type)>(keys, count, groups); });
  } else {
    FindOrCreateHashed(keys, count, groups);
  }
  if (partition_mask_ == 0 && group_count_ >= split_at_) Split();
}

}  // namespace lake::sql
