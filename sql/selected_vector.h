// SelectedVector: a Vector read through an optional selection vector, so that operators can
// consume the rows a filter kept without copying them out first (DuckDB's SelectionVector).
// Logical row i is physical row selection[i], or row i itself when there is no selection.
// Thread-safety: a view; the Vector and the selection must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/vector.h"

namespace lake::sql {

struct SelectedVector {
  const Vector* vector = nullptr;
  const uint32_t* selection = nullptr;  // nullptr: the identity

  size_t Row(size_t i) const { return selection != nullptr ? selection[i] : i; }
};

// Calls body(i, row) for i in [0, count), row the physical row of logical row i. The selection
// test is hoisted out of the loop so each case compiles to a tight loop.
template <class Body>
inline void ForEachSelected(const uint32_t* selection, size_t count, Body&& body) {
  if (selection == nullptr) {
    for (size_t i = 0; i < count; ++i) body(i, i);
  } else {
    for (size_t i = 0; i < count; ++i) body(i, static_cast<size_t>(selection[i]));
  }
}

}  // namespace lake::sql
