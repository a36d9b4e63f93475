// IntegerConstants: the exact value of every integer constant of a statement, by its location in
// the text. libpg_query 15-4.0's JSON parse tree (what parser.cc reads) writes an integer
// constant's value only when it is positive: 0 and every negative constant (the grammar folds a
// unary minus into the number: -(62) is one constant) arrive as `"ival": {}`. The library's
// protobuf form of the same parse tree is exact, so the parser looks integer values up here.
// Thread-safety: a value type; Collect is reentrant (libpg_query keeps its state per thread).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/result.h"

namespace lake::sql {

class IntegerConstants {
 public:
  // Parses `statement` (one statement the JSON parse accepted) and gathers its integer constants.
  static Result<IntegerConstants> Collect(const std::string& statement);

  // The value of the integer constant at 0-based byte offset `location`, if there is one.
  std::optional<int64_t> At(int location) const;

 private:
  std::map<int, int64_t> by_location_;
};

}  // namespace lake::sql
