// LikeMatcher: a compiled SQL LIKE / ILIKE pattern. '%' matches any sequence, '_' exactly one
// UTF-8 character, '\' makes the next pattern character literal; the whole string must match.
// ILIKE folds ASCII letters only. Constant patterns of the common shapes ('abc', 'abc%', '%abc',
// '%abc%') match with a single comparison or search; others by a backtracking scan.
// Thread-safety: immutable after Compile; Matches is const.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lake::sql {

class LikeMatcher {
 public:
  // Compiles `pattern`; a trailing lone escape is InvalidArgument (as in PostgreSQL).
  static Status Compile(std::string_view pattern, bool case_insensitive, LikeMatcher* out);

  bool Matches(std::string_view text) const;

 private:
  enum class Shape { kExact, kPrefix, kSuffix, kContains, kGeneral };
  struct Element {
    enum class Kind { kLiteral, kAnyOne, kAnySequence } kind;
    std::string literal;  // kLiteral, folded when case-insensitive
  };

  bool MatchGeneral(std::string_view text) const;

  // Immutable after construction
  bool fold_ = false;
  Shape shape_ = Shape::kGeneral;
  std::string needle_;  // the literal of the simple shapes (folded for ILIKE)
  std::vector<Element> elements_;
};

}  // namespace lake::sql
