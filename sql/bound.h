// The bound form of a query: names resolved to column indexes, every expression typed, constants
// coerced, aggregates pulled out. The binder (binder.h) makes it from the AST; the executor runs
// it. Expressions are evaluated over an input batch whose columns are said per field below.
// Thread-safety: value types (immutable once built).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/logical_type.h"
#include "sql/value.h"
#include "sql/window_frame.h"

namespace lake::sql {

// Scalar operations the executor implements. Plan fragments will carry them: never renumber.
enum class ScalarOp : uint8_t {
  kAdd = 1,  // numeric; BIGINT overflow is an error
  kSubtract = 2,
  kMultiply = 3,
  kDivide = 4,  // BIGINT / BIGINT truncates (PostgreSQL); division by zero is an error
  kModulo = 5,
  kNegate = 6,
  kEqual = 7,  // comparisons: both children of the same type (the binder casts)
  kNotEqual = 8,
  kLess = 9,
  kLessEqual = 10,
  kGreater = 11,
  kGreaterEqual = 12,
  kAnd = 13,  // three-valued logic
  kOr = 14,
  kNot = 15,
  kIsNull = 16,
  kIsNotNull = 17,
  kLike = 18,  // children: value, pattern (both VARCHAR)
  kILike = 19,
  kIn = 20,      // children: value, then the list (same type as the value)
  kConcat = 21,  // VARCHAR || VARCHAR
  kCoalesce = 22,
  kRound = 23,  // children: DOUBLE value [, BIGINT digits]
  kAbs = 24,
  kLower = 25,
  kUpper = 26,
  kLength = 27,     // characters, not bytes
  kSubstring = 28,  // children: value, BIGINT start (1-based) [, BIGINT length]
  kCase = 29,       // children: (condition, result)* then the else result (always present)
  kCast = 30,       // children[0] converted to the node's type; a failed conversion is an error
  kNullIf = 31,     // children: a, b of the node's type; NULL where a = b, else a
  // String functions (sql/string_functions.cc); VARCHAR children unless said.
  kStrpos = 32,   // children: text, substring; BIGINT 1-based character position, 0 if absent
  kReplace = 33,  // children: text, from, to; every non-overlapping `from` replaced
  kBTrim = 34,    // children: text [, characters (default " ")]; both ends
  kLTrim = 35,    // the start only
  kRTrim = 36,    // the end only
  kSplitPart =
      37,  // children: text, delimiter, BIGINT field (1-based; negative counts from the end)
  kGreatest = 38,  // children: any number of the node's type; NULLs skipped, NULL if all are
  kLeast = 39,
  // Date and time (sql/date_functions.cc). children[0] is a constant VARCHAR naming the unit or
  // field, already validated by the binder.
  kDateTrunc = 40,  // children: unit, TIMESTAMP; TIMESTAMP
  kExtract = 41,    // children: field, DATE or TIMESTAMP; DOUBLE
  // A correlated subquery: children are the outer values it names; `answers` holds its value
  // for each tuple of them (sql/correlated_answers.h).
  kCorrelated = 42,
};

class CorrelatedAnswers;

struct BoundExpr {
  enum class Kind { kColumn, kConstant, kCall };
  Kind kind = Kind::kConstant;
  LogicalType type = LogicalType::kVarchar;
  int location = -1;             // byte offset in the query text, for runtime errors
  size_t column = 0;             // kColumn: index into the input batch
  Value constant;                // kConstant
  ScalarOp op = ScalarOp::kAdd;  // kCall
  std::vector<std::unique_ptr<BoundExpr>> children;
  std::shared_ptr<const CorrelatedAnswers> answers;  // kCall kCorrelated
  // kConstant: a literal NULL or string, whose type PostgreSQL calls "unknown" until its context
  // (a comparison, an operator, a CASE or IN sibling, a function argument) decides it. `type` is
  // VARCHAR meanwhile, what an undecided one becomes. Only the binder reads it.
  bool unknown = false;
};
using BoundExprPtr = std::unique_ptr<BoundExpr>;

// A reference to column `column` of the input an expression is evaluated over.
inline BoundExprPtr ColumnReference(size_t column, LogicalType type, int location = -1) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = BoundExpr::Kind::kColumn;
  e->type = type;
  e->column = column;
  e->location = location;
  return e;
}

// Aggregates are init/update/combine/finalize state machines in the executor; never renumber.
enum class AggregateKind : uint8_t {
  kCountStar = 1,  // BIGINT
  kCount = 2,      // BIGINT, non-NULL arguments
  kSum = 3,        // BIGINT (overflow is an error) or DOUBLE; NULL over no rows
  kAvg = 4,        // DOUBLE
  kMin = 5,        // the argument's type
  kMax = 6,
  // DOUBLE over a numeric argument, from a mergeable (count, mean, M2) state: sample variants are
  // NULL under two inputs, population variants under one.
  kVarSamp = 7,
  kVarPop = 8,
  kStddevSamp = 9,
  kStddevPop = 10,
  // BIGINT: a HyperLogLog estimate of the distinct non-NULL values (sql/hyperloglog.h).
  kApproxCountDistinct = 11,
};

// The variance family: VAR_SAMP, VAR_POP, STDDEV_SAMP, STDDEV_POP.
inline bool IsMoment(AggregateKind kind) {
  return kind == AggregateKind::kVarSamp || kind == AggregateKind::kVarPop ||
         kind == AggregateKind::kStddevSamp || kind == AggregateKind::kStddevPop;
}

struct BoundAggregate {
  AggregateKind kind = AggregateKind::kCountStar;
  bool distinct = false;
  BoundExprPtr argument;  // over the scan batch; null for COUNT(*)
  LogicalType type = LogicalType::kBigInt;
};

struct BoundOrder {
  size_t column = 0;  // index into BoundSelect::projections
  bool descending = false;
  // Default NULLS LAST in both directions, as DuckDB (PostgreSQL puts them first when
  // descending); the shared benchmark's answers depend on it.
  bool nulls_first = false;
};

// A window function, computed over every intermediate row once they are all known (after
// HAVING), then read by the projections as a column after the intermediate row's. Its
// expressions are over the intermediate row.
struct BoundWindow {
  enum class Kind : uint8_t { kRowNumber, kRank, kDenseRank, kLag, kLead, kAggregate };
  Kind kind = Kind::kRowNumber;
  AggregateKind aggregate = AggregateKind::kCountStar;  // kAggregate: COUNT, SUM, AVG, MIN, MAX
  BoundExprPtr argument;  // null for ROW_NUMBER, RANK, DENSE_RANK and COUNT(*)
  int64_t offset = 1;     // kLag, kLead: how many rows back or ahead
  Value otherwise;        // kLag, kLead: the value past the partition's end (NULL by default)
  std::vector<BoundExprPtr> partition_by;
  std::vector<BoundExprPtr> order_keys;
  std::vector<BoundOrder> order;  // over order_keys (BoundOrder::column indexes them)
  WindowFrame frame;
  LogicalType type = LogicalType::kBigInt;
};

struct JoinRelation;       // sql/join_plan.h
struct BoundSetOperation;  // sql/set_operation.h

struct BoundSelect {
  // Set for a UNION, INTERSECT or EXCEPT: the answer is its sides' answers combined, then
  // `order_by`, `limit` and `offset`. `projections` are then typed references to its output
  // columns (what consumers read types from), `names` and `visible` describe them, and the rest
  // is unused.
  std::shared_ptr<const BoundSetOperation> set_operation;
  std::string table;  // empty: SELECT without FROM (one row, no columns)
  Schema table_schema;
  // Set for a FROM clause that joins tables: the input is then the relation `join` produces,
  // `table_schema` its columns, and `table` the table it is driven by (its chunks are the
  // query's chunks: a fragment joins its chunks of that table with the whole other sides).
  std::shared_ptr<const JoinRelation> join;
  // Projection pushdown: the scan batch's column i is table column scan_columns[i].
  std::vector<size_t> scan_columns;
  BoundExprPtr filter;  // over the scan batch; may be null

  // Aggregation. When `aggregated`, the intermediate row is [group keys..., aggregates...];
  // otherwise it is the scan batch.
  bool aggregated = false;
  std::vector<BoundExprPtr> group_keys;  // over the scan batch
  std::vector<BoundAggregate> aggregates;
  BoundExprPtr having;  // over the intermediate row; may be null

  // The output: projections over the intermediate row. The first `visible` are the answer's
  // columns; the rest are ORDER BY keys that are not in the select list.
  std::vector<BoundExprPtr> projections;
  std::vector<std::string> names;  // one per visible projection
  // Window functions: when any, a plain query's fragments send their filtered scan batch rather
  // than projections, and the root computes these over every intermediate row; projections read
  // window w as column (intermediate row width) + w.
  std::vector<BoundWindow> windows;
  size_t visible = 0;
  bool distinct = false;
  std::vector<BoundOrder> order_by;
  std::optional<int64_t> limit;
  int64_t offset = 0;
};

// The columns a plain (not aggregated) query's fragments send: its projections, or with window
// functions its scan batch (the table's scan_columns), which the windows read at the root.
inline std::vector<LogicalType> FragmentRowTypes(const BoundSelect& q) {
  std::vector<LogicalType> types;
  if (q.windows.empty()) {
    for (const BoundExprPtr& p : q.projections) types.push_back(p->type);
  } else {
    for (size_t c : q.scan_columns) types.push_back(q.table_schema[c].type);
  }
  return types;
}

struct BoundStatement {
  enum class Kind { kSelect, kShowTables, kDescribe };
  Kind kind = Kind::kSelect;
  BoundSelect select;  // kSelect
  std::string table;   // kDescribe
  Schema describe;     // kDescribe: the table's schema
};

}  // namespace lake::sql
