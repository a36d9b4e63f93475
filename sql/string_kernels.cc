// String kernels of the expression executor: ||, LOWER, UPPER, LENGTH, SUBSTRING, LIKE, ILIKE.
// Strings are UTF-8; character positions count code points (bytes that are not 10xxxxxx).
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "sql/expression_kernels.h"
#include "sql/like_matcher.h"

namespace lake::sql::internal {
namespace {

// LOWER/UPPER keep byte lengths, so a column's offsets are reused and its chars folded at once.
void FoldCase(bool upper, const Operand& x, const std::vector<uint64_t>& valid, size_t rows,
              Vector* out) {
  auto fold = [upper](std::string& s) {
    for (char& c : s) {
      if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
  };
  out->Clear();
  if (x.constant) {
    std::string s = x.constant->text;
    fold(s);
    for (size_t i = 0; i < rows; ++i) {
      if (BitAt(valid.data(), i)) {
        out->AppendString(s);
      } else {
        out->AppendNull();
      }
    }
    return;
  }
  bool same_validity = true;
  const std::vector<uint64_t>& in_valid = x.vector->validity_words();
  for (size_t w = 0; w < valid.size(); ++w) same_validity &= valid[w] == in_valid[w];
  if (!same_validity) {  // inactive rows became NULL: their slots must be empty strings
    for (size_t i = 0; i < rows; ++i) {
      if (BitAt(valid.data(), i)) {
        std::string s(x.vector->GetString(i));
        fold(s);
        out->AppendString(s);
      } else {
        out->AppendNull();
      }
    }
    return;
  }
  std::string chars = x.vector->chars();
  fold(chars);
  *out = Vector::FromBuffers(LogicalType::kVarchar, rows, valid, {}, x.vector->offsets(),
                             std::move(chars));
}

// PostgreSQL's substring(s from start [for count]) on characters: the result covers character
// positions [max(start, 1), start + count) (to the end without count), 1-based.
std::string_view Substring(std::string_view s, int64_t start, bool has_count, int64_t count) {
  int64_t end = std::numeric_limits<int64_t>::max();  // past the end when start + count overflows
  int64_t sum = 0;
  if (has_count && !__builtin_add_overflow(start, count, &sum)) {
    if (sum <= 1) return {};
    end = sum;
  }
  const int64_t from = std::max<int64_t>(start, 1);
  if (end <= from) return {};
  // Walk characters: byte offsets of character positions `from` and `end`.
  size_t pos = 0;
  int64_t ch = 1;
  while (ch < from && pos < s.size()) {
    ++pos;
    while (pos < s.size() && IsContinuation(s[pos])) ++pos;
    ++ch;
  }
  if (pos >= s.size()) return {};
  size_t stop = pos;
  while (ch < end && stop < s.size()) {
    ++stop;
    while (stop < s.size() && IsContinuation(s[stop])) ++stop;
    ++ch;
  }
  return s.substr(pos, stop - pos);
}

Status EvalLike(const BoundExpr& expr, const Operand& text, const Operand& pattern,
                const std::vector<uint64_t>& valid, size_t rows, Vector* out) {
  const bool fold = expr.op == ScalarOp::kILike;
  out->Resize(rows);
  uint8_t* o = out->mutable_data<uint8_t>();
  std::copy(valid.begin(), valid.end(), out->mutable_validity_words());
  if (pattern.constant) {
    if (!pattern.constant->is_null) {
      LikeMatcher matcher;
      Status status = LikeMatcher::Compile(pattern.constant->text, fold, &matcher);
      if (!status.ok()) return ErrorAt(status.message(), expr.location);
      if (text.constant) {
        std::fill(o, o + rows, matcher.Matches(text.constant->text) ? 1 : 0);
      } else if (const StringDictionary* d = text.vector->dictionary()) {
        std::vector<uint8_t> per_value(d->values.size());  // each distinct string once
        for (size_t v = 0; v < per_value.size(); ++v) {
          per_value[v] = matcher.Matches(d->values.GetString(v));
        }
        SpreadDictionaryAnswers(per_value, d->codes.data(), o, rows);
      } else {
        const uint32_t* off = text.vector->offsets().data();
        const char* chars = text.vector->chars().data();
        for (size_t i = 0; i < rows; ++i) {
          o[i] = matcher.Matches(std::string_view(chars + off[i], off[i + 1] - off[i]));
        }
      }
    }
  } else {
    for (size_t i = 0; i < rows; ++i) {
      if (!BitAt(valid.data(), i)) continue;
      LikeMatcher matcher;
      Status status = LikeMatcher::Compile(pattern.Str(i), fold, &matcher);
      if (!status.ok()) return ErrorAt(status.message(), expr.location);
      o[i] = matcher.Matches(text.Str(i));
    }
  }
  out->RecountNulls();
  return Status::OK();
}

}  // namespace

std::vector<uint64_t> ResultValidity(const Operand* args, size_t arg_count, const uint64_t* active,
                                     size_t rows) {
  std::vector<uint64_t> valid(WordCount(rows), ~uint64_t{0});
  for (size_t k = 0; k < arg_count; ++k) AndValidity(args[k], valid.data(), valid.size());
  AndMask(active, valid.data(), valid.size());
  if (rows % 64 != 0) valid.back() &= (uint64_t{1} << (rows % 64)) - 1;
  return valid;
}

Status EvalStringFunction(const BoundExpr& expr, const Operand* args, size_t arg_count,
                          const uint64_t* active, size_t rows, Vector* out) {
  const std::vector<uint64_t> valid = ResultValidity(args, arg_count, active, rows);
  switch (expr.op) {
    case ScalarOp::kLike:
    case ScalarOp::kILike:
      return EvalLike(expr, args[0], args[1], valid, rows, out);
    case ScalarOp::kLower:
    case ScalarOp::kUpper:
      FoldCase(expr.op == ScalarOp::kUpper, args[0], valid, rows, out);
      return Status::OK();
    case ScalarOp::kLength: {
      out->Resize(rows);
      int64_t* o = out->mutable_data<int64_t>();
      std::copy(valid.begin(), valid.end(), out->mutable_validity_words());
      for (size_t i = 0; i < rows; ++i) {
        int64_t n = 0;
        for (char c : args[0].Str(i)) n += !IsContinuation(c);
        o[i] = n;
      }
      out->RecountNulls();
      return Status::OK();
    }
    case ScalarOp::kConcat: {
      out->Clear();
      std::string joined;
      for (size_t i = 0; i < rows; ++i) {
        if (!BitAt(valid.data(), i)) {
          out->AppendNull();
          continue;
        }
        joined.assign(args[0].Str(i));
        joined.append(args[1].Str(i));
        out->AppendString(joined);
      }
      return Status::OK();
    }
    case ScalarOp::kSubstring: {
      const bool has_count = arg_count > 2;
      const int64_t* start = args[1].Data<int64_t>();
      const int64_t* count = has_count ? args[2].Data<int64_t>() : nullptr;
      const size_t sm = args[1].IndexMask(), cm = has_count ? args[2].IndexMask() : 0;
      out->Clear();
      for (size_t i = 0; i < rows; ++i) {
        if (!BitAt(valid.data(), i)) {
          out->AppendNull();
          continue;
        }
        const int64_t n = has_count ? count[i & cm] : 0;
        if (n < 0) return ErrorAt("negative substring length not allowed", expr.location);
        out->AppendString(Substring(args[0].Str(i), start[i & sm], has_count, n));
      }
      return Status::OK();
    }
    default:
      return Status::InvalidArgument("internal: unknown scalar op " +
                                     std::to_string(static_cast<int>(expr.op)));
  }
}

}  // namespace lake::sql::internal
