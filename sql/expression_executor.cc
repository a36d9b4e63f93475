#include "sql/expression_executor.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstring>
#include <memory>
#include <vector>

#include "sql/correlated_answers.h"
#include "sql/expression_kernels.h"
#include "sql/key_bits.h"

namespace lake::sql {
namespace internal {

void Operand::SetConstant(LogicalType t, const Value* value) {
  type = t;
  constant = value;
  vector = nullptr;
  scalar = 0;
  if (value->is_null) return;
  switch (t) {
    case LogicalType::kBigInt:
    case LogicalType::kTimestamp:
      std::memcpy(&scalar, &value->integer, 8);
      break;
    case LogicalType::kDouble:
      std::memcpy(&scalar, &value->real, 8);
      break;
    case LogicalType::kBoolean: {
      const uint8_t b = value->boolean ? 1 : 0;
      std::memcpy(&scalar, &b, 1);
      break;
    }
    case LogicalType::kDate: {
      const int32_t d = static_cast<int32_t>(value->integer);
      std::memcpy(&scalar, &d, 4);
      break;
    }
    case LogicalType::kVarchar:
      break;
  }
}

void AndValidity(const Operand& op, uint64_t* words, size_t nwords) {
  if (op.constant) {
    if (op.constant->is_null) std::fill(words, words + nwords, 0);
    return;
  }
  const uint64_t* v = op.vector->validity_words().data();
  for (size_t w = 0; w < nwords; ++w) words[w] &= v[w];
}

void AndMask(const uint64_t* active, uint64_t* words, size_t nwords) {
  if (active == nullptr) return;
  for (size_t w = 0; w < nwords; ++w) words[w] &= active[w];
}

Status ErrorAt(std::string_view message, int location) {
  if (location < 0) return Status::InvalidArgument(message);
  return Status::InvalidArgumentAt(message, location + 1);
}

}  // namespace internal

namespace {

using internal::Operand;
using internal::WordCount;
using Words = std::vector<uint64_t>;

struct Context {
  const Batch& input;
  size_t rows;
  size_t nwords;
};

Status EvalCall(const BoundExpr& expr, const Context& ctx, const uint64_t* active, Vector* out);

bool AnyBit(const uint64_t* words, size_t nwords) {
  for (size_t w = 0; w < nwords; ++w) {
    if (words[w] != 0) return true;
  }
  return false;
}

// Evaluates `expr` as a kernel operand; columns and constants are borrowed, not copied.
Status EvalOperand(const BoundExpr& expr, const Context& ctx, const uint64_t* active,
                   Operand* out) {
  out->type = expr.type;
  switch (expr.kind) {
    case BoundExpr::Kind::kColumn:
      assert(expr.column < ctx.input.column_count());
      out->vector = &ctx.input.column(expr.column);
      return Status::OK();
    case BoundExpr::Kind::kConstant:
      out->SetConstant(expr.type, &expr.constant);
      return Status::OK();
    case BoundExpr::Kind::kCall:
      if (active != nullptr && !AnyBit(active, ctx.nwords)) {  // nothing needs it
        out->null_value = Value::Null(expr.type);
        out->SetConstant(expr.type, &out->null_value);
        return Status::OK();
      }
      out->owned = std::make_unique<Vector>(expr.type);
      out->vector = out->owned.get();
      return EvalCall(expr, ctx, active, out->owned.get());
  }
  return Status::OK();
}

// The n <= 64 BOOLEAN bytes (0 or 1) at `data` as the low n bits of a word.
uint64_t PackBooleans(const uint8_t* data, size_t n) {
  uint64_t bits = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    // Eight 0/1 bytes to eight bits in one multiply: byte k lands on bit 56 + k, and no two
    // partial products share a bit, so nothing carries.
    uint64_t eight;
    std::memcpy(&eight, data + i, 8);
    bits |= ((eight * 0x0102040810204080ULL) >> 56) << i;
  }
  for (; i < n; ++i) bits |= static_cast<uint64_t>(data[i] & 1) << i;
  return bits;
}

// A BOOLEAN operand as bit words: `value` (TRUE rows) and `valid` (non-NULL rows).
void ToBits(const Operand& op, const Context& ctx, Words* value, Words* valid) {
  value->assign(ctx.nwords, 0);
  valid->assign(ctx.nwords, 0);
  if (op.constant) {
    const uint64_t all = op.constant->is_null ? 0 : ~uint64_t{0};
    std::fill(valid->begin(), valid->end(), all);
    if (op.constant->boolean) *value = *valid;
    return;
  }
  const uint8_t* data = op.vector->data<uint8_t>();
  const uint64_t* v = op.vector->validity_words().data();
  for (size_t w = 0; w < ctx.nwords; ++w) {
    const size_t base = w * 64;
    const uint64_t bits = PackBooleans(data + base, std::min<size_t>(64, ctx.rows - base));
    (*valid)[w] = v[w];
    (*value)[w] = bits & v[w];
  }
}

// Byte b spread into eight 0/1 bytes, byte k = bit k of b.
constexpr std::array<uint64_t, 256> SpreadBitsTable() {
  std::array<uint64_t, 256> table{};
  for (uint64_t b = 0; b < 256; ++b) {
    for (uint64_t k = 0; k < 8; ++k) table[b] |= ((b >> k) & 1) << (8 * k);
  }
  return table;
}
constexpr std::array<uint64_t, 256> kSpreadBits = SpreadBitsTable();

// Writes bit words to a BOOLEAN vector.
void FromBits(const Words& value, const Words& valid, const Context& ctx, Vector* out) {
  out->Resize(ctx.rows);
  uint8_t* data = out->mutable_data<uint8_t>();
  uint64_t* v = out->mutable_validity_words();
  for (size_t w = 0; w < ctx.nwords; ++w) {
    const size_t base = w * 64;
    const size_t n = std::min<size_t>(64, ctx.rows - base);
    const uint64_t bits = value[w] & valid[w];
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      const uint64_t eight = kSpreadBits[(bits >> i) & 0xff];
      std::memcpy(data + base + i, &eight, 8);
    }
    for (; i < n; ++i) data[base + i] = (bits >> i) & 1;
    v[w] = valid[w];
  }
  out->RecountNulls();
}

// AND / OR over all children, three-valued; later children are evaluated only for rows the
// earlier ones have not decided (FALSE decides AND, TRUE decides OR).
Status EvalLogic(const BoundExpr& expr, const Context& ctx, const uint64_t* active, Vector* out) {
  const bool is_and = expr.op == ScalarOp::kAnd;
  Words value, valid, child_value, child_valid, need(ctx.nwords);
  for (size_t k = 0; k < expr.children.size(); ++k) {
    const uint64_t* child_active = active;
    if (k > 0) {
      for (size_t w = 0; w < ctx.nwords; ++w) {
        const uint64_t decided = valid[w] & (is_and ? ~value[w] : value[w]);
        need[w] = ~decided & (active ? active[w] : ~uint64_t{0});
      }
      child_active = need.data();
    }
    Operand op;
    LAKE_RETURN_IF_ERROR(EvalOperand(*expr.children[k], ctx, child_active, &op));
    if (k == 0) {
      ToBits(op, ctx, &value, &valid);
      continue;
    }
    ToBits(op, ctx, &child_value, &child_valid);
    for (size_t w = 0; w < ctx.nwords; ++w) {
      const uint64_t false_l = valid[w] & ~value[w], false_r = child_valid[w] & ~child_value[w];
      const uint64_t true_l = value[w], true_r = child_value[w];
      const uint64_t t = is_and ? (true_l & true_r) : (true_l | true_r);
      const uint64_t f = is_and ? (false_l | false_r) : (false_l & false_r);
      value[w] = t;
      valid[w] = t | f;
    }
  }
  FromBits(value, valid, ctx, out);
  return Status::OK();
}

// NOT, IS NULL, IS NOT NULL.
Status EvalUnaryLogic(const BoundExpr& expr, const Context& ctx, const uint64_t* active,
                      Vector* out) {
  Operand op;
  LAKE_RETURN_IF_ERROR(EvalOperand(*expr.children[0], ctx, active, &op));
  Words value(ctx.nwords), valid(ctx.nwords, ~uint64_t{0});
  if (expr.op == ScalarOp::kNot) {
    ToBits(op, ctx, &value, &valid);
    for (size_t w = 0; w < ctx.nwords; ++w) value[w] = ~value[w] & valid[w];
  } else {
    std::fill(value.begin(), value.end(), ~uint64_t{0});
    internal::AndValidity(op, value.data(), ctx.nwords);  // value = IS NOT NULL
    if (expr.op == ScalarOp::kIsNull) {
      for (uint64_t& w : value) w = ~w;
    }
  }
  FromBits(value, valid, ctx, out);
  return Status::OK();
}

// IN: OR over (value = item), so TRUE if any equal, else NULL if anything was NULL, else FALSE.
Status EvalIn(const BoundExpr& expr, const Context& ctx, const uint64_t* active, Vector* out) {
  Operand value;
  LAKE_RETURN_IF_ERROR(EvalOperand(*expr.children[0], ctx, active, &value));
  Words found(ctx.nwords, 0), decided_false(ctx.nwords, ~uint64_t{0});
  Words eq_value, eq_valid;
  Vector eq(LogicalType::kBoolean);
  for (size_t k = 1; k < expr.children.size(); ++k) {
    Operand item;
    LAKE_RETURN_IF_ERROR(EvalOperand(*expr.children[k], ctx, active, &item));
    internal::EvalCompare(ScalarOp::kEqual, value, item, nullptr, ctx.rows, &eq);
    Operand eq_op;
    eq_op.type = LogicalType::kBoolean;
    eq_op.vector = &eq;
    ToBits(eq_op, ctx, &eq_value, &eq_valid);
    for (size_t w = 0; w < ctx.nwords; ++w) {
      found[w] |= eq_value[w];
      decided_false[w] &= eq_valid[w] & ~eq_value[w];
    }
  }
  Words valid(ctx.nwords);
  for (size_t w = 0; w < ctx.nwords; ++w) valid[w] = found[w] | decided_false[w];
  FromBits(found, valid, ctx, out);
  return Status::OK();
}

// Builds `out` (fixed width or VARCHAR) taking row i from sources[source_of_row[i]], or NULL
// where source_of_row[i] < 0.
void GatherRows(const std::vector<Operand>& sources, const std::vector<int32_t>& source_of_row,
                LogicalType type, size_t rows, Vector* out) {
  if (type == LogicalType::kVarchar) {
    out->Clear();
    for (size_t i = 0; i < rows; ++i) {
      const int32_t s = source_of_row[i];
      if (s < 0 || !sources[s].IsValid(i)) {
        out->AppendNull();
      } else {
        out->AppendString(sources[s].Str(i));
      }
    }
    return;
  }
  out->Resize(rows);
  const size_t width = FixedWidth(type);
  uint8_t* data = out->mutable_fixed_bytes();
  uint64_t* valid = out->mutable_validity_words();
  std::fill(valid, valid + WordCount(rows), 0);
  for (size_t i = 0; i < rows; ++i) {
    const int32_t s = source_of_row[i];
    if (s < 0 || !sources[s].IsValid(i)) continue;
    const Operand& src = sources[s];
    const uint8_t* from = src.Bytes() + (i & src.IndexMask()) * width;
    std::memcpy(data + i * width, from, width);
    valid[i / 64] |= uint64_t{1} << (i % 64);
  }
  out->RecountNulls();
}

// CASE (conditions evaluated in order, each only for rows still undecided; a branch's result
// only for the rows that take it) and COALESCE (each argument only where all before were NULL).
Status EvalChoice(const BoundExpr& expr, const Context& ctx, const uint64_t* active, Vector* out) {
  std::vector<Operand> sources;
  sources.reserve(expr.children.size());
  std::vector<int32_t> source_of_row(ctx.rows, -1);
  Words remaining(ctx.nwords, ~uint64_t{0}), take(ctx.nwords), cond_value, cond_valid;
  if (active) std::copy(active, active + ctx.nwords, remaining.begin());
  if (ctx.rows % 64 != 0) remaining.back() &= (uint64_t{1} << (ctx.rows % 64)) - 1;
  const bool is_case = expr.op == ScalarOp::kCase;
  const size_t branches = is_case ? expr.children.size() / 2 : expr.children.size();
  for (size_t b = 0; b <= branches; ++b) {
    if (!AnyBit(remaining.data(), ctx.nwords)) break;
    const BoundExpr* result = nullptr;
    if (is_case && b < branches) {
      Operand cond;
      LAKE_RETURN_IF_ERROR(EvalOperand(*expr.children[2 * b], ctx, remaining.data(), &cond));
      ToBits(cond, ctx, &cond_value, &cond_valid);
      for (size_t w = 0; w < ctx.nwords; ++w) take[w] = remaining[w] & cond_value[w];
      result = expr.children[2 * b + 1].get();
    } else if (is_case) {
      take = remaining;  // the else result
      result = expr.children.back().get();
    } else if (b < branches) {
      take = remaining;
      result = expr.children[b].get();
    } else {
      break;
    }
    if (!AnyBit(take.data(), ctx.nwords)) continue;
    sources.emplace_back();
    Operand& src = sources.back();
    LAKE_RETURN_IF_ERROR(EvalOperand(*result, ctx, take.data(), &src));
    const int32_t index = static_cast<int32_t>(sources.size() - 1);
    for (size_t w = 0; w < ctx.nwords; ++w) {
      uint64_t bits = take[w];
      if (!is_case) {  // COALESCE takes only non-NULL values; NULL rows stay undecided
        if (!src.constant) {
          bits &= src.vector->validity_words()[w];
        } else if (src.constant->is_null) {
          bits = 0;
        }
      }
      remaining[w] &= ~bits;
      while (bits != 0) {
        source_of_row[w * 64 + std::countr_zero(bits)] = index;
        bits &= bits - 1;
      }
    }
  }
  GatherRows(sources, source_of_row, expr.type, ctx.rows, out);
  return Status::OK();
}

// NULLIF(a, b): a, but NULL where a = b is TRUE (where b is NULL, a stays).
Status EvalNullIf(const BoundExpr& expr, const Context& ctx, const uint64_t* active, Vector* out) {
  std::vector<Operand> value(1);
  LAKE_RETURN_IF_ERROR(EvalOperand(*expr.children[0], ctx, active, &value[0]));
  Operand other;
  LAKE_RETURN_IF_ERROR(EvalOperand(*expr.children[1], ctx, active, &other));
  Vector equal(LogicalType::kBoolean);
  internal::EvalCompare(ScalarOp::kEqual, value[0], other, active, ctx.rows, &equal);
  std::vector<int32_t> source_of_row(ctx.rows, 0);
  const uint8_t* is_equal = equal.data<uint8_t>();
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (equal.IsValid(i) && is_equal[i]) source_of_row[i] = -1;
  }
  GatherRows(value, source_of_row, expr.type, ctx.rows, out);
  return Status::OK();
}

// GREATEST / LEAST: each row's largest (smallest) non-NULL argument; NULL where all are NULL.
Status EvalGreatest(const BoundExpr& expr, const Context& ctx, const uint64_t* active,
                    Vector* out) {
  std::vector<Operand> sources(expr.children.size());
  for (size_t k = 0; k < sources.size(); ++k) {
    LAKE_RETURN_IF_ERROR(EvalOperand(*expr.children[k], ctx, active, &sources[k]));
  }
  const bool greatest = expr.op == ScalarOp::kGreatest;
  std::vector<int32_t> source_of_row(ctx.rows, -1);
  // Row by row, keeping the index of the best argument so far.
  auto pick = [&](auto value_of) {
    for (size_t i = 0; i < ctx.rows; ++i) {
      int32_t best = -1;
      for (size_t k = 0; k < sources.size(); ++k) {
        if (!sources[k].IsValid(i)) continue;
        if (best < 0 || (greatest ? value_of(best, i) < value_of(k, i)
                                  : value_of(k, i) < value_of(best, i))) {
          best = static_cast<int32_t>(k);
        }
      }
      source_of_row[i] = best;
    }
  };
  if (expr.type == LogicalType::kVarchar) {
    pick([&](size_t k, size_t i) { return sources[k].Str(i); });
  } else {
    WithFixedType(expr.type, [&](auto type) {
      using T = decltype(type);
      pick([&](size_t k, size_t i) { return sources[k].Data<T>()[i & sources[k].IndexMask()]; });
    });
  }
  GatherRows(sources, source_of_row, expr.type, ctx.rows, out);
  return Status::OK();
}

// Each active row's answer of a correlated subquery, found by its tuple of outer values.
Status EvalCorrelated(const BoundExpr& expr, const Context& ctx, const uint64_t* active,
                      Vector* out) {
  std::vector<Operand> outer(expr.children.size());
  for (size_t k = 0; k < outer.size(); ++k) {
    LAKE_RETURN_IF_ERROR(EvalOperand(*expr.children[k], ctx, active, &outer[k]));
  }
  out->Clear();
  Row tuple(outer.size());
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (active != nullptr && !internal::BitAt(active, i)) {
      out->AppendNull();
      continue;
    }
    for (size_t k = 0; k < outer.size(); ++k) {
      tuple[k] = outer[k].constant ? *outer[k].constant : ValueAt(*outer[k].vector, i);
    }
    const std::optional<size_t> at = expr.answers->Find(tuple);
    if (!at) {
      return internal::ErrorAt("internal: a correlated subquery was not run for a row's values",
                               expr.location);
    }
    out->AppendRange(expr.answers->values(), *at, 1);
  }
  return Status::OK();
}

Status EvalCall(const BoundExpr& expr, const Context& ctx, const uint64_t* active, Vector* out) {
  if (out->type() != expr.type) *out = Vector(expr.type);
  switch (expr.op) {
    case ScalarOp::kAnd:
    case ScalarOp::kOr:
      return EvalLogic(expr, ctx, active, out);
    case ScalarOp::kNot:
    case ScalarOp::kIsNull:
    case ScalarOp::kIsNotNull:
      return EvalUnaryLogic(expr, ctx, active, out);
    case ScalarOp::kIn:
      return EvalIn(expr, ctx, active, out);
    case ScalarOp::kCase:
    case ScalarOp::kCoalesce:
      return EvalChoice(expr, ctx, active, out);
    case ScalarOp::kNullIf:
      return EvalNullIf(expr, ctx, active, out);
    case ScalarOp::kGreatest:
    case ScalarOp::kLeast:
      return EvalGreatest(expr, ctx, active, out);
    case ScalarOp::kCorrelated:
      return EvalCorrelated(expr, ctx, active, out);
    default:
      break;
  }
  // The rest propagate NULLs: evaluate every child, then one kernel.
  Operand args[3];
  if (expr.children.empty() || expr.children.size() > 3) {
    return Status::InvalidArgument("internal: bad argument count for scalar op " +
                                   std::to_string(static_cast<int>(expr.op)));
  }
  for (size_t k = 0; k < expr.children.size(); ++k) {
    LAKE_RETURN_IF_ERROR(EvalOperand(*expr.children[k], ctx, active, &args[k]));
  }
  switch (expr.op) {
    case ScalarOp::kAdd:
    case ScalarOp::kSubtract:
    case ScalarOp::kMultiply:
    case ScalarOp::kDivide:
    case ScalarOp::kModulo:
      return internal::EvalArithmetic(expr, args[0], args[1], active, ctx.rows, out);
    case ScalarOp::kNegate:
    case ScalarOp::kAbs:
    case ScalarOp::kRound:
      return internal::EvalNumericUnary(
          expr, args[0], expr.children.size() > 1 ? &args[1] : nullptr, active, ctx.rows, out);
    case ScalarOp::kEqual:
    case ScalarOp::kNotEqual:
    case ScalarOp::kLess:
    case ScalarOp::kLessEqual:
    case ScalarOp::kGreater:
    case ScalarOp::kGreaterEqual:
      internal::EvalCompare(expr.op, args[0], args[1], active, ctx.rows, out);
      return Status::OK();
    case ScalarOp::kCast:
      return internal::EvalCast(expr, args[0], active, ctx.rows, out);
    case ScalarOp::kStrpos:
    case ScalarOp::kReplace:
    case ScalarOp::kBTrim:
    case ScalarOp::kLTrim:
    case ScalarOp::kRTrim:
    case ScalarOp::kSplitPart:
      return internal::EvalTextFunction(expr, args, expr.children.size(), active, ctx.rows, out);
    case ScalarOp::kDateTrunc:
    case ScalarOp::kExtract:
      return internal::EvalDateFunction(expr, args, active, ctx.rows, out);
    default:
      return internal::EvalStringFunction(expr, args, expr.children.size(), active, ctx.rows, out);
  }
}

}  // namespace

Status Evaluate(const BoundExpr& expr, const Batch& input, Vector* out) {
  const size_t rows = input.rows();
  if (out->type() != expr.type) *out = Vector(expr.type);
  const Context ctx{input, rows, WordCount(rows)};
  switch (expr.kind) {
    case BoundExpr::Kind::kColumn:
      out->Clear();
      out->AppendRange(input.column(expr.column), 0, rows);
      return Status::OK();
    case BoundExpr::Kind::kConstant: {
      std::vector<Operand> sources(1);
      sources[0].SetConstant(expr.type, &expr.constant);
      GatherRows(sources, std::vector<int32_t>(rows, 0), expr.type, rows, out);
      return Status::OK();
    }
    case BoundExpr::Kind::kCall:
      break;
  }
  return EvalCall(expr, ctx, nullptr, out);
}

Result<size_t> Select(const BoundExpr& predicate, const Batch& input,
                      std::vector<uint32_t>* selection) {
  selection->clear();
  const size_t rows = input.rows();
  Vector result(LogicalType::kBoolean);
  LAKE_RETURN_IF_ERROR(Evaluate(predicate, input, &result));
  selection->resize(rows);
  const uint8_t* data = result.data<uint8_t>();
  const uint64_t* valid = result.validity_words().data();
  uint32_t* sel = selection->data();
  size_t n = 0;
  // A word of TRUE bits at a time, visiting only the rows that pass: selective filters, the
  // common case, touch few.
  for (size_t base = 0; base < rows; base += 64) {
    uint64_t pass = PackBooleans(data + base, std::min<size_t>(64, rows - base)) & valid[base / 64];
    while (pass != 0) {
      sel[n++] = static_cast<uint32_t>(base + std::countr_zero(pass));
      pass &= pass - 1;
    }
  }
  selection->resize(n);
  return n;
}

}  // namespace lake::sql
