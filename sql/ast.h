// The SQL abstract syntax tree: what the parser front end (parser.h) makes of the PostgreSQL
// grammar's parse tree, restricted to our dialect (docs/ARCHITECTURE.md). Every node keeps the byte
// offset of its text in the query (`location`, -1 if unknown), so later stages can name positions
// in their errors. Names are lower-cased unless they were quoted, as PostgreSQL does.
// Thread-safety: value types.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sql/window_frame.h"

namespace lake::sql {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;
struct SelectStatement;

// A literal as written: NULL, integer, decimal or float (kept as text for exact typing later),
// string or boolean.
struct Literal {
  enum class Kind { kNull, kInteger, kDecimal, kString, kBoolean };
  Kind kind = Kind::kNull;
  int64_t integer = 0;
  std::string text;  // kDecimal digits as written, or the kString value
  bool boolean = false;
};

enum class ExprKind {
  kColumn,    // name
  kLiteral,   // literal
  kStar,      // * in a select list
  kUnary,     // op ("-", "+", "NOT") children[0]
  kBinary,    // op ("+", "-", "*", "/", "%", "||", "=", "<>", "<", "<=", ">", ">=", "AND", "OR")
  kFunction,  // name, children = arguments, distinct, star (COUNT(*))
  kCase,      // children = [operand?] + (when, then)* + [else?]: see has_operand/has_else
  kCast,      // children[0] AS type_name
  kIn,        // children[0] [NOT] IN (children[1..])
  kBetween,   // children[0] [NOT] BETWEEN children[1] AND children[2]
  kLike,      // children[0] [NOT] LIKE|ILIKE children[1]
  kIsNull,    // children[0] IS [NOT] NULL
  kCoalesce,  // COALESCE(children...)
  // (SELECT ...) as a value (name "scalar"), EXISTS (SELECT ...) (name "exists"), or the list
  // of x IN (SELECT ...) (name "in": the second child of a kIn).
  kSubquery,
};

struct WindowSpec;

struct Expr {
  ExprKind kind;
  int location = -1;
  std::string name;       // column, function or type name; operator for kUnary / kBinary
  std::string qualifier;  // kColumn, kStar: the table or alias before the dot (t.x, t.*), or empty
  Literal literal;
  std::vector<ExprPtr> children;
  ExprPtr filter;                 // kFunction: an aggregate's FILTER (WHERE ...) condition
  bool negated = false;           // NOT IN, NOT BETWEEN, NOT LIKE, IS NOT NULL
  bool distinct = false;          // COUNT(DISTINCT x)
  bool star = false;              // COUNT(*)
  bool case_insensitive = false;  // ILIKE
  bool has_operand = false;       // CASE x WHEN ...
  bool has_else = false;
  std::shared_ptr<SelectStatement> subquery;  // kSubquery
  std::shared_ptr<WindowSpec> over;           // kFunction: f(...) OVER (...), a window function

  explicit Expr(ExprKind k, int loc = -1) : kind(k), location(loc) {}
};

struct SelectItem {
  ExprPtr expr;
  std::string alias;  // empty if none was given
};

struct OrderItem {
  ExprPtr expr;
  bool descending = false;
  std::optional<bool> nulls_first;  // unset: NULLS LAST either way (the binder's default)
};

// OVER (PARTITION BY ... ORDER BY ... frame).
struct WindowSpec {
  std::vector<ExprPtr> partition_by;
  std::vector<OrderItem> order_by;
  WindowFrame frame;
};

// A FROM clause with more than one table: a tree of table references and joins. Comma lists
// arrive as CROSS joins (their conditions are in WHERE).
enum class JoinType { kInner, kLeft, kRight, kFull, kCross };

struct TableRef;
using TableRefPtr = std::unique_ptr<TableRef>;

struct TableRef {
  enum class Kind { kTable, kJoin, kSubquery };
  Kind kind = Kind::kTable;
  int location = -1;
  std::string table;  // kTable
  std::string alias;  // kTable: empty if none was given; kSubquery: always given
  std::shared_ptr<SelectStatement> subquery;  // kSubquery: (SELECT ...) AS alias
  std::vector<std::string> column_aliases;    // kSubquery: AS alias (a, b): its columns renamed
  JoinType join_type = JoinType::kInner;      // kJoin
  TableRefPtr left, right;
  ExprPtr on;                              // null for CROSS, USING and NATURAL
  std::vector<std::string> using_columns;  // JOIN ... USING (a, b)
  bool natural = false;
};

// WITH name AS (query): a query FROM clauses below it may name as a table.
struct CommonTable {
  std::string name;
  std::shared_ptr<SelectStatement> query;
  std::vector<std::string> column_aliases;  // WITH name (a, b) AS (...): its columns renamed
  int location = -1;
};

// left UNION|INTERSECT|EXCEPT [ALL] right, at the top of a statement: the SELECT holding it has
// only its ORDER BY (over output columns), LIMIT and OFFSET besides.
struct SetOperation {
  enum class Kind { kUnion, kIntersect, kExcept };
  Kind kind = Kind::kUnion;
  bool all = false;
  std::shared_ptr<SelectStatement> left, right;  // each a SELECT or a set operation
  int location = -1;                             // of the statement (the tree has no other)
};

struct SelectStatement {
  std::shared_ptr<SetOperation> set_operation;  // set: this SELECT is that set operation
  std::vector<CommonTable> with;                // in order: each may name those before it
  bool distinct = false;
  std::vector<SelectItem> items;
  std::string table;  // one table: its name; empty for SELECT without FROM or with `from`
  std::string table_alias;
  int table_location = -1;
  TableRefPtr from;  // set when FROM joins tables (then `table` is empty)
  ExprPtr where;
  std::vector<ExprPtr> group_by;
  ExprPtr having;
  std::vector<OrderItem> order_by;
  std::optional<int64_t> limit;
  std::optional<int64_t> offset;
};

struct Statement {
  enum class Kind { kSelect, kShowTables, kDescribe };
  Kind kind = Kind::kSelect;
  SelectStatement select;  // kSelect
  std::string table;       // kDescribe
  int location = 0;        // where the statement starts in the text
  std::string text;        // the statement's own text
};

}  // namespace lake::sql
