// Numeric and comparison kernels of the expression executor: one template instantiation per
// (operator, type, constant side), each a tight loop over raw buffers.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>
#include <vector>

#include "sql/expression_kernels.h"

namespace lake::sql::internal {
namespace {

template <class T>
struct Flat {
  const T* data;
  T operator[](size_t i) const { return data[i]; }
};
template <class T>
struct Const {
  T value;
  T operator[](size_t) const { return value; }
};

// Calls fn(lhs_reader, rhs_reader) with the reader types matching which side is constant.
template <class T, class Fn>
void DispatchSides(const Operand& l, const Operand& r, Fn&& fn) {
  if (l.is_constant() && r.is_constant()) {
    fn(Const<T>{l.Data<T>()[0]}, Const<T>{r.Data<T>()[0]});
  } else if (l.is_constant()) {
    fn(Const<T>{l.Data<T>()[0]}, Flat<T>{r.Data<T>()});
  } else if (r.is_constant()) {
    fn(Flat<T>{l.Data<T>()}, Const<T>{r.Data<T>()[0]});
  } else {
    fn(Flat<T>{l.Data<T>()}, Flat<T>{r.Data<T>()});
  }
}

// Sizes `out` to `rows` and sets its validity to valid(l) & valid(r) & active.
uint64_t* PrepareOutput(const Operand& l, const Operand* r, const uint64_t* active, size_t rows,
                        Vector* out) {
  out->Resize(rows);
  uint64_t* valid = out->mutable_validity_words();
  AndValidity(l, valid, WordCount(rows));
  if (r) AndValidity(*r, valid, WordCount(rows));
  AndMask(active, valid, WordCount(rows));
  return valid;
}

Status OutOfRange(int location) { return ErrorAt("bigint out of range", location); }
Status DivisionByZero(int location) { return ErrorAt("division by zero", location); }

// BIGINT + - *: a branch-free loop collecting overflow flags, re-checked against validity only
// when one was raised (NULL slots hold 0, and 0 - INT64_MIN must not fail a NULL row).
template <ScalarOp kOp, class L, class R>
Status BigIntLoop(L l, R r, int64_t* out, const uint64_t* valid, size_t rows, int location) {
  bool overflow = false;
  for (size_t i = 0; i < rows; ++i) {
    bool o;
    if constexpr (kOp == ScalarOp::kAdd) o = __builtin_add_overflow(l[i], r[i], &out[i]);
    if constexpr (kOp == ScalarOp::kSubtract) o = __builtin_sub_overflow(l[i], r[i], &out[i]);
    if constexpr (kOp == ScalarOp::kMultiply) o = __builtin_mul_overflow(l[i], r[i], &out[i]);
    overflow |= o;
  }
  if (!overflow) return Status::OK();
  for (size_t i = 0; i < rows; ++i) {
    int64_t ignored;
    bool o = false;
    if constexpr (kOp == ScalarOp::kAdd) o = __builtin_add_overflow(l[i], r[i], &ignored);
    if constexpr (kOp == ScalarOp::kSubtract) o = __builtin_sub_overflow(l[i], r[i], &ignored);
    if constexpr (kOp == ScalarOp::kMultiply) o = __builtin_mul_overflow(l[i], r[i], &ignored);
    if (o && BitAt(valid, i)) return OutOfRange(location);
  }
  return Status::OK();
}

// BIGINT / and %: truncating division, remainder with the dividend's sign.
template <bool kModulo, class L, class R>
Status BigIntDivLoop(L l, R r, int64_t* out, const uint64_t* valid, size_t rows, int location) {
  for (size_t i = 0; i < rows; ++i) {
    const int64_t a = l[i], b = r[i];
    if (b == 0) {
      if (BitAt(valid, i)) return DivisionByZero(location);
      out[i] = 0;
    } else if (b == -1) {
      if (!kModulo && a == std::numeric_limits<int64_t>::min() && BitAt(valid, i)) {
        return OutOfRange(location);
      }
      out[i] = kModulo ? 0 : static_cast<int64_t>(0 - static_cast<uint64_t>(a));
    } else {
      out[i] = kModulo ? a % b : a / b;
    }
  }
  return Status::OK();
}

template <ScalarOp kOp, class L, class R>
Status DoubleLoop(L l, R r, double* out, const uint64_t* valid, size_t rows, int location) {
  if constexpr (kOp == ScalarOp::kDivide || kOp == ScalarOp::kModulo) {
    bool zero = false;
    for (size_t i = 0; i < rows; ++i) zero |= r[i] == 0.0;
    if (zero) {
      for (size_t i = 0; i < rows; ++i) {
        if (r[i] == 0.0 && BitAt(valid, i)) return DivisionByZero(location);
      }
    }
  }
  for (size_t i = 0; i < rows; ++i) {
    if constexpr (kOp == ScalarOp::kAdd) out[i] = l[i] + r[i];
    if constexpr (kOp == ScalarOp::kSubtract) out[i] = l[i] - r[i];
    if constexpr (kOp == ScalarOp::kMultiply) out[i] = l[i] * r[i];
    if constexpr (kOp == ScalarOp::kDivide) out[i] = r[i] == 0.0 ? 0.0 : l[i] / r[i];
    if constexpr (kOp == ScalarOp::kModulo) out[i] = r[i] == 0.0 ? 0.0 : std::fmod(l[i], r[i]);
  }
  return Status::OK();
}

template <ScalarOp kOp>
Status Arithmetic(const BoundExpr& expr, const Operand& l, const Operand& r, const uint64_t* valid,
                  size_t rows, Vector* out) {
  Status status;
  if (expr.type == LogicalType::kBigInt) {
    int64_t* o = out->mutable_data<int64_t>();
    DispatchSides<int64_t>(l, r, [&](auto lr, auto rr) {
      if constexpr (kOp == ScalarOp::kDivide || kOp == ScalarOp::kModulo) {
        status = BigIntDivLoop<kOp == ScalarOp::kModulo>(lr, rr, o, valid, rows, expr.location);
      } else {
        status = BigIntLoop<kOp>(lr, rr, o, valid, rows, expr.location);
      }
    });
  } else {
    double* o = out->mutable_data<double>();
    DispatchSides<double>(l, r, [&](auto lr, auto rr) {
      status = DoubleLoop<kOp>(lr, rr, o, valid, rows, expr.location);
    });
  }
  return status;
}

// PostgreSQL orders doubles totally: NaN equals NaN and sorts above every other value.
struct DoubleEq {
  bool operator()(double a, double b) const { return (a == b) | ((a != a) & (b != b)); }
};
struct DoubleLess {
  bool operator()(double a, double b) const { return (a < b) | ((b != b) & (a == a)); }
};

template <class T, class Eq, class Less, class L, class R>
void CompareLoop(ScalarOp op, L l, R r, uint8_t* out, size_t rows) {
  Eq eq;
  Less less;
  switch (op) {
    case ScalarOp::kEqual:
      for (size_t i = 0; i < rows; ++i) out[i] = eq(l[i], r[i]);
      break;
    case ScalarOp::kNotEqual:
      for (size_t i = 0; i < rows; ++i) out[i] = !eq(l[i], r[i]);
      break;
    case ScalarOp::kLess:
      for (size_t i = 0; i < rows; ++i) out[i] = less(l[i], r[i]);
      break;
    case ScalarOp::kLessEqual:
      for (size_t i = 0; i < rows; ++i) out[i] = !less(r[i], l[i]);
      break;
    case ScalarOp::kGreater:
      for (size_t i = 0; i < rows; ++i) out[i] = less(r[i], l[i]);
      break;
    default:
      for (size_t i = 0; i < rows; ++i) out[i] = !less(l[i], r[i]);
      break;
  }
}

template <class T, class Eq = std::equal_to<T>, class Less = std::less<T>>
void CompareFixed(ScalarOp op, const Operand& l, const Operand& r, uint8_t* out, size_t rows) {
  DispatchSides<T>(l, r,
                   [&](auto lr, auto rr) { CompareLoop<T, Eq, Less>(op, lr, rr, out, rows); });
}

// VARCHAR rows read straight from the offsets and chars buffers.
struct StrFlat {
  const uint32_t* offsets;
  const char* chars;
  std::string_view operator[](size_t i) const {
    return std::string_view(chars + offsets[i], offsets[i + 1] - offsets[i]);
  }
};
struct StrConst {
  std::string_view value;
  std::string_view operator[](size_t) const { return value; }
};

}  // namespace

void SpreadDictionaryAnswers(const std::vector<uint8_t>& per_value, const uint8_t* codes,
                             uint8_t* out, size_t rows) {
  const size_t trues = static_cast<size_t>(std::count(per_value.begin(), per_value.end(), 1));
  if (trues == 0 || trues == per_value.size()) {
    std::fill(out, out + rows, trues != 0);
    return;
  }
  // One string answers apart from all others (as `=` and `<>` with a constant do): compare
  // codes with its code, a loop the compiler vectorises, instead of looking every row up.
  if (trues == 1 || trues + 1 == per_value.size()) {
    const uint8_t rare = trues == 1;
    const uint8_t code = static_cast<uint8_t>(std::find(per_value.begin(), per_value.end(), rare) -
                                              per_value.begin());
    if (rare) {
      for (size_t i = 0; i < rows; ++i) out[i] = codes[i] == code;
    } else {
      for (size_t i = 0; i < rows; ++i) out[i] = codes[i] != code;
    }
    return;
  }
  const uint8_t* answer = per_value.data();  // a local: `out` may alias the vector's buffer
  for (size_t i = 0; i < rows; ++i) out[i] = answer[codes[i]];
}

namespace {

void CompareStrings(ScalarOp op, const Operand& l, const Operand& r, uint8_t* out, size_t rows) {
  auto reader = [](const Operand& x) {
    return StrFlat{x.vector->offsets().data(), x.vector->chars().data()};
  };
  // Equality first compares lengths, then short strings inline: most compared values are a
  // few bytes, where a call to memcmp costs more than the comparison.
  struct Eq {
    bool operator()(std::string_view a, std::string_view b) const {
      if (a.size() != b.size()) return false;
      if (a.size() > 16) return std::memcmp(a.data(), b.data(), a.size()) == 0;
      for (size_t i = 0; i < a.size(); ++i) {
        if (a[i] != b[i]) return false;
      }
      return true;
    }
  };
  using Less = std::less<std::string_view>;  // char_traits<char> compares as unsigned char
  // A constant against a vector in dictionary form: compare each distinct string once.
  const Operand* coded = !l.is_constant() && r.is_constant()   ? &l
                         : l.is_constant() && !r.is_constant() ? &r
                                                               : nullptr;
  if (coded != nullptr && coded->vector->dictionary() != nullptr) {
    const StringDictionary& d = *coded->vector->dictionary();
    std::vector<uint8_t> per_value(d.values.size());
    const StrFlat values{d.values.offsets().data(), d.values.chars().data()};
    if (coded == &l) {
      CompareLoop<std::string_view, Eq, Less>(op, values, StrConst{r.constant->text},
                                              per_value.data(), per_value.size());
    } else {
      CompareLoop<std::string_view, Eq, Less>(op, StrConst{l.constant->text}, values,
                                              per_value.data(), per_value.size());
    }
    SpreadDictionaryAnswers(per_value, d.codes.data(), out, rows);
    return;
  }
  if (l.is_constant() && r.is_constant()) {
    CompareLoop<std::string_view, Eq, Less>(op, StrConst{l.constant->text},
                                            StrConst{r.constant->text}, out, rows);
  } else if (l.is_constant()) {
    CompareLoop<std::string_view, Eq, Less>(op, StrConst{l.constant->text}, reader(r), out, rows);
  } else if (r.is_constant()) {
    CompareLoop<std::string_view, Eq, Less>(op, reader(l), StrConst{r.constant->text}, out, rows);
  } else {
    CompareLoop<std::string_view, Eq, Less>(op, reader(l), reader(r), out, rows);
  }
}

// Rounds |x| half away from zero at `digits` decimals through its shortest decimal text, so
// that ROUND(2.675, 2) is 2.68 as written rather than 2.67 from the binary value.
double RoundDecimal(double x, int64_t digits) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), std::fabs(x), std::chars_format::scientific);
  std::string_view text(buf, res.ptr - buf);  // d[.ddd]e[+-]XX
  const size_t e = text.find('e');
  int exponent = 0;
  std::from_chars(text.data() + e + 1 + (text[e + 1] == '+'), text.data() + text.size(), exponent);
  std::string mantissa;
  for (char c : text.substr(0, e)) {
    if (c != '.') mantissa.push_back(c);
  }
  // Digit k of the mantissa has weight 10^(exponent - k); keep those with weight >= 10^-digits.
  const int64_t keep = static_cast<int64_t>(exponent) + 1 + digits;
  if (keep < 0) return std::copysign(0.0, x);
  if (keep >= static_cast<int64_t>(mantissa.size())) return x;
  const bool up = mantissa[keep] >= '5';
  std::string kept = "0" + mantissa.substr(0, keep);
  if (up) {
    size_t k = kept.size() - 1;
    while (kept[k] == '9') kept[k--] = '0';
    ++kept[k];
  }
  const std::string rebuilt = kept + "e" + std::to_string(exponent + 1 - keep);
  double value = 0;
  std::from_chars(rebuilt.data(), rebuilt.data() + rebuilt.size(), value);
  return std::copysign(value, x);
}

double RoundDouble(double x, int64_t digits) {
  if (!std::isfinite(x)) return x;
  if (digits == 0) return std::round(x);
  if (digits > 340) return x;
  if (digits < -340) return std::copysign(0.0, x);
  const double scale = std::pow(10.0, static_cast<double>(digits < 0 ? -digits : digits));
  const double y = digits > 0 ? x * scale : x / scale;
  const double frac = std::fabs(y - std::trunc(y));
  if (!std::isfinite(y) || std::fabs(frac - 0.5) < 1e-6 || std::fabs(y) >= 1e15) {
    return RoundDecimal(x, digits);  // near a tie, or too large to scale exactly
  }
  const double r = std::round(y);
  return digits > 0 ? r / scale : r * scale;
}

}  // namespace

Status EvalArithmetic(const BoundExpr& expr, const Operand& l, const Operand& r,
                      const uint64_t* active, size_t rows, Vector* out) {
  const uint64_t* valid = PrepareOutput(l, &r, active, rows, out);
  Status status;
  if (!l.IsNullConstant() && !r.IsNullConstant()) {
    switch (expr.op) {
      case ScalarOp::kAdd:
        status = Arithmetic<ScalarOp::kAdd>(expr, l, r, valid, rows, out);
        break;
      case ScalarOp::kSubtract:
        status = Arithmetic<ScalarOp::kSubtract>(expr, l, r, valid, rows, out);
        break;
      case ScalarOp::kMultiply:
        status = Arithmetic<ScalarOp::kMultiply>(expr, l, r, valid, rows, out);
        break;
      case ScalarOp::kDivide:
        status = Arithmetic<ScalarOp::kDivide>(expr, l, r, valid, rows, out);
        break;
      default:
        status = Arithmetic<ScalarOp::kModulo>(expr, l, r, valid, rows, out);
        break;
    }
  }
  out->RecountNulls();
  return status;
}

Status EvalNumericUnary(const BoundExpr& expr, const Operand& x, const Operand* digits,
                        const uint64_t* active, size_t rows, Vector* out) {
  const uint64_t* valid = PrepareOutput(x, digits, active, rows, out);
  if (x.IsNullConstant() || (digits && digits->IsNullConstant())) {
    out->RecountNulls();
    return Status::OK();
  }
  const size_t xm = x.IndexMask();
  if (expr.type == LogicalType::kBigInt) {
    const int64_t* in = x.Data<int64_t>();
    int64_t* o = out->mutable_data<int64_t>();
    const bool negate = expr.op == ScalarOp::kNegate;
    bool overflow = false;
    for (size_t i = 0; i < rows; ++i) {
      const int64_t v = in[i & xm];
      overflow |= v == std::numeric_limits<int64_t>::min();
      const uint64_t neg = 0 - static_cast<uint64_t>(v);
      o[i] = negate || v < 0 ? static_cast<int64_t>(neg) : v;
    }
    if (overflow && expr.op != ScalarOp::kRound) {
      for (size_t i = 0; i < rows; ++i) {
        if (in[i & xm] == std::numeric_limits<int64_t>::min() && BitAt(valid, i)) {
          out->RecountNulls();
          return OutOfRange(expr.location);
        }
      }
    }
    if (expr.op == ScalarOp::kRound) {
      for (size_t i = 0; i < rows; ++i) o[i] = in[i & xm];
    }
  } else {
    const double* in = x.Data<double>();
    double* o = out->mutable_data<double>();
    if (expr.op == ScalarOp::kNegate) {
      for (size_t i = 0; i < rows; ++i) o[i] = -in[i & xm];
    } else if (expr.op == ScalarOp::kAbs) {
      for (size_t i = 0; i < rows; ++i) o[i] = std::fabs(in[i & xm]);
    } else if (digits == nullptr) {
      for (size_t i = 0; i < rows; ++i) o[i] = std::round(in[i & xm]);
    } else {
      const int64_t* d = digits->Data<int64_t>();
      const size_t dm = digits->IndexMask();
      for (size_t i = 0; i < rows; ++i)
        o[i] = BitAt(valid, i) ? RoundDouble(in[i & xm], d[i & dm]) : 0.0;
    }
  }
  out->RecountNulls();
  return Status::OK();
}

void EvalCompare(ScalarOp op, const Operand& l, const Operand& r, const uint64_t* active,
                 size_t rows, Vector* out) {
  PrepareOutput(l, &r, active, rows, out);
  if (!l.IsNullConstant() && !r.IsNullConstant()) {
    uint8_t* o = out->mutable_data<uint8_t>();
    switch (l.type) {
      case LogicalType::kBigInt:
      case LogicalType::kTimestamp:
        CompareFixed<int64_t>(op, l, r, o, rows);
        break;
      case LogicalType::kDouble:
        CompareFixed<double, DoubleEq, DoubleLess>(op, l, r, o, rows);
        break;
      case LogicalType::kBoolean:
        CompareFixed<uint8_t>(op, l, r, o, rows);
        break;
      case LogicalType::kDate:
        CompareFixed<int32_t>(op, l, r, o, rows);
        break;
      case LogicalType::kVarchar:
        CompareStrings(op, l, r, o, rows);
        break;
    }
  }
  out->RecountNulls();
}

}  // namespace lake::sql::internal
