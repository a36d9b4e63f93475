#include "sql/hash_join.h"

#include <algorithm>

#include "common/batch.h"

namespace lake::sql {

HashJoinTable::HashJoinTable(const std::vector<Vector>& keys, size_t rows) : rows_(rows) {
  if (keys.empty()) {
    starts_ = {0, static_cast<uint32_t>(rows)};
    rows_of_.resize(rows);
    for (size_t r = 0; r < rows; ++r) rows_of_[r] = static_cast<uint32_t>(r);
    return;
  }
  std::vector<LogicalType> types;
  for (const Vector& k : keys) types.push_back(k.type());
  groups_.emplace(types);
  // The rows whose keys are all non-NULL, a vector at a time, into their groups.
  std::vector<uint32_t> group_of(rows, GroupTable::kNone);
  std::vector<uint32_t> selection, groups;
  std::vector<SelectedVector> views(keys.size());
  for (size_t first = 0; first < rows; first += kVectorSize) {
    const size_t last = std::min(rows, first + kVectorSize);
    selection.clear();
    for (size_t r = first; r < last; ++r) {
      bool valid = true;
      for (const Vector& k : keys) valid &= k.null_count() == 0 || k.IsValid(r);
      if (valid) selection.push_back(static_cast<uint32_t>(r));
    }
    if (selection.empty()) continue;
    for (size_t k = 0; k < keys.size(); ++k) views[k] = SelectedVector{&keys[k], selection.data()};
    groups.resize(selection.size());
    groups_->FindOrCreate(views, selection.size(), groups.data());
    for (size_t i = 0; i < selection.size(); ++i) group_of[selection[i]] = groups[i];
  }
  // Counting sort of the rows by group: each group's rows contiguous, in row order.
  starts_.assign(groups_->size() + 1, 0);
  for (uint32_t g : group_of) {
    if (g != GroupTable::kNone) ++starts_[g + 1];
  }
  for (size_t g = 0; g < groups_->size(); ++g) starts_[g + 1] += starts_[g];
  rows_of_.resize(starts_.back());
  std::vector<uint32_t> fill(starts_.begin(), starts_.end() - 1);
  for (size_t r = 0; r < rows; ++r) {
    if (group_of[r] != GroupTable::kNone) rows_of_[fill[group_of[r]]++] = static_cast<uint32_t>(r);
  }
}

void HashJoinTable::Probe(const std::vector<SelectedVector>& keys, size_t count, Scratch* scratch,
                          std::vector<uint32_t>* probe_rows,
                          std::vector<uint32_t>* build_rows) const {
  if (scratch->groups.size() < count) scratch->groups.resize(count);
  uint32_t* groups = scratch->groups.data();
  if (groups_) {
    groups_->Find(keys, count, groups, &scratch->hashes);
  } else {
    std::fill(groups, groups + count, 0);
  }
  // Sized first, then filled through raw pointers: the loop is a plain copy per match.
  size_t matches = 0;
  for (size_t i = 0; i < count; ++i) {
    if (groups[i] != GroupTable::kNone) matches += starts_[groups[i] + 1] - starts_[groups[i]];
  }
  const size_t at = probe_rows->size();
  probe_rows->resize(at + matches);
  build_rows->resize(at + matches);
  uint32_t* p = probe_rows->data() + at;
  uint32_t* b = build_rows->data() + at;
  const uint32_t* starts = starts_.data();
  const uint32_t* rows_of = rows_of_.data();
  for (size_t i = 0; i < count; ++i) {
    const uint32_t g = groups[i];
    if (g == GroupTable::kNone) continue;
    for (uint32_t k = starts[g]; k < starts[g + 1]; ++k) {
      *p++ = static_cast<uint32_t>(i);
      *b++ = rows_of[k];
    }
  }
}

}  // namespace lake::sql
