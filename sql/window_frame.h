// A window function's frame (the rows of its partition an aggregate over it reads, relative to
// the current row), as the AST and the bound form both carry it.
// Thread-safety: value types.
#pragma once

#include <cstdint>

namespace lake::sql {

// One end of a frame.
struct FrameBound {
  enum class Kind { kUnboundedPreceding, kPreceding, kCurrentRow, kFollowing, kUnboundedFollowing };
  Kind kind = Kind::kCurrentRow;
  int64_t offset = 0;  // kPreceding, kFollowing: how many rows
};

// ROWS counts rows; RANGE's CURRENT ROW is the current row and its peers (rows equal to it in
// the window's ORDER BY; every row of the partition without one). The default frame is RANGE
// BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW. RANGE takes no offsets here.
struct WindowFrame {
  bool rows = false;
  FrameBound start{FrameBound::Kind::kUnboundedPreceding, 0};
  FrameBound end{FrameBound::Kind::kCurrentRow, 0};
};

}  // namespace lake::sql
