#include "common/batch.h"

#include <cassert>

namespace lake {

Batch::Batch(const Schema& schema) {
  columns_.reserve(schema.size());
  for (const Column& column : schema) {
    columns_.emplace_back(column.type);
    columns_.back().Reserve(kVectorSize);
  }
}

void Batch::Clear() {
  for (Vector& v : columns_) v.Clear();
}

void Batch::CopyFrom(const std::vector<Vector>& source, size_t offset, size_t count) {
  std::vector<const Vector*> pointers;
  pointers.reserve(source.size());
  for (const Vector& v : source) pointers.push_back(&v);
  CopyFrom(pointers, offset, count);
}

void Batch::CopyFrom(const std::vector<const Vector*>& source, size_t offset, size_t count) {
  assert(count <= kVectorSize && source.size() == columns_.size());
  for (size_t column_idx = 0; column_idx < columns_.size(); ++column_idx) {
    columns_[column_idx].Clear();
    columns_[column_idx].AppendRange(*source[column_idx], offset, count);
  }
}

}  // namespace lake
