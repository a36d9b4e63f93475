// TypeCoercion: the binder's typing rules for every expression node that is not a column or an
// aggregate: which types an operator or function accepts, what it returns, and where an implicit
// cast goes. PostgreSQL's rules, reduced to our six types: BIGINT op DOUBLE is DOUBLE; DATE with
// TIMESTAMP compares as TIMESTAMP; a string literal or NULL takes the type its context needs
// (a literal that cannot be read as that type is an error at the literal); anything else that
// does not fit is an error naming the operator and both types. Casts of constants are folded.
// Thread-safety: stateless apart from its argument; not shared.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "sql/ast.h"
#include "sql/bound.h"

namespace lake::sql {

// How binding fails inside the binder; Bind() turns it into a Status: no exception leaves the module.
struct BindError {
  std::string message;
  int location;  // 0-based byte offset, -1 if unknown
};

class TypeCoercion {
 public:
  // `statement_time`: when the statement started (microseconds since the epoch, UTC), what
  // NOW(), CURRENT_TIMESTAMP and CURRENT_DATE return; without it they are an error.
  explicit TypeCoercion(std::optional<int64_t> statement_time = std::nullopt)
      : statement_time_(statement_time) {}

  // Binds the leaves it is given the first say on: columns, aggregates, group keys. Returns null
  // to let TypeCoercion bind the node itself.
  using LeafBinder = std::function<BoundExprPtr(const Expr&)>;

  // Binds `e`, asking `leaf` first at every node. Throws BindError.
  BoundExprPtr BindTree(const Expr& e, const LeafBinder& leaf);
  // `e` as a condition: BOOLEAN, or a NULL constant; else BindError naming `clause`.
  BoundExprPtr RequireBoolean(BoundExprPtr e, const char* clause);
  // The result type of an aggregate over its bound argument; BindError if it does not apply.
  LogicalType AggregateType(const BoundAggregate& aggregate, const Expr& node);
  // values[0] [NOT] IN (values[1..]), all cast to their common type.
  BoundExprPtr InList(std::vector<BoundExprPtr> values, bool negated, int location);
  // `e` converted to `type`: itself, a folded constant, or a kCast node.
  BoundExprPtr CastTo(BoundExprPtr e, LogicalType type);

 private:
  BoundExprPtr BindNode(const Expr& e, const LeafBinder& leaf);
  BoundExprPtr BindBinary(const Expr& e, const LeafBinder& leaf);
  BoundExprPtr BindFunction(const Expr& e, const LeafBinder& leaf);
  // The string, GREATEST/LEAST and date/time functions (function_coercion.cc) over bound
  // `args`; null if `e` names none of them.
  BoundExprPtr BindMoreFunction(const Expr& e, std::vector<BoundExprPtr>* args);
  BoundExprPtr BindCase(const Expr& e, const LeafBinder& leaf);
  // Casts every expression in `exprs` to their common type; `what` names the construct.
  void Unify(std::vector<BoundExprPtr>* exprs, const std::string& what, int location);

  std::optional<int64_t> statement_time_;
};

}  // namespace lake::sql
