// Batch: the unit of vectorised execution, a set of equally long Vectors of at most kVectorSize
// rows (DuckDB's DataChunk). A batch owns its Vectors, or borrows them: a scan reads a chunk's
// columns cut into kVectorSize-row pieces (ColumnPieces) and lends each piece to a batch without
// copying it.
// Thread-safety: not thread-safe.
#pragma once

#include <cassert>
#include <cstddef>
#include <memory>
#include <vector>

#include "common/logical_type.h"
#include "common/vector.h"

namespace lake {

inline constexpr size_t kVectorSize = 2048;
static_assert((kVectorSize & (kVectorSize - 1)) == 0, "kVectorSize must be a power of two");

// A column cut at kVectorSize-row boundaries: piece i holds rows [i * kVectorSize, ...).
using ColumnPieces = std::vector<Vector>;
// With `dictionaries`, VARCHAR pieces whose strings repeat also get their dictionary form
// (StringDictionary): worth its cost when the pieces are kept for many scans.
ColumnPieces CutIntoPieces(const Vector& column, bool dictionaries);
// The dictionary form of VARCHAR `v` (at most kVectorSize rows), or null when its strings do not
// repeat enough to pay for one.
std::shared_ptr<const StringDictionary> BuildDictionary(const Vector& v);

class Batch {
 public:
  explicit Batch(const Schema& schema);

  size_t rows() const { return columns_.empty() ? 0 : column(0).size(); }
  size_t column_count() const { return columns_.size(); }
  const Vector& column(size_t column_idx) const {
    return borrowed_.empty() ? columns_[column_idx] : *borrowed_[column_idx];
  }
  // REQUIRES: the batch is not borrowing.
  Vector& column(size_t column_idx) {
    assert(borrowed_.empty());
    return columns_[column_idx];
  }

  void Clear();
  // Replaces the contents with rows [offset, offset + count) of `source` (one Vector per column).
  // REQUIRES: count <= kVectorSize; source types match this batch's schema.
  void CopyFrom(const std::vector<Vector>& source, size_t offset, size_t count);
  // Makes the batch a view of `columns` (one per schema column, of its types, equally long, at
  // most kVectorSize rows), which must stay alive and unchanged while the batch is read. Clear
  // and CopyFrom end the view.
  void Borrow(std::vector<const Vector*> columns);

 private:
  std::vector<Vector> columns_;
  std::vector<const Vector*> borrowed_;  // non-empty: the view
};

}  // namespace lake
