#include "sql/group_table.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <functional>
#include <string_view>
#include <vector>

#include "sql/key_bits.h"

namespace lake::sql {
namespace {

constexpr uint64_t kNullHash = 0x9e3779b97f4a7c15ULL;

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
    : exact_tags_(key_types.size() == 1 && key_types[0] != LogicalType::kVarchar) {
  for (LogicalType t : key_types) key_values_.emplace_back(t);
  slots_.assign(1024, Slot{0, kEmpty});
  mask_ = slots_.size() - 1;
}

void GroupTable::HashRows(const std::vector<SelectedVector>& keys, size_t count) {
  if (hashes_.size() < count) hashes_.resize(count);
  std::fill(hashes_.begin(), hashes_.begin() + count, 0);
  for (const SelectedVector& key : keys) {
    switch (key.vector->type()) {
      case LogicalType::kBigInt:
      case LogicalType::kTimestamp:
        HashFixed<int64_t>(key, count, hashes_.data());
        break;
      case LogicalType::kDouble:
        HashFixed<double>(key, count, hashes_.data());
        break;
      case LogicalType::kDate:
        HashFixed<int32_t>(key, count, hashes_.data());
        break;
      case LogicalType::kBoolean:
        HashFixed<uint8_t>(key, count, hashes_.data());
        break;
      case LogicalType::kVarchar:
        HashStrings(key, count, hashes_.data());
        break;
    }
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

uint32_t GroupTable::AddGroup(const std::vector<SelectedVector>& keys, size_t i) {
  for (size_t k = 0; k < keys.size(); ++k) {
    key_values_[k].AppendRange(*keys[k].vector, keys[k].Row(i), 1);
  }
  return static_cast<uint32_t>(group_count_++);
}

void GroupTable::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.size() * 2, Slot{0, kEmpty});
  mask_ = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.group == kEmpty) continue;
    size_t at = (exact_tags_ ? Mix64(slot.tag) : slot.tag) & mask_;
    while (slots_[at].group != kEmpty) at = (at + 1) & mask_;
    slots_[at] = slot;
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
    __builtin_prefetch(&slots_[hashes_[i] & mask_]);
  });
  ForEachSelected(keys[0].selection, count, [&](size_t i, size_t row) {
    if (has_nulls && !v.IsValid(row)) {
      if (null_group_ == kEmpty) null_group_ = AddGroup(keys, i);
      groups[i] = null_group_;
      return;
    }
    const uint64_t bits = KeyBits(values[row]);
    size_t at = hashes_[i] & mask_;
    while (true) {
      Slot& slot = slots_[at];
      if (slot.group == kEmpty) {
        slot = Slot{bits, AddGroup(keys, i)};
        groups[i] = slot.group;
        if (2 * group_count_ > slots_.size()) Grow();
        return;
      }
      if (slot.tag == bits) {
        groups[i] = slot.group;
        return;
      }
      at = (at + 1) & mask_;
    }
  });
}

void GroupTable::FindOrCreateByCodes(const SelectedVector& key, size_t count, uint32_t* groups) {
  const StringDictionary& d = *key.vector->dictionary();
  // The distinct strings present, in order of first appearance (the order groups are numbered
  // in), looked up as keys themselves; then each row takes its string's group.
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
  const uint8_t* codes = d.codes.data();  // locals: `groups` may alias the vectors' buffers
  const uint32_t* slots = slot_of_code.data();
  const uint32_t* found = present_groups.data();
  ForEachSelected(key.selection, count,
                  [&](size_t i, size_t row) { groups[i] = found[slots[codes[row]]]; });
}

void GroupTable::FindOrCreate(const std::vector<SelectedVector>& keys, size_t count,
                              uint32_t* groups) {
  assert(keys.size() == key_values_.size());
  if (keys.size() == 1 && keys[0].vector->dictionary() != nullptr &&
      keys[0].vector->null_count() == 0) {
    return FindOrCreateByCodes(keys[0], count, groups);
  }
  if (exact_tags_) {
    switch (key_values_[0].type()) {
      case LogicalType::kDouble:
        return FindOrCreateExact<double>(keys, count, groups);
      case LogicalType::kDate:
        return FindOrCreateExact<int32_t>(keys, count, groups);
      case LogicalType::kBoolean:
        return FindOrCreateExact<uint8_t>(keys, count, groups);
      default:
        return FindOrCreateExact<int64_t>(keys, count, groups);
    }
  }
  HashRows(keys, count);
  for (size_t i = 0; i < count; ++i) {
    const uint64_t hash = hashes_[i];
    size_t at = hash & mask_;
    while (true) {
      Slot& slot = slots_[at];
      if (slot.group == kEmpty) {
        slot = Slot{hash, AddGroup(keys, i)};
        groups[i] = slot.group;
        if (2 * group_count_ > slots_.size()) Grow();
        break;
      }
      if (slot.tag == hash && Matches(keys, i, slot.group)) {
        groups[i] = slot.group;
        break;
      }
      at = (at + 1) & mask_;
    }
  }
}

}  // namespace lake::sql
