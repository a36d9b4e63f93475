#include "sql/type_coercion.h"

#include <cmath>

#include "common/value_parse.h"
#include "sql/coercion_helpers.h"

namespace lake::sql {
namespace {

using coercion::Adaptable;
using coercion::Call;
using coercion::Constant;
using coercion::Fail;
using coercion::Is;
using coercion::IsNumeric;
using coercion::Lower;
using coercion::RequireArgumentType;
using coercion::RequireArity;
using coercion::TypeLabel;

bool IsNullLiteral(const BoundExpr& e) { return Adaptable(e) && e.constant.is_null; }

std::optional<LogicalType> TypeFromCastName(const std::string& name) {
  static const std::pair<const char*, LogicalType> kNames[] = {
      {"int8", LogicalType::kBigInt},
      {"bigint", LogicalType::kBigInt},
      {"int4", LogicalType::kBigInt},
      {"int", LogicalType::kBigInt},
      {"integer", LogicalType::kBigInt},
      {"int2", LogicalType::kBigInt},
      {"smallint", LogicalType::kBigInt},
      {"float8", LogicalType::kDouble},
      {"double", LogicalType::kDouble},
      {"float4", LogicalType::kDouble},
      {"float", LogicalType::kDouble},
      {"real", LogicalType::kDouble},
      {"numeric", LogicalType::kDouble},
      {"decimal", LogicalType::kDouble},
      {"bool", LogicalType::kBoolean},
      {"boolean", LogicalType::kBoolean},
      {"text", LogicalType::kVarchar},
      {"varchar", LogicalType::kVarchar},
      {"bpchar", LogicalType::kVarchar},
      {"string", LogicalType::kVarchar},
      {"date", LogicalType::kDate},
      {"timestamp", LogicalType::kTimestamp},
      {"timestamptz", LogicalType::kTimestamp}};
  for (const auto& [candidate, type] : kNames) {
    if (Is(name, candidate)) return type;
  }
  return std::nullopt;
}

BoundExprPtr UnknownLiteral(Value value, int location) {
  BoundExprPtr e = Constant(std::move(value), location);
  e->unknown = true;
  return e;
}

std::vector<BoundExprPtr> Pair(BoundExprPtr a, BoundExprPtr b) {
  std::vector<BoundExprPtr> v;
  v.push_back(std::move(a));
  v.push_back(std::move(b));
  return v;
}

// The type two typed expressions meet in, or nullopt.
std::optional<LogicalType> CommonTypeOf(LogicalType a, LogicalType b) {
  if (a == b) return a;
  if (IsNumeric(a) && IsNumeric(b)) return LogicalType::kDouble;
  const bool dates = (a == LogicalType::kDate || a == LogicalType::kTimestamp) &&
                     (b == LogicalType::kDate || b == LogicalType::kTimestamp);
  if (dates) return LogicalType::kTimestamp;
  return std::nullopt;
}

// The common type of `a` and `b` (an adaptable constant takes the other's type), or nullopt.
std::optional<LogicalType> CommonType(const BoundExpr& a, const BoundExpr& b) {
  if (Adaptable(a) && !Adaptable(b)) return b.type;
  if (Adaptable(b) && !Adaptable(a)) return a.type;
  return CommonTypeOf(a.type, b.type);
}

// Folds a constant to `type` at bind time, as CAST would at run time.
Value CastConstant(const BoundExpr& e, LogicalType type) {
  const Value& v = e.constant;
  if (v.is_null) return Value::Null(type);
  const std::string text = v.type == LogicalType::kVarchar ? v.text : v.ToString();
  auto invalid = [&]() {
    Fail("invalid input syntax for type " + TypeLabel(type) + ": \"" + text + "\"", e.location);
  };
  switch (type) {
    case LogicalType::kVarchar:
      return Value::Varchar(text);
    case LogicalType::kBigInt: {
      if (v.type == LogicalType::kDouble) {
        const double r = std::nearbyint(v.real);
        if (!(r >= -9.2233720368547758e18 && r < 9.2233720368547758e18)) {
          Fail("bigint out of range", e.location);
        }
        return Value::BigInt(static_cast<int64_t>(r));
      }
      if (v.type == LogicalType::kBoolean) return Value::BigInt(v.boolean ? 1 : 0);
      int64_t out;
      if (!ParseBigInt(text, &out)) invalid();
      return Value::BigInt(out);
    }
    case LogicalType::kDouble: {
      if (v.type == LogicalType::kBigInt) return Value::Double(static_cast<double>(v.integer));
      double out;
      if (!ParseDouble(text, &out)) invalid();
      return Value::Double(out);
    }
    case LogicalType::kBoolean: {
      if (v.type == LogicalType::kBigInt) return Value::Boolean(v.integer != 0);
      bool out;
      if (!ParseBoolean(text, &out)) invalid();
      return Value::Boolean(out);
    }
    case LogicalType::kDate: {
      if (v.type == LogicalType::kTimestamp) {
        return Value::Date(
            static_cast<int32_t>(v.integer / 86'400'000'000 - (v.integer % 86'400'000'000 < 0)));
      }
      int32_t out;
      if (!ParseDate(text, &out)) invalid();
      return Value::Date(out);
    }
    case LogicalType::kTimestamp: {
      if (v.type == LogicalType::kDate) return Value::Timestamp(v.integer * 86'400'000'000);
      int64_t out;
      if (!ParseTimestamp(text, &out)) invalid();
      return Value::Timestamp(out);
    }
  }
  Fail("cannot cast to " + TypeLabel(type), e.location);
}

ScalarOp ComparisonOp(const std::string& op) {
  if (op == "=") return ScalarOp::kEqual;
  if (op == "<>") return ScalarOp::kNotEqual;
  if (op == "<") return ScalarOp::kLess;
  if (op == "<=") return ScalarOp::kLessEqual;
  if (op == ">") return ScalarOp::kGreater;
  return ScalarOp::kGreaterEqual;
}

}  // namespace

BoundExprPtr TypeCoercion::CastTo(BoundExprPtr e, LogicalType type) {
  if (e->type == type && !(e->kind == BoundExpr::Kind::kConstant && e->constant.is_null)) {
    e->unknown = false;  // its type is decided now
    return e;
  }
  if (e->kind == BoundExpr::Kind::kConstant) return Constant(CastConstant(*e, type), e->location);
  const int location = e->location;
  std::vector<BoundExprPtr> children;
  children.push_back(std::move(e));
  return Call(ScalarOp::kCast, type, location, std::move(children));
}

void TypeCoercion::Unify(std::vector<BoundExprPtr>* exprs, const std::string& what, int location) {
  // The typed expressions decide; adaptable constants (NULL, string literals) follow.
  std::optional<LogicalType> type;
  for (const BoundExprPtr& e : *exprs) {
    if (Adaptable(*e)) continue;
    if (!type) {
      type = e->type;
      continue;
    }
    std::optional<LogicalType> common = CommonTypeOf(*type, e->type);
    if (!common) {
      Fail(
          what + " types " + TypeLabel(*type) + " and " + TypeLabel(e->type) + " cannot be matched",
          e->location >= 0 ? e->location : location);
    }
    type = common;
  }
  for (BoundExprPtr& e : *exprs) e = CastTo(std::move(e), type.value_or(LogicalType::kVarchar));
}

BoundExprPtr TypeCoercion::InList(std::vector<BoundExprPtr> values, bool negated, int location) {
  Unify(&values, "IN", location);
  BoundExprPtr in = Call(ScalarOp::kIn, LogicalType::kBoolean, location, std::move(values));
  if (!negated) return in;
  std::vector<BoundExprPtr> c;
  c.push_back(std::move(in));
  return Call(ScalarOp::kNot, LogicalType::kBoolean, location, std::move(c));
}

BoundExprPtr TypeCoercion::RequireBoolean(BoundExprPtr e, const char* clause) {
  if (e->type == LogicalType::kBoolean) return e;
  if (Adaptable(*e)) return CastTo(std::move(e), LogicalType::kBoolean);
  Fail(std::string("argument of ") + clause + " must be type boolean, not type " +
           TypeLabel(e->type),
       e->location);
}

LogicalType TypeCoercion::AggregateType(const BoundAggregate& aggregate, const Expr& node) {
  switch (aggregate.kind) {
    case AggregateKind::kCountStar:
    case AggregateKind::kCount:
      return LogicalType::kBigInt;
    case AggregateKind::kMin:
    case AggregateKind::kMax:
      return aggregate.argument->type;
    case AggregateKind::kSum:
    case AggregateKind::kAvg:
    case AggregateKind::kVarSamp:
    case AggregateKind::kVarPop:
    case AggregateKind::kStddevSamp:
    case AggregateKind::kStddevPop:
      if (!IsNumeric(aggregate.argument->type)) {
        Fail("function " + Lower(node.name) + "(" + TypeLabel(aggregate.argument->type) +
                 ") does not exist",
             node.location);
      }
      return aggregate.kind == AggregateKind::kSum ? aggregate.argument->type
                                                   : LogicalType::kDouble;
    case AggregateKind::kApproxCountDistinct:
      return LogicalType::kBigInt;
  }
  return LogicalType::kBigInt;
}

BoundExprPtr TypeCoercion::BindTree(const Expr& e, const LeafBinder& leaf) {
  if (BoundExprPtr bound = leaf(e)) return bound;
  return BindNode(e, leaf);
}

BoundExprPtr TypeCoercion::BindNode(const Expr& e, const LeafBinder& leaf) {
  auto child = [&](size_t i) { return BindTree(*e.children[i], leaf); };
  switch (e.kind) {
    case ExprKind::kLiteral: {
      const Literal& lit = e.literal;
      switch (lit.kind) {
        case Literal::Kind::kNull:
          return UnknownLiteral(Value::Null(LogicalType::kVarchar), e.location);
        case Literal::Kind::kInteger:
          return Constant(Value::BigInt(lit.integer), e.location);
        case Literal::Kind::kBoolean:
          return Constant(Value::Boolean(lit.boolean), e.location);
        case Literal::Kind::kString:
          return UnknownLiteral(Value::Varchar(lit.text), e.location);
        case Literal::Kind::kDecimal: {
          int64_t i;
          if (ParseBigInt(lit.text, &i)) return Constant(Value::BigInt(i), e.location);
          double d;
          if (!ParseDouble(lit.text, &d))
            Fail("numeric literal out of range: " + lit.text, e.location);
          return Constant(Value::Double(d), e.location);
        }
      }
      break;
    }
    case ExprKind::kColumn:
      break;  // the leaf binder owns columns
    case ExprKind::kStar:
      Fail("* is only allowed as a select item or in COUNT(*)", e.location);
    case ExprKind::kSubquery:
      Fail("a subquery is not allowed here", e.location);
    case ExprKind::kUnary: {
      BoundExprPtr operand = child(0);
      if (e.name == "NOT") {
        std::vector<BoundExprPtr> c;
        c.push_back(RequireBoolean(std::move(operand), "NOT"));
        return Call(ScalarOp::kNot, LogicalType::kBoolean, e.location, std::move(c));
      }
      if (Adaptable(*operand)) operand = CastTo(std::move(operand), LogicalType::kBigInt);
      if (!IsNumeric(operand->type)) {
        Fail("operator does not exist: " + e.name + " " + TypeLabel(operand->type), e.location);
      }
      if (e.name == "+") return operand;
      const LogicalType type = operand->type;
      std::vector<BoundExprPtr> c;
      c.push_back(std::move(operand));
      return Call(ScalarOp::kNegate, type, e.location, std::move(c));
    }
    case ExprKind::kBinary:
      return BindBinary(e, leaf);
    case ExprKind::kFunction:
      return BindFunction(e, leaf);
    case ExprKind::kCase:
      return BindCase(e, leaf);
    case ExprKind::kCast: {
      const std::optional<LogicalType> type = TypeFromCastName(e.name);
      if (!type) Fail("type \"" + e.name + "\" does not exist", e.location);
      return CastTo(child(0), *type);
    }
    case ExprKind::kIn: {
      std::vector<BoundExprPtr> values;
      for (size_t i = 0; i < e.children.size(); ++i) values.push_back(child(i));
      return InList(std::move(values), e.negated, e.location);
    }
    case ExprKind::kBetween: {
      // x BETWEEN a AND b is x >= a AND x <= b (x is evaluated twice, as in PostgreSQL).
      std::vector<BoundExprPtr> low = Pair(child(0), child(1));
      Unify(&low, "BETWEEN", e.location);
      std::vector<BoundExprPtr> high = Pair(child(0), child(2));
      Unify(&high, "BETWEEN", e.location);
      BoundExprPtr both = Call(
          ScalarOp::kAnd, LogicalType::kBoolean, e.location,
          Pair(Call(ScalarOp::kGreaterEqual, LogicalType::kBoolean, e.location, std::move(low)),
               Call(ScalarOp::kLessEqual, LogicalType::kBoolean, e.location, std::move(high))));
      if (!e.negated) return both;
      std::vector<BoundExprPtr> c;
      c.push_back(std::move(both));
      return Call(ScalarOp::kNot, LogicalType::kBoolean, e.location, std::move(c));
    }
    case ExprKind::kLike: {
      std::vector<BoundExprPtr> c = Pair(child(0), child(1));
      for (BoundExprPtr& x : c) {
        if (Adaptable(*x)) x = CastTo(std::move(x), LogicalType::kVarchar);
        if (x->type != LogicalType::kVarchar) {
          Fail("operator does not exist: " + TypeLabel(x->type) +
                   (e.case_insensitive ? " ~~* " : " ~~ ") + "unknown",
               x->location);
        }
      }
      BoundExprPtr like = Call(e.case_insensitive ? ScalarOp::kILike : ScalarOp::kLike,
                               LogicalType::kBoolean, e.location, std::move(c));
      if (!e.negated) return like;
      std::vector<BoundExprPtr> n;
      n.push_back(std::move(like));
      return Call(ScalarOp::kNot, LogicalType::kBoolean, e.location, std::move(n));
    }
    case ExprKind::kIsNull: {
      std::vector<BoundExprPtr> c;
      c.push_back(child(0));
      return Call(e.negated ? ScalarOp::kIsNotNull : ScalarOp::kIsNull, LogicalType::kBoolean,
                  e.location, std::move(c));
    }
    case ExprKind::kCoalesce: {
      std::vector<BoundExprPtr> values;
      for (size_t i = 0; i < e.children.size(); ++i) values.push_back(child(i));
      Unify(&values, "COALESCE", e.location);
      const LogicalType type = values[0]->type;
      return Call(ScalarOp::kCoalesce, type, e.location, std::move(values));
    }
  }
  Fail("unsupported expression", e.location);
}

BoundExprPtr TypeCoercion::BindBinary(const Expr& e, const LeafBinder& leaf) {
  const std::string& op = e.name;
  BoundExprPtr left = BindTree(*e.children[0], leaf);
  BoundExprPtr right = BindTree(*e.children[1], leaf);
  if (op == "AND" || op == "OR") {
    return Call(op == "AND" ? ScalarOp::kAnd : ScalarOp::kOr, LogicalType::kBoolean, e.location,
                Pair(RequireBoolean(std::move(left), op.c_str()),
                     RequireBoolean(std::move(right), op.c_str())));
  }
  if (op == "||") {
    return Call(ScalarOp::kConcat, LogicalType::kVarchar, e.location,
                Pair(CastTo(std::move(left), LogicalType::kVarchar),
                     CastTo(std::move(right), LogicalType::kVarchar)));
  }
  const bool comparison =
      op == "=" || op == "<>" || op == "<" || op == "<=" || op == ">" || op == ">=";
  if (comparison) {
    std::optional<LogicalType> type = CommonType(*left, *right);
    if (!type) {
      Fail("operator does not exist: " + TypeLabel(left->type) + " " + op + " " +
               TypeLabel(right->type),
           e.location);
    }
    return Call(ComparisonOp(op), LogicalType::kBoolean, e.location,
                Pair(CastTo(std::move(left), *type), CastTo(std::move(right), *type)));
  }
  // Arithmetic: a string literal or NULL beside a number takes the number's type. NULL beside
  // NULL is taken as BIGINT (PostgreSQL finds the operator ambiguous; any choice gives NULL).
  if (IsNullLiteral(*left) && IsNullLiteral(*right)) {
    left = CastTo(std::move(left), LogicalType::kBigInt);
    right = CastTo(std::move(right), LogicalType::kBigInt);
  }
  if (Adaptable(*left) && IsNumeric(right->type)) left = CastTo(std::move(left), right->type);
  if (Adaptable(*right) && IsNumeric(left->type)) right = CastTo(std::move(right), left->type);
  if (!IsNumeric(left->type) || !IsNumeric(right->type)) {
    Fail("operator does not exist: " + TypeLabel(left->type) + " " + op + " " +
             TypeLabel(right->type),
         e.location);
  }
  const LogicalType type = left->type == LogicalType::kBigInt && right->type == LogicalType::kBigInt
                               ? LogicalType::kBigInt
                               : LogicalType::kDouble;
  ScalarOp arithmetic = ScalarOp::kAdd;
  if (op == "-")
    arithmetic = ScalarOp::kSubtract;
  else if (op == "*")
    arithmetic = ScalarOp::kMultiply;
  else if (op == "/")
    arithmetic = ScalarOp::kDivide;
  else if (op == "%")
    arithmetic = ScalarOp::kModulo;
  else if (op != "+")
    Fail("operator does not exist: " + op, e.location);
  return Call(arithmetic, type, e.location,
              Pair(CastTo(std::move(left), type), CastTo(std::move(right), type)));
}

BoundExprPtr TypeCoercion::BindFunction(const Expr& e, const LeafBinder& leaf) {
  if (e.filter) {
    Fail("FILTER specified, but " + Lower(e.name) + " is not an aggregate function", e.location);
  }
  std::vector<BoundExprPtr> args;
  for (const ExprPtr& arg : e.children) args.push_back(BindTree(*arg, leaf));
  auto arity = [&](size_t min, size_t max) { RequireArity(e, args, min, max); };
  auto require = [&](size_t i, LogicalType type) { RequireArgumentType(*this, e, &args, i, type); };
  if (Is(e.name, "nullif")) {
    // PostgreSQL's NULLIF(a, b): a and b meet in a = b's type, which is also the result's.
    arity(2, 2);
    std::optional<LogicalType> type = CommonType(*args[0], *args[1]);
    if (!type) {
      Fail(
          "operator does not exist: " + TypeLabel(args[0]->type) + " = " + TypeLabel(args[1]->type),
          e.location);
    }
    for (BoundExprPtr& arg : args) arg = CastTo(std::move(arg), *type);
    return Call(ScalarOp::kNullIf, *type, e.location, std::move(args));
  }
  if (Is(e.name, "round")) {
    arity(1, 2);
    require(0, LogicalType::kDouble);
    if (args.size() == 2) require(1, LogicalType::kBigInt);
    return Call(ScalarOp::kRound, LogicalType::kDouble, e.location, std::move(args));
  }
  if (Is(e.name, "abs")) {
    arity(1, 1);
    if (Adaptable(*args[0])) require(0, LogicalType::kDouble);
    if (!IsNumeric(args[0]->type)) require(0, LogicalType::kDouble);
    const LogicalType type = args[0]->type;
    return Call(ScalarOp::kAbs, type, e.location, std::move(args));
  }
  if (Is(e.name, "lower") || Is(e.name, "upper")) {
    arity(1, 1);
    require(0, LogicalType::kVarchar);
    return Call(Is(e.name, "lower") ? ScalarOp::kLower : ScalarOp::kUpper, LogicalType::kVarchar,
                e.location, std::move(args));
  }
  if (Is(e.name, "length") || Is(e.name, "char_length")) {
    arity(1, 1);
    require(0, LogicalType::kVarchar);
    return Call(ScalarOp::kLength, LogicalType::kBigInt, e.location, std::move(args));
  }
  if (Is(e.name, "substring") || Is(e.name, "substr")) {
    arity(2, 3);
    require(0, LogicalType::kVarchar);
    for (size_t i = 1; i < args.size(); ++i) require(i, LogicalType::kBigInt);
    return Call(ScalarOp::kSubstring, LogicalType::kVarchar, e.location, std::move(args));
  }
  if (BoundExprPtr bound = BindMoreFunction(e, &args)) return bound;
  Fail("function " + Lower(e.name) + " does not exist", e.location);
}

BoundExprPtr TypeCoercion::BindCase(const Expr& e, const LeafBinder& leaf) {
  size_t next = 0;
  BoundExprPtr operand;
  if (e.has_operand) operand = BindTree(*e.children[next++], leaf);
  const size_t whens_end = e.children.size() - (e.has_else ? 1 : 0);
  std::vector<BoundExprPtr> conditions;
  std::vector<BoundExprPtr> results;
  for (; next < whens_end; next += 2) {
    BoundExprPtr when = BindTree(*e.children[next], leaf);
    if (operand) {
      // CASE x WHEN v is CASE WHEN x = v (x is evaluated once per WHEN, as in PostgreSQL).
      BoundExprPtr x = BindTree(*e.children[0], leaf);
      std::optional<LogicalType> type = CommonType(*x, *when);
      if (!type)
        Fail("CASE types " + TypeLabel(x->type) + " and " + TypeLabel(when->type) +
                 " cannot be matched",
             when->location);
      const int location = when->location;  // read before `when` is moved from
      when = Call(ScalarOp::kEqual, LogicalType::kBoolean, location,
                  Pair(CastTo(std::move(x), *type), CastTo(std::move(when), *type)));
    }
    conditions.push_back(RequireBoolean(std::move(when), "CASE/WHEN"));
    results.push_back(BindTree(*e.children[next + 1], leaf));
  }
  // A missing ELSE is ELSE NULL, a bare NULL that the other results type.
  results.push_back(e.has_else ? BindTree(*e.children.back(), leaf)
                               : UnknownLiteral(Value::Null(LogicalType::kVarchar), e.location));
  Unify(&results, "CASE", e.location);
  const LogicalType type = results[0]->type;
  std::vector<BoundExprPtr> children;
  for (size_t i = 0; i < conditions.size(); ++i) {
    children.push_back(std::move(conditions[i]));
    children.push_back(std::move(results[i]));
  }
  children.push_back(std::move(results.back()));
  return Call(ScalarOp::kCase, type, e.location, std::move(children));
}

}  // namespace lake::sql
