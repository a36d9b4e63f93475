// TypeInferrer: decides one column's LogicalType from every value in it. It starts from "any
// type" and narrows with each non-empty field, so the answer holds for the whole file: a late 3.5
// widens BIGINT to DOUBLE, a late "abc" makes the column VARCHAR. Empty fields are NULL and do not
// vote. Lattice: BIGINT < DOUBLE; DATE < TIMESTAMP; BOOLEAN alone; any other mix is VARCHAR, and
// so is a column of only NULLs.
// Thread-safety: not thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/logical_type.h"
#include "common/vector.h"

namespace lake::store {

class TypeInferrer {
 public:
  void Observe(std::string_view field);
  LogicalType Result() const;

 private:
  enum : uint8_t {
    kInt = 1,
    kFloat = 2,
    kBool = 4,
    kDate = 8,
    kTimestamp = 16,
    kAny = 31,
  };
  uint8_t candidates_ = kAny;
  bool seen_value_ = false;
};

// Converts `field` to `type` and appends it to `out` (an empty field appends NULL). Returns false
// if the text does not parse as `type`, which cannot happen for text the column's inferrer saw.
bool AppendParsed(std::string_view field, LogicalType type, Vector* out);

}  // namespace lake::store
