#include "sql/zone_pruning.h"

#include <cmath>

namespace lake::sql {
namespace {

bool Prunable(LogicalType type) {
  switch (type) {
    case LogicalType::kBigInt:
    case LogicalType::kDouble:
    case LogicalType::kDate:
    case LogicalType::kTimestamp:
    case LogicalType::kBoolean:
      return true;
    default:
      return false;
  }
}

// -1, 0 or 1 as a is below, equal to or above b; nullopt if they do not compare (NaN).
// REQUIRES: both non-NULL, of the same Prunable type.
std::optional<int> Compare(const Value& a, const Value& b) {
  if (a.type == LogicalType::kDouble && (std::isnan(a.real) || std::isnan(b.real))) {
    return std::nullopt;
  }
  return CompareValues(a, b);
}

// The comparison seen from the column's side: `constant op column` is `column flipped(op)
// constant`.
ScalarOp Flip(ScalarOp op) {
  switch (op) {
    case ScalarOp::kLess:
      return ScalarOp::kGreater;
    case ScalarOp::kLessEqual:
      return ScalarOp::kGreaterEqual;
    case ScalarOp::kGreater:
      return ScalarOp::kLess;
    case ScalarOp::kGreaterEqual:
      return ScalarOp::kLessEqual;
    default:
      return op;  // = and <> are symmetric
  }
}

bool IsComparison(ScalarOp op) {
  return op == ScalarOp::kEqual || op == ScalarOp::kNotEqual || op == ScalarOp::kLess ||
         op == ScalarOp::kLessEqual || op == ScalarOp::kGreater || op == ScalarOp::kGreaterEqual;
}

// Whether some value v in [min, max] satisfies `v op constant`.
bool RangeMayMatch(ScalarOp op, const ColumnRange& range, const Value& constant) {
  if (range.null_count == range.rows) return false;  // every comparison is NULL
  if (!range.min || !range.max) return true;
  const std::optional<int> low = Compare(*range.min, constant);
  const std::optional<int> high = Compare(*range.max, constant);
  if (!low || !high) return true;
  switch (op) {
    case ScalarOp::kEqual:
      return *low <= 0 && *high >= 0;
    case ScalarOp::kNotEqual:
      return !(*low == 0 && *high == 0);
    case ScalarOp::kLess:
      return *low < 0;
    case ScalarOp::kLessEqual:
      return *low <= 0;
    case ScalarOp::kGreater:
      return *high > 0;
    case ScalarOp::kGreaterEqual:
      return *high >= 0;
    default:
      return true;
  }
}

bool ComparisonMayMatch(const BoundExpr& call, const RangeLookup& range) {
  const BoundExpr& left = *call.children[0];
  const BoundExpr& right = *call.children[1];
  const bool column_left =
      left.kind == BoundExpr::Kind::kColumn && right.kind == BoundExpr::Kind::kConstant;
  const bool column_right =
      right.kind == BoundExpr::Kind::kColumn && left.kind == BoundExpr::Kind::kConstant;
  if (!column_left && !column_right) return true;
  const BoundExpr& column = column_left ? left : right;
  const Value& constant = column_left ? right.constant : left.constant;
  if (!Prunable(column.type) || constant.type != column.type) return true;
  const std::optional<ColumnRange> known = range(column.column);
  if (!known) return true;
  if (constant.is_null) return false;  // `x op NULL` is never true
  return RangeMayMatch(column_left ? call.op : Flip(call.op), *known, constant);
}

}  // namespace

bool ChunkMayMatch(const BoundExpr& filter, const RangeLookup& range) {
  if (filter.kind != BoundExpr::Kind::kCall) return true;
  if (filter.op == ScalarOp::kAnd) {
    for (const auto& child : filter.children) {
      if (!ChunkMayMatch(*child, range)) return false;
    }
    return true;
  }
  if (IsComparison(filter.op) && filter.children.size() == 2) {
    return ComparisonMayMatch(filter, range);
  }
  return true;
}

}  // namespace lake::sql
