// CAST kernels of the expression executor. Text is parsed by common/value_parse.h after trimming
// ASCII whitespace, and printed as sql::Value::ToString prints it.
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "common/value_parse.h"
#include "sql/expression_kernels.h"

namespace lake::sql::internal {
namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000;

// PostgreSQL's spelling of the type in error messages.
std::string_view PgTypeName(LogicalType type) {
  switch (type) {
    case LogicalType::kBigInt:
      return "bigint";
    case LogicalType::kDouble:
      return "double precision";
    case LogicalType::kBoolean:
      return "boolean";
    case LogicalType::kVarchar:
      return "character varying";
    case LogicalType::kDate:
      return "date";
    case LogicalType::kTimestamp:
      return "timestamp";
  }
  return "";
}

std::string_view TrimSpaces(std::string_view s) {
  auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool LooksLikeInteger(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Parses `text` as `type` into its physical slot.
Status ParseText(std::string_view text, LogicalType type, int location, uint8_t* slot) {
  const std::string_view t = TrimSpaces(text);
  bool ok = false;
  switch (type) {
    case LogicalType::kBigInt: {
      int64_t v = 0;
      ok = ParseBigInt(t, &v);
      if (!ok && LooksLikeInteger(t)) {
        return ErrorAt("value \"" + std::string(text) + "\" is out of range for type bigint",
                       location);
      }
      std::memcpy(slot, &v, 8);
      break;
    }
    case LogicalType::kDouble: {
      double v = 0;
      ok = ParseDouble(t, &v);
      std::memcpy(slot, &v, 8);
      break;
    }
    case LogicalType::kBoolean: {
      bool v = false;
      ok = ParseBoolean(t, &v);
      *slot = v ? 1 : 0;
      break;
    }
    case LogicalType::kDate: {
      int32_t v = 0;
      ok = ParseDate(t, &v);
      std::memcpy(slot, &v, 4);
      break;
    }
    case LogicalType::kTimestamp: {
      int64_t v = 0;
      ok = ParseTimestamp(t, &v);
      std::memcpy(slot, &v, 8);
      break;
    }
    case LogicalType::kVarchar:
      ok = true;
      break;
  }
  if (ok) return Status::OK();
  return ErrorAt("invalid input syntax for type " + std::string(PgTypeName(type)) + ": \"" +
                     std::string(text) + "\"",
                 location);
}

void AppendText(const Operand& x, size_t row, std::string* buf) {
  buf->clear();
  switch (x.type) {
    case LogicalType::kBigInt: {
      char digits[24];
      auto res =
          std::to_chars(digits, digits + sizeof(digits), x.Data<int64_t>()[row & x.IndexMask()]);
      buf->assign(digits, res.ptr);
      break;
    }
    case LogicalType::kDouble:
      *buf = FormatDouble(x.Data<double>()[row & x.IndexMask()]);
      break;
    case LogicalType::kBoolean:
      *buf = x.Data<uint8_t>()[row & x.IndexMask()] ? "true" : "false";
      break;
    case LogicalType::kDate:
      *buf = FormatDate(x.Data<int32_t>()[row & x.IndexMask()]);
      break;
    case LogicalType::kTimestamp:
      *buf = FormatTimestamp(x.Data<int64_t>()[row & x.IndexMask()]);
      break;
    case LogicalType::kVarchar:
      buf->assign(x.Str(row));
      break;
  }
}

// A fixed-width to fixed-width conversion, row by row over the valid rows: fn(in, &out) -> ok.
template <class From, class To, class Fn>
bool ConvertFixed(const Operand& x, const uint64_t* valid, size_t rows, Vector* out, Fn fn) {
  const From* in = x.Data<From>();
  const size_t m = x.IndexMask();
  To* o = out->mutable_data<To>();
  for (size_t i = 0; i < rows; ++i) {
    if (!fn(in[i & m], &o[i]) && BitAt(valid, i)) return false;
  }
  return true;
}

}  // namespace

Status EvalCast(const BoundExpr& expr, const Operand& x, const uint64_t* active, size_t rows,
                Vector* out) {
  const LogicalType to = expr.type, from = x.type;
  std::vector<uint64_t> valid(WordCount(rows), ~uint64_t{0});
  AndValidity(x, valid.data(), valid.size());
  AndMask(active, valid.data(), valid.size());
  if (rows % 64 != 0) valid.back() &= (uint64_t{1} << (rows % 64)) - 1;

  if (to == LogicalType::kVarchar) {
    out->Clear();
    std::string buf;
    for (size_t i = 0; i < rows; ++i) {
      if (!BitAt(valid.data(), i)) {
        out->AppendNull();
        continue;
      }
      AppendText(x, i, &buf);
      out->AppendString(buf);
    }
    return Status::OK();
  }
  out->Resize(rows);
  std::copy(valid.begin(), valid.end(), out->mutable_validity_words());
  const int location = expr.location;
  bool ok = true;
  std::string_view what = "bigint out of range";
  using L = LogicalType;
  if (from == L::kVarchar) {
    const size_t width = FixedWidth(to);
    uint8_t* o = out->mutable_fixed_bytes();
    for (size_t i = 0; i < rows; ++i) {
      if (!BitAt(valid.data(), i)) continue;
      Status status = ParseText(x.Str(i), to, location, o + i * width);
      if (!status.ok()) return status;
    }
  } else if (from == to) {
    const size_t width = FixedWidth(to);
    uint8_t* o = out->mutable_fixed_bytes();
    const uint8_t* in = x.Bytes();
    if (x.constant) {
      for (size_t i = 0; i < rows; ++i) std::memcpy(o + i * width, in, width);
    } else {
      std::memcpy(o, in, rows * width);
    }
  } else if (from == L::kDouble && to == L::kBigInt) {
    ok = ConvertFixed<double, int64_t>(x, valid.data(), rows, out, [](double v, int64_t* r) {
      const double rounded = std::nearbyint(v);  // default rounding mode: half to even
      const bool in_range = rounded >= -9223372036854775808.0 && rounded < 9223372036854775808.0;
      *r = in_range ? static_cast<int64_t>(rounded) : 0;
      return in_range;
    });
  } else if (from == L::kBigInt && to == L::kDouble) {
    ConvertFixed<int64_t, double>(x, valid.data(), rows, out, [](int64_t v, double* r) {
      *r = static_cast<double>(v);
      return true;
    });
  } else if (from == L::kBoolean && to == L::kBigInt) {
    ConvertFixed<uint8_t, int64_t>(x, valid.data(), rows, out, [](uint8_t v, int64_t* r) {
      *r = v;
      return true;
    });
  } else if (from == L::kBigInt && to == L::kBoolean) {
    ConvertFixed<int64_t, uint8_t>(x, valid.data(), rows, out, [](int64_t v, uint8_t* r) {
      *r = v != 0;
      return true;
    });
  } else if (from == L::kDate && to == L::kTimestamp) {
    what = "timestamp out of range";
    ok = ConvertFixed<int32_t, int64_t>(x, valid.data(), rows, out, [](int32_t v, int64_t* r) {
      return !__builtin_mul_overflow(static_cast<int64_t>(v), kMicrosPerDay, r);
    });
  } else if (from == L::kTimestamp && to == L::kDate) {
    what = "date out of range";
    ok = ConvertFixed<int64_t, int32_t>(x, valid.data(), rows, out, [](int64_t v, int32_t* r) {
      const int64_t days = v / kMicrosPerDay - (v % kMicrosPerDay < 0);
      *r = static_cast<int32_t>(days);
      return days >= std::numeric_limits<int32_t>::min() &&
             days <= std::numeric_limits<int32_t>::max();
    });
  } else {
    return ErrorAt(
        "cannot cast type " + std::string(PgTypeName(from)) + " to " + std::string(PgTypeName(to)),
        location);
  }
  out->RecountNulls();
  if (!ok) return ErrorAt(what, location);
  return Status::OK();
}

}  // namespace lake::sql::internal
