#include "sql/set_operation.h"

#include <strings.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace lake::sql {
namespace {

constexpr int64_t kMicrosPerDay = int64_t{86'400'000'000};

// The type both sides' column takes, or nullopt if they do not match.
std::optional<LogicalType> CommonType(LogicalType a, LogicalType b) {
  if (a == b) return a;
  const auto either = [&](LogicalType x, LogicalType y) {
    return (a == x && b == y) || (a == y && b == x);
  };
  if (either(LogicalType::kBigInt, LogicalType::kDouble)) return LogicalType::kDouble;
  if (either(LogicalType::kDate, LogicalType::kTimestamp)) return LogicalType::kTimestamp;
  return std::nullopt;
}

// `v` as a value of `type`, one CommonType chose for it.
Value Widen(Value v, LogicalType type) {
  if (v.type == type) return v;
  if (v.is_null) return Value::Null(type);
  if (type == LogicalType::kDouble) return Value::Double(static_cast<double>(v.integer));
  return Value::Timestamp(v.integer * kMicrosPerDay);  // a DATE's days
}

const char* NameOf(SetOperation::Kind kind) {
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

// Left's column types and names, both sides' values widened to them.
Status Align(const SetOperation& op, QueryResult* left, QueryResult* right) {
  const int position = std::max(0, op.location) + 1;
  if (left->types.size() != right->types.size()) {
    return Status::InvalidArgumentAt(
        std::string("each ") + NameOf(op.kind) + " query must have the same number of columns",
        position);
  }
  for (size_t c = 0; c < left->types.size(); ++c) {
    const std::optional<LogicalType> type = CommonType(left->types[c], right->types[c]);
    if (!type) {
      return Status::InvalidArgumentAt(
          std::string(NameOf(op.kind)) + " types " + std::string(TypeName(left->types[c])) +
              " and " + std::string(TypeName(right->types[c])) + " cannot be matched",
          position);
    }
    for (QueryResult* side : {left, right}) {
      side->types[c] = *type;
      for (Row& row : side->rows) row[c] = Widen(std::move(row[c]), *type);
    }
  }
  return Status::OK();
}

// The rows of `op` over its two aligned sides, in the order they first appear.
std::vector<Row> Combine(const SetOperation& op, std::vector<Row> left, std::vector<Row> right) {
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

// The output column an ORDER BY item names: by name, or by position (ORDER BY 2).
Result<size_t> SortColumn(const OrderItem& item, const std::vector<std::string>& names) {
  const Expr& e = *item.expr;
  if (e.kind == ExprKind::kLiteral && e.literal.kind == Literal::Kind::kInteger &&
      e.literal.integer >= 1 && static_cast<size_t>(e.literal.integer) <= names.size()) {
    return static_cast<size_t>(e.literal.integer - 1);
  }
  if (e.kind == ExprKind::kColumn && e.qualifier.empty()) {
    for (size_t c = 0; c < names.size(); ++c) {
      if (names[c] == e.name) return c;
    }
    for (size_t c = 0; c < names.size(); ++c) {
      if (strcasecmp(names[c].c_str(), e.name.c_str()) == 0) return c;
    }
  }
  return Status::InvalidArgumentAt(
      "ORDER BY of a UNION, INTERSECT or EXCEPT names an output column or its position",
      std::max(0, e.location) + 1);
}

}  // namespace

Result<QueryResult> RunSetOperation(const SelectStatement& select, const SelectRunner& run_side) {
  const SetOperation& op = *select.set_operation;
  LAKE_ASSIGN_OR_RETURN(QueryResult left, run_side(*op.left));
  LAKE_ASSIGN_OR_RETURN(QueryResult right, run_side(*op.right));
  LAKE_RETURN_IF_ERROR(Align(op, &left, &right));
  QueryResult out;
  out.names = std::move(left.names);
  out.types = std::move(left.types);
  out.chunks_scanned = left.chunks_scanned + right.chunks_scanned;
  out.chunks_pruned = left.chunks_pruned + right.chunks_pruned;
  out.rows = Combine(op, std::move(left.rows), std::move(right.rows));

  if (!select.order_by.empty()) {
    std::vector<std::pair<size_t, const OrderItem*>> keys;
    for (const OrderItem& item : select.order_by) {
      LAKE_ASSIGN_OR_RETURN(size_t column, SortColumn(item, out.names));
      keys.emplace_back(column, &item);
    }
    std::stable_sort(out.rows.begin(), out.rows.end(), [&](const Row& a, const Row& b) {
      for (const auto& [c, item] : keys) {
        if (a[c].is_null != b[c].is_null) {
          // NULLs last unless NULLS FIRST says otherwise, as the engine's ORDER BY.
          const bool nulls_first = item->nulls_first.value_or(false);
          return a[c].is_null == nulls_first;
        }
        if (a[c].is_null) continue;
        const int cmp = CompareValues(a[c], b[c]);
        if (cmp != 0) return item->descending ? cmp > 0 : cmp < 0;
      }
      return false;
    });
  }
  const size_t offset = std::min<size_t>(out.rows.size(), select.offset.value_or(0));
  out.rows.erase(out.rows.begin(), out.rows.begin() + static_cast<std::ptrdiff_t>(offset));
  if (select.limit && out.rows.size() > static_cast<size_t>(*select.limit)) {
    out.rows.resize(static_cast<size_t>(*select.limit));
  }
  return out;
}

}  // namespace lake::sql
