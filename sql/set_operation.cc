#include "sql/set_operation.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace lake::sql {
namespace {

constexpr int64_t kMicrosPerDay = int64_t{86'400'000'000};

// `v` as a value of `type`, one SetOperationType chose for it.
Value Widen(Value v, LogicalType type) {
  if (v.type == type) return v;
  if (v.is_null) return Value::Null(type);
  if (type == LogicalType::kDouble) return Value::Double(static_cast<double>(v.integer));
  return Value::Timestamp(v.integer * kMicrosPerDay);  // a DATE's days
}

std::vector<Row> RowsOf(const std::vector<Vector>& columns, const std::vector<LogicalType>& types) {
  const size_t rows = columns.empty() ? 0 : columns[0].size();
  std::vector<Row> out(rows);
  for (size_t r = 0; r < rows; ++r) {
    out[r].reserve(columns.size());
    for (size_t c = 0; c < columns.size(); ++c) {
      out[r].push_back(Widen(ValueAt(columns[c], r), types[c]));
    }
  }
  return out;
}

// The rows of `op` over its two aligned sides, in the order they first appear.
std::vector<Row> Combine(const BoundSetOperation& op, std::vector<Row> left,
                         std::vector<Row> right) {
  if (op.kind == SetOperation::Kind::kUnion && op.all) {
    left.insert(left.end(), std::make_move_iterator(right.begin()),
                std::make_move_iterator(right.end()));
    return left;
  }
  std::map<Row, size_t, RowLess> right_count;
  for (const Row& row : right) ++right_count[row];
  std::set<Row, RowLess> emitted;
  std::vector<Row> out;
  const auto emit_once = [&](Row row) {
    if (emitted.insert(row).second) out.push_back(std::move(row));
  };
  switch (op.kind) {
    case SetOperation::Kind::kUnion:
      for (Row& row : left) emit_once(std::move(row));
      for (Row& row : right) emit_once(std::move(row));
      break;
    case SetOperation::Kind::kIntersect:
      for (Row& row : left) {
        auto it = right_count.find(row);
        if (it == right_count.end() || it->second == 0) continue;
        if (op.all) {
          --it->second;
          out.push_back(std::move(row));
        } else {
          emit_once(std::move(row));
        }
      }
      break;
    case SetOperation::Kind::kExcept:
      for (Row& row : left) {
        auto it = right_count.find(row);
        if (op.all) {
          if (it != right_count.end() && it->second > 0) {
            --it->second;
          } else {
            out.push_back(std::move(row));
          }
        } else if (it == right_count.end()) {
          emit_once(std::move(row));
        }
      }
      break;
  }
  return out;
}

}  // namespace

const char* SetOperationName(SetOperation::Kind kind) {
  switch (kind) {
    case SetOperation::Kind::kUnion:
      return "UNION";
    case SetOperation::Kind::kIntersect:
      return "INTERSECT";
    case SetOperation::Kind::kExcept:
      return "EXCEPT";
  }
  return "";
}

std::optional<LogicalType> SetOperationType(LogicalType left, bool left_untyped, LogicalType right,
                                            bool right_untyped) {
  if (left_untyped) return right;
  if (right_untyped || left == right) return left;
  const auto either = [&](LogicalType x, LogicalType y) {
    return (left == x && right == y) || (left == y && right == x);
  };
  if (either(LogicalType::kBigInt, LogicalType::kDouble)) return LogicalType::kDouble;
  if (either(LogicalType::kDate, LogicalType::kTimestamp)) return LogicalType::kTimestamp;
  return std::nullopt;
}

std::vector<Vector> CombineAnswers(const BoundSetOperation& op, const std::vector<Vector>& left,
                                   const std::vector<Vector>& right,
                                   const std::vector<LogicalType>& types) {
  const std::vector<Row> rows = Combine(op, RowsOf(left, types), RowsOf(right, types));
  std::vector<Vector> out;
  for (LogicalType type : types) out.emplace_back(type);
  for (const Row& row : rows) {
    for (size_t c = 0; c < types.size(); ++c) AppendValue(row[c], &out[c]);
  }
  return out;
}

}  // namespace lake::sql
