#include "sql/like_matcher.h"

#include <cstring>

namespace lake::sql {
namespace {

char Fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

template <bool kFold>
bool EqualAt(std::string_view text, size_t pos, std::string_view needle) {
  if (pos + needle.size() > text.size()) return false;
  if constexpr (!kFold) {
    return std::memcmp(text.data() + pos, needle.data(), needle.size()) == 0;
  } else {
    for (size_t i = 0; i < needle.size(); ++i) {
      if (Fold(text[pos + i]) != needle[i]) return false;
    }
    return true;
  }
}

template <bool kFold>
bool Contains(std::string_view text, std::string_view needle) {
  if constexpr (!kFold) {
    return text.find(needle) != std::string_view::npos;
  } else {
    if (needle.size() > text.size()) return false;
    for (size_t pos = 0; pos + needle.size() <= text.size(); ++pos) {
      if (EqualAt<true>(text, pos, needle)) return true;
    }
    return false;
  }
}

// Bytes in the UTF-8 character starting with `lead` (1 for stray continuation bytes).
size_t CharLength(unsigned char lead) {
  if (lead < 0xC0) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

}  // namespace

Status LikeMatcher::Compile(std::string_view pattern, bool case_insensitive, LikeMatcher* out) {
  *out = LikeMatcher();
  out->fold_ = case_insensitive;
  std::vector<Element>& elements = out->elements_;
  bool any_one = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '%') {
      if (elements.empty() || elements.back().kind != Element::Kind::kAnySequence) {
        elements.push_back({Element::Kind::kAnySequence, {}});
      }
      continue;
    }
    if (c == '_') {
      elements.push_back({Element::Kind::kAnyOne, {}});
      any_one = true;
      continue;
    }
    if (c == '\\') {
      if (++i == pattern.size()) {
        return Status::InvalidArgument("LIKE pattern must not end with escape character");
      }
      c = pattern[i];
    }
    if (case_insensitive) c = Fold(c);
    if (elements.empty() || elements.back().kind != Element::Kind::kLiteral) {
      elements.push_back({Element::Kind::kLiteral, {}});
    }
    elements.back().literal.push_back(c);
  }
  // Classify the shapes with at most one literal and no '_'.
  using K = Element::Kind;
  const size_t n = elements.size();
  out->shape_ = Shape::kGeneral;
  if (any_one) return Status::OK();
  if (n == 0) {
    out->shape_ = Shape::kExact;
  } else if (n == 1 && elements[0].kind == K::kLiteral) {
    out->shape_ = Shape::kExact;
    out->needle_ = elements[0].literal;
  } else if (n == 1) {
    out->shape_ = Shape::kContains;  // '%': everything
  } else if (n == 2 && elements[0].kind == K::kLiteral) {
    out->shape_ = Shape::kPrefix;
    out->needle_ = elements[0].literal;
  } else if (n == 2) {
    out->shape_ = Shape::kSuffix;
    out->needle_ = elements[1].literal;
  } else if (n == 3 && elements[1].kind == K::kLiteral) {
    out->shape_ = Shape::kContains;
    out->needle_ = elements[1].literal;
  }
  return Status::OK();
}

bool LikeMatcher::Matches(std::string_view text) const {
  switch (shape_) {
    case Shape::kExact:
      return text.size() == needle_.size() &&
             (fold_ ? EqualAt<true>(text, 0, needle_) : EqualAt<false>(text, 0, needle_));
    case Shape::kPrefix:
      return fold_ ? EqualAt<true>(text, 0, needle_) : EqualAt<false>(text, 0, needle_);
    case Shape::kSuffix: {
      if (text.size() < needle_.size()) return false;
      const size_t pos = text.size() - needle_.size();
      return fold_ ? EqualAt<true>(text, pos, needle_) : EqualAt<false>(text, pos, needle_);
    }
    case Shape::kContains:
      return fold_ ? Contains<true>(text, needle_) : Contains<false>(text, needle_);
    case Shape::kGeneral:
      return MatchGeneral(text);
  }
  return false;
}

// Glob matching with backtracking to the last '%' only, which is exact for '%'/'_' patterns:
// a later '%' can absorb whatever an earlier one would have. Text advances by characters when
// '_' or a '%' retry consumes input, so literals are always compared at character boundaries.
bool LikeMatcher::MatchGeneral(std::string_view text) const {
  size_t e = 0, pos = 0;
  size_t star_e = std::string::npos, star_pos = 0;
  while (true) {
    if (e == elements_.size() && pos == text.size()) return true;
    bool advanced = false;
    if (e < elements_.size()) {
      const Element& el = elements_[e];
      if (el.kind == Element::Kind::kAnySequence) {
        star_e = ++e;
        star_pos = pos;
        continue;
      }
      if (el.kind == Element::Kind::kAnyOne) {
        if (pos < text.size()) {
          pos += CharLength(static_cast<unsigned char>(text[pos]));
          if (pos > text.size()) pos = text.size();
          ++e;
          advanced = true;
        }
      } else if (fold_ ? EqualAt<true>(text, pos, el.literal)
                       : EqualAt<false>(text, pos, el.literal)) {
        pos += el.literal.size();
        ++e;
        advanced = true;
      }
    }
    if (advanced) continue;
    // Mismatch: let the last '%' absorb one more character, or fail.
    if (star_e == std::string::npos || star_pos >= text.size()) return false;
    star_pos += CharLength(static_cast<unsigned char>(text[star_pos]));
    if (star_pos > text.size()) star_pos = text.size();
    e = star_e;
    pos = star_pos;
  }
}

}  // namespace lake::sql
