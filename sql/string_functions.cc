// More string kernels of the expression executor: STRPOS/POSITION, REPLACE, BTRIM/LTRIM/RTRIM
// and SPLIT_PART, with PostgreSQL's answers. Strings are UTF-8; positions and the characters
// a trim removes are code points.
#include <string>
#include <string_view>
#include <vector>

#include "sql/expression_kernels.h"

namespace lake::sql::internal {
namespace {

// The length in bytes of the character starting at s[pos].
size_t CharLength(std::string_view s, size_t pos) {
  size_t end = pos + 1;
  while (end < s.size() && IsContinuation(s[end])) ++end;
  return end - pos;
}

// 1-based character position of the first `needle` in `text`, 0 if none (1 for an empty needle).
int64_t Strpos(std::string_view text, std::string_view needle) {
  const size_t at = text.find(needle);
  if (at == std::string_view::npos) return 0;
  int64_t chars = 1;
  for (size_t i = 0; i < at; ++i) chars += !IsContinuation(text[i]);
  return chars;
}

void Replace(std::string_view text, std::string_view from, std::string_view to, std::string* out) {
  out->clear();
  if (from.empty()) {
    out->assign(text);
    return;
  }
  size_t pos = 0;
  for (size_t at = text.find(from); at != std::string_view::npos; at = text.find(from, pos)) {
    out->append(text.substr(pos, at - pos));
    out->append(to);
    pos = at + from.size();
  }
  out->append(text.substr(pos));
}

// Whether the character `c` is one of the characters of `set`.
bool InSet(std::string_view c, std::string_view set) {
  for (size_t i = 0; i < set.size();) {
    const size_t n = CharLength(set, i);
    if (set.substr(i, n) == c) return true;
    i += n;
  }
  return false;
}

std::string_view Trim(std::string_view text, std::string_view set, bool left, bool right) {
  size_t begin = 0, end = text.size();
  while (left && begin < end) {
    const size_t n = CharLength(text, begin);
    if (!InSet(text.substr(begin, n), set)) break;
    begin += n;
  }
  while (right && end > begin) {
    size_t start = end - 1;
    while (start > begin && IsContinuation(text[start])) --start;
    if (!InSet(text.substr(start, end - start), set)) break;
    end = start;
  }
  return text.substr(begin, end - begin);
}

// Field `field` (1-based; negative counts from the end) of `text` cut at `delimiter`; empty past
// the last field. An empty delimiter leaves the whole text as the one field.
std::string_view SplitPart(std::string_view text, std::string_view delimiter, int64_t field) {
  std::vector<std::string_view> fields;
  if (delimiter.empty()) {
    fields.push_back(text);
  } else {
    size_t pos = 0;
    for (size_t at = text.find(delimiter); at != std::string_view::npos;
         at = text.find(delimiter, pos)) {
      fields.push_back(text.substr(pos, at - pos));
      pos = at + delimiter.size();
    }
    fields.push_back(text.substr(pos));
  }
  const int64_t n = static_cast<int64_t>(fields.size());
  if (field > n || field < -n) return {};
  return fields[field > 0 ? field - 1 : n + field];
}

}  // namespace

Status EvalTextFunction(const BoundExpr& expr, const Operand* args, size_t arg_count,
                        const uint64_t* active, size_t rows, Vector* out) {
  const std::vector<uint64_t> valid = ResultValidity(args, arg_count, active, rows);
  if (expr.op == ScalarOp::kStrpos) {
    out->Resize(rows);
    int64_t* o = out->mutable_data<int64_t>();
    std::copy(valid.begin(), valid.end(), out->mutable_validity_words());
    for (size_t i = 0; i < rows; ++i) {
      if (BitAt(valid.data(), i)) o[i] = Strpos(args[0].Str(i), args[1].Str(i));
    }
    out->RecountNulls();
    return Status::OK();
  }
  out->Clear();
  std::string scratch;
  for (size_t i = 0; i < rows; ++i) {
    if (!BitAt(valid.data(), i)) {
      out->AppendNull();
      continue;
    }
    const std::string_view text = args[0].Str(i);
    switch (expr.op) {
      case ScalarOp::kReplace:
        Replace(text, args[1].Str(i), args[2].Str(i), &scratch);
        out->AppendString(scratch);
        break;
      case ScalarOp::kBTrim:
      case ScalarOp::kLTrim:
      case ScalarOp::kRTrim: {
        const std::string_view set = arg_count > 1 ? args[1].Str(i) : std::string_view(" ");
        out->AppendString(Trim(text, set, expr.op != ScalarOp::kRTrim,
                               expr.op != ScalarOp::kLTrim));
        break;
      }
      case ScalarOp::kSplitPart: {
        const int64_t field = args[2].Data<int64_t>()[i & args[2].IndexMask()];
        if (field == 0) return ErrorAt("field position must not be zero", expr.location);
        out->AppendString(SplitPart(text, args[1].Str(i), field));
        break;
      }
      default:
        return Status::InvalidArgument("internal: unknown text op " +
                                       std::to_string(static_cast<int>(expr.op)));
    }
  }
  return Status::OK();
}

}  // namespace lake::sql::internal
