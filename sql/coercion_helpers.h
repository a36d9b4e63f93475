// Internal to the binder (binder.cc, join_binder.cc) and its typing rules (type_coercion.cc,
// function_coercion.cc): the small helpers they use to build bound nodes and name types in
// errors. Not part of lake_sql's API.
// Thread-safety: pure functions.
#pragma once

#include <strings.h>

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "sql/bound.h"
#include "sql/type_coercion.h"

namespace lake::sql::coercion {

[[noreturn]] inline void Fail(const std::string& message, int location) {
  throw BindError{message, location};
}

inline bool Is(const std::string& name, const char* candidate) {
  return strcasecmp(name.c_str(), candidate) == 0;
}

inline bool IsNumeric(LogicalType t) {
  return t == LogicalType::kBigInt || t == LogicalType::kDouble;
}

inline std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

inline std::string TypeLabel(LogicalType t) { return Lower(TypeName(t)); }

// A literal whose type may still adapt to its context: NULL, or a string (PostgreSQL's
// "unknown"). A typed constant such as CAST(NULL AS BIGINT) keeps its type.
inline bool Adaptable(const BoundExpr& e) {
  return e.kind == BoundExpr::Kind::kConstant && e.unknown;
}

inline BoundExprPtr Constant(Value value, int location) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = BoundExpr::Kind::kConstant;
  e->type = value.type;
  e->constant = std::move(value);
  e->location = location;
  return e;
}

inline BoundExprPtr Call(ScalarOp op, LogicalType type, int location,
                         std::vector<BoundExprPtr> children) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = BoundExpr::Kind::kCall;
  e->op = op;
  e->type = type;
  e->location = location;
  e->children = std::move(children);
  return e;
}

// a AND b; just b when there is no a.
inline BoundExprPtr AndOf(BoundExprPtr a, BoundExprPtr b) {
  if (!a) return b;
  const int location = b->location;
  std::vector<BoundExprPtr> children;
  children.push_back(std::move(a));
  children.push_back(std::move(b));
  return Call(ScalarOp::kAnd, LogicalType::kBoolean, location, std::move(children));
}

// The checks of a call to function `e` over its bound `args`: BindError unless there are `min`
// to `max` of them, with neither * nor DISTINCT.
inline void RequireArity(const Expr& e, const std::vector<BoundExprPtr>& args, size_t min,
                         size_t max) {
  if (args.size() < min || args.size() > max || e.star || e.distinct) {
    Fail("function " + Lower(e.name) + " takes " + std::to_string(min) +
             (max != min ? " to " + std::to_string(max) : "") + " argument(s)",
         e.location);
  }
}

// Argument `i` of function `e` as `type`: an adaptable literal or another numeric type is cast;
// BindError if it is still of another type.
inline void RequireArgumentType(TypeCoercion& coercion, const Expr& e,
                                std::vector<BoundExprPtr>* args, size_t i, LogicalType type) {
  BoundExprPtr& arg = (*args)[i];
  if (Adaptable(*arg) || (IsNumeric(type) && IsNumeric(arg->type))) {
    arg = coercion.CastTo(std::move(arg), type);
  }
  if (arg->type != type) {
    Fail("function " + Lower(e.name) + " does not accept type " + TypeLabel(arg->type),
         arg->location);
  }
}

}  // namespace lake::sql::coercion
