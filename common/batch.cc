#include "common/batch.h"

#include <algorithm>
#include <cassert>

namespace lake {

Batch::Batch(const Schema& schema) {
  columns_.reserve(schema.size());
  for (const Column& column : schema) {
    columns_.emplace_back(column.type);
    columns_.back().Reserve(kVectorSize);
  }
}

ColumnPieces CutIntoPieces(const Vector& column) {
  ColumnPieces pieces;
  for (size_t offset = 0; offset < column.size(); offset += kVectorSize) {
    const size_t count = std::min(kVectorSize, column.size() - offset);
    pieces.emplace_back(column.type());
    pieces.back().AppendRange(column, offset, count);
  }
  return pieces;
}

void Batch::Clear() {
  borrowed_.clear();
  for (Vector& v : columns_) v.Clear();
}

void Batch::CopyFrom(const std::vector<Vector>& source, size_t offset, size_t count) {
  assert(count <= kVectorSize && source.size() == columns_.size());
  borrowed_.clear();
  for (size_t column_idx = 0; column_idx < columns_.size(); ++column_idx) {
    columns_[column_idx].Clear();
    columns_[column_idx].AppendRange(source[column_idx], offset, count);
  }
}

void Batch::Borrow(std::vector<const Vector*> columns) {
  assert(columns.size() == columns_.size());
  borrowed_ = std::move(columns);
}

}  // namespace lake
