// Batch: the unit of vectorised execution, a set of equally long Vectors of at most kVectorSize
// rows (DuckDB's DataChunk). Chunks are decoded into full-length Vectors and read as Batches.
// Thread-safety: not thread-safe.
#pragma once

#include <cstddef>
#include <vector>

#include "common/logical_type.h"
#include "common/vector.h"

namespace lake {

inline constexpr size_t kVectorSize = 2048;
static_assert((kVectorSize & (kVectorSize - 1)) == 0, "kVectorSize must be a power of two");

class Batch {
 public:
  explicit Batch(const Schema& schema);

  size_t rows() const { return columns_.empty() ? 0 : columns_[0].size(); }
  size_t column_count() const { return columns_.size(); }
  const Vector& column(size_t column_idx) const { return columns_[column_idx]; }
  Vector& column(size_t column_idx) { return columns_[column_idx]; }

  void Clear();
  // Replaces the contents with rows [offset, offset + count) of `source` (one Vector per column).
  // REQUIRES: count <= kVectorSize; source types match this batch's schema.
  void CopyFrom(const std::vector<Vector>& source, size_t offset, size_t count);
  // The same from Vectors held elsewhere (e.g. shared with a cache).
  void CopyFrom(const std::vector<const Vector*>& source, size_t offset, size_t count);

 private:
  std::vector<Vector> columns_;
};

}  // namespace lake
