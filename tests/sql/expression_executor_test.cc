#include "sql/expression_executor.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "common/value_parse.h"
#include "sql/value.h"

namespace lake::sql {
namespace {

using L = LogicalType;
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// --- Building inputs and expressions by hand ---------------------------------------------------

// A column of `type` whose rows are `values`; a NULL Value becomes a NULL row.
Vector Column(L type, const std::vector<Value>& values) {
  Vector v(type);
  for (const Value& value : values) {
    if (value.is_null) {
      v.AppendNull();
      continue;
    }
    switch (type) {
      case L::kBigInt:
      case L::kTimestamp:
        v.Append<int64_t>(value.integer);
        break;
      case L::kDouble:
        v.Append<double>(value.real);
        break;
      case L::kBoolean:
        v.Append<uint8_t>(value.boolean ? 1 : 0);
        break;
      case L::kDate:
        v.Append<int32_t>(static_cast<int32_t>(value.integer));
        break;
      case L::kVarchar:
        v.AppendString(value.text);
        break;
    }
  }
  return v;
}

Batch MakeBatch(std::vector<Vector> columns) {
  Schema schema;
  for (size_t i = 0; i < columns.size(); ++i)
    schema.push_back({"c" + std::to_string(i), columns[i].type()});
  Batch batch(schema);
  batch.CopyFrom(columns, 0, columns.empty() ? 0 : columns[0].size());
  return batch;
}

BoundExprPtr Col(size_t index, L type) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = BoundExpr::Kind::kColumn;
  e->type = type;
  e->column = index;
  return e;
}

BoundExprPtr Const(Value v) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = BoundExpr::Kind::kConstant;
  e->type = v.type;
  e->constant = std::move(v);
  return e;
}

BoundExprPtr Call(ScalarOp op, L type, std::vector<BoundExprPtr> children, int location = 0) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = BoundExpr::Kind::kCall;
  e->op = op;
  e->type = type;
  e->location = location;
  e->children = std::move(children);
  return e;
}

template <class... E>
std::vector<BoundExprPtr> Args(E... e) {
  std::vector<BoundExprPtr> v;
  (v.push_back(std::move(e)), ...);
  return v;
}

// Evaluates and returns every row; fails the test on an error.
std::vector<Value> Eval(const BoundExpr& expr, const Batch& batch) {
  Vector out(L::kBigInt);
  Status status = Evaluate(expr, batch, &out);
  INFO(status.ToString());
  REQUIRE(status.ok());
  REQUIRE(out.type() == expr.type);
  REQUIRE(out.size() == batch.rows());
  std::vector<Value> rows;
  size_t nulls = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    rows.push_back(ValueAt(out, i));
    nulls += !out.IsValid(i);
    if (!out.IsValid(i) && out.type() != L::kVarchar) {
      CHECK(std::memcmp(out.fixed_bytes().data() + i * FixedWidth(out.type()), "\0\0\0\0\0\0\0\0",
                        FixedWidth(out.type())) == 0);  // a NULL slot holds zero
    }
  }
  CHECK(out.null_count() == nulls);
  return rows;
}

std::string EvalError(const BoundExpr& expr, const Batch& batch) {
  Vector out(expr.type);
  Status status = Evaluate(expr, batch, &out);
  REQUIRE(status.IsInvalidArgument());
  return status.message();
}

Value N(L type) { return Value::Null(type); }
Value I(int64_t v) { return Value::BigInt(v); }
Value D(double v) { return Value::Double(v); }
Value B(bool v) { return Value::Boolean(v); }
Value S(std::string v) { return Value::Varchar(std::move(v)); }

// --- Arithmetic
// -----------------------------------------------------------------------------------

TEST_CASE("Executor BIGINT arithmetic propagates NULL and broadcasts constants", "[sql][expr]") {
  Batch batch = MakeBatch({Column(L::kBigInt, {I(7), I(-7), N(L::kBigInt), I(0)}),
                           Column(L::kBigInt, {I(2), I(2), I(3), N(L::kBigInt)})});
  auto bin = [&](ScalarOp op) {
    return Eval(*Call(op, L::kBigInt, Args(Col(0, L::kBigInt), Col(1, L::kBigInt))), batch);
  };
  CHECK(bin(ScalarOp::kAdd) == std::vector<Value>{I(9), I(-5), N(L::kBigInt), N(L::kBigInt)});
  CHECK(bin(ScalarOp::kSubtract) == std::vector<Value>{I(5), I(-9), N(L::kBigInt), N(L::kBigInt)});
  CHECK(bin(ScalarOp::kMultiply) ==
        std::vector<Value>{I(14), I(-14), N(L::kBigInt), N(L::kBigInt)});
  CHECK(bin(ScalarOp::kDivide) == std::vector<Value>{I(3), I(-3), N(L::kBigInt), N(L::kBigInt)});
  CHECK(bin(ScalarOp::kModulo) == std::vector<Value>{I(1), I(-1), N(L::kBigInt), N(L::kBigInt)});
  // Constant on either side, and a NULL constant.
  CHECK(Eval(*Call(ScalarOp::kSubtract, L::kBigInt, Args(Const(I(10)), Col(0, L::kBigInt))),
             batch) == std::vector<Value>{I(3), I(17), N(L::kBigInt), I(10)});
  CHECK(Eval(*Call(ScalarOp::kModulo, L::kBigInt, Args(Col(0, L::kBigInt), Const(I(-4)))), batch) ==
        std::vector<Value>{I(3), I(-3), N(L::kBigInt), I(0)});
  CHECK(Eval(*Call(ScalarOp::kAdd, L::kBigInt, Args(Col(0, L::kBigInt), Const(N(L::kBigInt)))),
             batch) == std::vector<Value>(4, N(L::kBigInt)));
  CHECK(Eval(*Call(ScalarOp::kNegate, L::kBigInt, Args(Col(0, L::kBigInt))), batch) ==
        std::vector<Value>{I(-7), I(7), N(L::kBigInt), I(0)});
  CHECK(Eval(*Call(ScalarOp::kAbs, L::kBigInt, Args(Col(0, L::kBigInt))), batch) ==
        std::vector<Value>{I(7), I(7), N(L::kBigInt), I(0)});
  CHECK(Eval(*Const(I(5)), batch) == std::vector<Value>(4, I(5)));
  CHECK(Eval(*Col(1, L::kBigInt), batch) == std::vector<Value>{I(2), I(2), I(3), N(L::kBigInt)});
}

TEST_CASE("Executor BIGINT overflow and division by zero name the position", "[sql][expr]") {
  Batch batch = MakeBatch({Column(L::kBigInt, {I(kMax), I(kMin), N(L::kBigInt), I(0)})});
  auto call = [&](ScalarOp op, Value rhs) {
    return Call(op, L::kBigInt, Args(Col(0, L::kBigInt), Const(rhs)), 11);
  };
  CHECK(EvalError(*call(ScalarOp::kAdd, I(1)), batch) == "bigint out of range (at position 12)");
  CHECK(EvalError(*call(ScalarOp::kSubtract, I(1)), batch) ==
        "bigint out of range (at position 12)");
  CHECK(EvalError(*call(ScalarOp::kMultiply, I(2)), batch) ==
        "bigint out of range (at position 12)");
  CHECK(EvalError(*call(ScalarOp::kDivide, I(-1)), batch) ==
        "bigint out of range (at position 12)");
  CHECK(EvalError(*call(ScalarOp::kDivide, I(0)), batch) == "division by zero (at position 12)");
  CHECK(EvalError(*call(ScalarOp::kModulo, I(0)), batch) == "division by zero (at position 12)");
  CHECK(EvalError(*Call(ScalarOp::kNegate, L::kBigInt, Args(Col(0, L::kBigInt)), 0), batch) ==
        "bigint out of range (at position 1)");
  CHECK(EvalError(*Call(ScalarOp::kAbs, L::kBigInt, Args(Col(0, L::kBigInt)), 4), batch) ==
        "bigint out of range (at position 5)");
  // kMin % -1 is 0, and NULL rows never fail: NULL - kMin, NULL / 0.
  CHECK(Eval(*call(ScalarOp::kModulo, I(-1)), batch) ==
        std::vector<Value>{I(0), I(0), N(L::kBigInt), I(0)});
  Batch nulls = MakeBatch(
      {Column(L::kBigInt, {N(L::kBigInt), I(1)}), Column(L::kBigInt, {I(kMin), N(L::kBigInt)})});
  CHECK(Eval(*Call(ScalarOp::kSubtract, L::kBigInt, Args(Col(0, L::kBigInt), Col(1, L::kBigInt))),
             nulls) == std::vector<Value>(2, N(L::kBigInt)));
  Batch zero =
      MakeBatch({Column(L::kBigInt, {N(L::kBigInt), I(4)}), Column(L::kBigInt, {I(0), I(2)})});
  CHECK(Eval(*Call(ScalarOp::kDivide, L::kBigInt, Args(Col(0, L::kBigInt), Col(1, L::kBigInt))),
             zero) == std::vector<Value>{N(L::kBigInt), I(2)});
}

TEST_CASE("Executor DOUBLE arithmetic, ROUND and ABS", "[sql][expr]") {
  Batch batch = MakeBatch({Column(L::kDouble, {D(7.5), D(-2.5), N(L::kDouble), D(0.125)})});
  auto x = [] { return Col(0, L::kDouble); };
  CHECK(Eval(*Call(ScalarOp::kDivide, L::kDouble, Args(x(), Const(D(2)))), batch) ==
        std::vector<Value>{D(3.75), D(-1.25), N(L::kDouble), D(0.0625)});
  CHECK(Eval(*Call(ScalarOp::kModulo, L::kDouble, Args(x(), Const(D(2)))), batch) ==
        std::vector<Value>{D(1.5), D(-0.5), N(L::kDouble), D(0.125)});
  CHECK(EvalError(*Call(ScalarOp::kDivide, L::kDouble, Args(x(), Const(D(0))), 3), batch) ==
        "division by zero (at position 4)");
  CHECK(EvalError(*Call(ScalarOp::kModulo, L::kDouble, Args(x(), Const(D(-0.0))), 3), batch) ==
        "division by zero (at position 4)");
  CHECK(Eval(*Call(ScalarOp::kMultiply, L::kDouble, Args(x(), Const(D(1e308)))), batch)[0].real ==
        INFINITY);
  CHECK(Eval(*Call(ScalarOp::kAbs, L::kDouble, Args(x())), batch) ==
        std::vector<Value>{D(7.5), D(2.5), N(L::kDouble), D(0.125)});
  CHECK(Eval(*Call(ScalarOp::kNegate, L::kDouble, Args(x())), batch) ==
        std::vector<Value>{D(-7.5), D(2.5), N(L::kDouble), D(-0.125)});
  // Half away from zero, at 0, positive and negative digits.
  CHECK(Eval(*Call(ScalarOp::kRound, L::kDouble, Args(x())), batch) ==
        std::vector<Value>{D(8), D(-3), N(L::kDouble), D(0)});
  struct Case {
    double x;
    int64_t digits;
    double expected;
  };
  for (const Case& c : std::vector<Case>{{2.675, 2, 2.68},
                                         {-2.675, 2, -2.68},
                                         {1.25, 1, 1.3},
                                         {0.125, 2, 0.13},
                                         {1234.5, -2, 1200},
                                         {1250, -2, 1300},
                                         {-1250, -2, -1300},
                                         {0.5, 0, 1},
                                         {-0.5, 0, -1},
                                         {1.23456789, 4, 1.2346},
                                         {5, -1, 10},
                                         {4.9, -1, 0},
                                         {99.95, 1, 100.0},
                                         {1e300, 2, 1e300},
                                         {123.0, -400, 0},
                                         {0.1, 400, 0.1}}) {
    INFO(c.x << " digits " << c.digits);
    Batch one = MakeBatch({Column(L::kDouble, {D(c.x)})});
    CHECK(Eval(*Call(ScalarOp::kRound, L::kDouble, Args(Col(0, L::kDouble), Const(I(c.digits)))),
               one)[0]
              .real == c.expected);
  }
  CHECK(Eval(*Call(ScalarOp::kRound, L::kDouble, Args(x(), Const(N(L::kBigInt)))), batch) ==
        std::vector<Value>(4, N(L::kDouble)));
}

// --- Comparisons and logic
// ------------------------------------------------------------------------

std::vector<Value> Compare(ScalarOp op, L type, const std::vector<Value>& a,
                           const std::vector<Value>& b) {
  Batch batch = MakeBatch({Column(type, a), Column(type, b)});
  return Eval(*Call(op, L::kBoolean, Args(Col(0, type), Col(1, type))), batch);
}

TEST_CASE("Executor comparisons on every type", "[sql][expr]") {
  const Value n = N(L::kBoolean);
  CHECK(Compare(ScalarOp::kLess, L::kBigInt, {I(1), I(2), I(3), N(L::kBigInt)},
                {I(2), I(2), I(2), I(1)}) == std::vector<Value>{B(true), B(false), B(false), n});
  CHECK(Compare(ScalarOp::kLessEqual, L::kDouble, {D(1), D(2), D(-0.0), N(L::kDouble)},
                {D(2), D(2), D(0.0), D(1)}) == std::vector<Value>{B(true), B(true), B(true), n});
  CHECK(Compare(ScalarOp::kGreater, L::kBoolean, {B(true), B(false), B(true)},
                {B(false), B(true), B(true)}) == std::vector<Value>{B(true), B(false), B(false)});
  // Bytewise UTF-8: "é" (C3 A9) sorts after "z"; a prefix sorts first.
  CHECK(Compare(ScalarOp::kLess, L::kVarchar, {S("z"), S("ab"), S("a"), S(""), N(L::kVarchar)},
                {S("é"), S("abc"), S("B"), S(""), S("x")}) ==
        std::vector<Value>{B(true), B(true), B(false), B(false), n});
  CHECK(Compare(ScalarOp::kEqual, L::kVarchar, {S("héllo"), S("a"), S("")},
                {S("héllo"), S("A"), S("")}) == std::vector<Value>{B(true), B(false), B(true)});
  CHECK(Compare(ScalarOp::kGreaterEqual, L::kDate, {Value::Date(5), Value::Date(-1)},
                {Value::Date(5), Value::Date(0)}) == std::vector<Value>{B(true), B(false)});
  CHECK(Compare(ScalarOp::kNotEqual, L::kTimestamp, {Value::Timestamp(5), Value::Timestamp(-1)},
                {Value::Timestamp(5), Value::Timestamp(0)}) ==
        std::vector<Value>{B(false), B(true)});
  // NaN equals NaN and sorts above everything (PostgreSQL).
  const double nan = std::nan("");
  CHECK(Compare(ScalarOp::kEqual, L::kDouble, {D(nan), D(nan)}, {D(nan), D(1)}) ==
        std::vector<Value>{B(true), B(false)});
  CHECK(Compare(ScalarOp::kGreater, L::kDouble, {D(nan), D(INFINITY)}, {D(INFINITY), D(nan)}) ==
        std::vector<Value>{B(true), B(false)});
  // Constant sides, either way round.
  Batch batch = MakeBatch({Column(L::kVarchar, {S("b"), S("a"), N(L::kVarchar)})});
  CHECK(Eval(*Call(ScalarOp::kGreater, L::kBoolean, Args(Const(S("a")), Col(0, L::kVarchar))),
             batch) == std::vector<Value>{B(false), B(false), n});
  CHECK(Eval(*Call(ScalarOp::kGreater, L::kBoolean, Args(Col(0, L::kVarchar), Const(S("a")))),
             batch) == std::vector<Value>{B(true), B(false), n});
  CHECK(Eval(*Call(ScalarOp::kEqual, L::kBoolean, Args(Col(0, L::kVarchar), Const(N(L::kVarchar)))),
             batch) == std::vector<Value>{n, n, n});
}

TEST_CASE("Executor three-valued AND, OR, NOT and IS [NOT] NULL", "[sql][expr]") {
  const Value t = B(true), f = B(false), n = N(L::kBoolean);
  // All nine pairs.
  std::vector<Value> a, b;
  for (const Value& x : {t, f, n}) {
    for (const Value& y : {t, f, n}) {
      a.push_back(x);
      b.push_back(y);
    }
  }
  Batch batch = MakeBatch({Column(L::kBoolean, a), Column(L::kBoolean, b)});
  auto logic = [&](ScalarOp op) {
    return Eval(*Call(op, L::kBoolean, Args(Col(0, L::kBoolean), Col(1, L::kBoolean))), batch);
  };
  CHECK(logic(ScalarOp::kAnd) == std::vector<Value>{t, f, n, f, f, f, n, f, n});
  CHECK(logic(ScalarOp::kOr) == std::vector<Value>{t, t, t, t, f, n, t, n, n});
  CHECK(Eval(*Call(ScalarOp::kNot, L::kBoolean, Args(Col(0, L::kBoolean))), batch) ==
        std::vector<Value>{f, f, f, t, t, t, n, n, n});
  CHECK(Eval(*Call(ScalarOp::kIsNull, L::kBoolean, Args(Col(1, L::kBoolean))), batch) ==
        std::vector<Value>{f, f, t, f, f, t, f, f, t});
  CHECK(Eval(*Call(ScalarOp::kIsNotNull, L::kBoolean, Args(Col(1, L::kBoolean))), batch) ==
        std::vector<Value>{t, t, f, t, t, f, t, t, f});
  // Constant sides.
  auto with_const = [&](ScalarOp op, Value c) {
    return Eval(*Call(op, L::kBoolean, Args(Const(c), Col(1, L::kBoolean))), batch);
  };
  CHECK(with_const(ScalarOp::kAnd, n) == std::vector<Value>{n, f, n, n, f, n, n, f, n});
  CHECK(with_const(ScalarOp::kOr, n) == std::vector<Value>{t, n, n, t, n, n, t, n, n});
  CHECK(with_const(ScalarOp::kAnd, f) == std::vector<Value>(9, f));
  CHECK(with_const(ScalarOp::kOr, t) == std::vector<Value>(9, t));
  CHECK(with_const(ScalarOp::kAnd, t) == b);
  CHECK(Eval(*Call(ScalarOp::kIsNull, L::kBoolean, Args(Const(N(L::kBigInt)))), batch) ==
        std::vector<Value>(9, t));

  std::vector<uint32_t> selection{99};
  Result<size_t> selected =
      Select(*Call(ScalarOp::kOr, L::kBoolean, Args(Col(0, L::kBoolean), Col(1, L::kBoolean))),
             batch, &selection);
  REQUIRE(selected.ok());
  CHECK(*selected == 5);
  CHECK(selection == std::vector<uint32_t>{0, 1, 2, 3, 6});
}

TEST_CASE("Executor AND/OR/CASE/COALESCE skip errors in rows they do not need", "[sql][expr]") {
  Batch batch = MakeBatch({Column(L::kBigInt, {I(0), I(5), N(L::kBigInt), I(-2)})});
  auto div = [] {
    return Call(ScalarOp::kDivide, L::kBigInt, Args(Const(I(10)), Col(0, L::kBigInt)));
  };
  auto nonzero = [] {
    return Call(ScalarOp::kNotEqual, L::kBoolean, Args(Col(0, L::kBigInt), Const(I(0))));
  };
  // x <> 0 AND 10 / x > 1
  auto gt = Call(ScalarOp::kGreater, L::kBoolean, Args(div(), Const(I(1))));
  CHECK(Eval(*Call(ScalarOp::kAnd, L::kBoolean, Args(nonzero(), std::move(gt))), batch) ==
        std::vector<Value>{B(false), B(true), N(L::kBoolean), B(false)});
  // CASE WHEN x <> 0 THEN 10 / x ELSE -1 END
  CHECK(Eval(*Call(ScalarOp::kCase, L::kBigInt, Args(nonzero(), div(), Const(I(-1)))), batch) ==
        std::vector<Value>{I(-1), I(2), I(-1), I(-5)});
  // COALESCE(x, 10 / 0) needs the division only for the NULL row: an error.
  auto bad = Call(ScalarOp::kDivide, L::kBigInt, Args(Const(I(10)), Const(I(0))), 7);
  CHECK(EvalError(*Call(ScalarOp::kCoalesce, L::kBigInt, Args(Col(0, L::kBigInt), std::move(bad))),
                  batch) == "division by zero (at position 8)");
  Batch no_nulls = MakeBatch({Column(L::kBigInt, {I(1), I(2)})});
  auto bad2 = Call(ScalarOp::kDivide, L::kBigInt, Args(Const(I(10)), Const(I(0))), 7);
  CHECK(Eval(*Call(ScalarOp::kCoalesce, L::kBigInt, Args(Col(0, L::kBigInt), std::move(bad2))),
             no_nulls) == std::vector<Value>{I(1), I(2)});
}

TEST_CASE("Executor IN, COALESCE and CASE", "[sql][expr]") {
  Batch batch = MakeBatch({Column(L::kBigInt, {I(1), I(2), I(3), N(L::kBigInt)}),
                           Column(L::kBigInt, {I(5), N(L::kBigInt), I(3), I(4)}),
                           Column(L::kVarchar, {S("a"), N(L::kVarchar), S("c"), S("d")})});
  auto in = [&](std::vector<BoundExprPtr> list) {
    std::vector<BoundExprPtr> children;
    children.push_back(Col(0, L::kBigInt));
    for (auto& e : list) children.push_back(std::move(e));
    return Eval(*Call(ScalarOp::kIn, L::kBoolean, std::move(children)), batch);
  };
  const Value t = B(true), f = B(false), n = N(L::kBoolean);
  CHECK(in(Args(Const(I(1)), Const(I(3)))) == std::vector<Value>{t, f, t, n});
  CHECK(in(Args(Const(I(1)), Const(N(L::kBigInt)))) == std::vector<Value>{t, n, n, n});
  CHECK(in(Args(Col(1, L::kBigInt), Const(I(2)))) == std::vector<Value>{f, t, t, n});
  CHECK(in(Args(Col(1, L::kBigInt))) == std::vector<Value>{f, n, t, n});
  Batch strings = MakeBatch({Column(L::kVarchar, {S("a"), N(L::kVarchar), S("é")})});
  CHECK(Eval(*Call(ScalarOp::kIn, L::kBoolean,
                   Args(Col(0, L::kVarchar), Const(S("é")), Const(S("a")))),
             strings) == std::vector<Value>{t, n, t});

  CHECK(Eval(*Call(ScalarOp::kCoalesce, L::kBigInt,
                   Args(Col(1, L::kBigInt), Col(0, L::kBigInt), Const(I(9)))),
             batch) == std::vector<Value>{I(5), I(2), I(3), I(4)});
  CHECK(Eval(*Call(ScalarOp::kCoalesce, L::kBigInt, Args(Col(0, L::kBigInt), Const(N(L::kBigInt)))),
             batch) == std::vector<Value>{I(1), I(2), I(3), N(L::kBigInt)});
  CHECK(Eval(*Call(ScalarOp::kCoalesce, L::kVarchar, Args(Col(2, L::kVarchar), Const(S("z")))),
             batch) == std::vector<Value>{S("a"), S("z"), S("c"), S("d")});
  // CASE WHEN a = 1 THEN 'one' WHEN b > 3 THEN c ELSE NULL END; a NULL condition is not true.
  auto when1 = Call(ScalarOp::kEqual, L::kBoolean, Args(Col(0, L::kBigInt), Const(I(1))));
  auto when2 = Call(ScalarOp::kGreater, L::kBoolean, Args(Col(1, L::kBigInt), Const(I(3))));
  CHECK(Eval(*Call(ScalarOp::kCase, L::kVarchar,
                   Args(std::move(when1), Const(S("one")), std::move(when2), Col(2, L::kVarchar),
                        Const(N(L::kVarchar)))),
             batch) == std::vector<Value>{S("one"), N(L::kVarchar), N(L::kVarchar), S("d")});
  auto when3 = Call(ScalarOp::kLess, L::kBoolean, Args(Col(0, L::kBigInt), Const(I(3))));
  CHECK(
      Eval(*Call(ScalarOp::kCase, L::kDouble, Args(std::move(when3), Const(D(1.5)), Const(D(-1)))),
           batch) == std::vector<Value>{D(1.5), D(1.5), D(-1), D(-1)});
}

// --- Strings -------------------------------------------------------------------------------------

TEST_CASE("Executor LIKE and ILIKE patterns", "[sql][expr]") {
  struct Case {
    std::string text, pattern;
    bool like, ilike;
  };
  const std::vector<Case> cases = {
      {"abc", "abc", true, true},
      {"abc", "ABC", false, true},
      {"abc", "ab", false, false},
      {"abcdef", "abc%", true, true},
      {"xabc", "abc%", false, false},
      {"ABCdef", "abc%", false, true},
      {"xxabc", "%abc", true, true},
      {"abcx", "%abc", false, false},
      {"xxABCyy", "%abc%", false, true},
      {"xxabcyy", "%abc%", true, true},
      {"", "%", true, true},
      {"", "", true, true},
      {"a", "", false, false},
      {"", "_", false, false},
      {"abc", "a_c", true, true},
      {"abbc", "a_c", false, false},
      {"héllo", "h_llo", true, true},
      {"héllo", "h__llo", false, false},
      {"日本語", "___", true, true},
      {"日本語", "__", false, false},
      {"日本語", "%本%", true, true},
      {"aXbXc", "a%b%c", true, true},
      {"abcbc", "a%bc", true, true},
      {"abcb", "a%bc", false, false},
      {"mississippi", "%iss%ipp_", true, true},
      {"mississippi", "m%s_s%i", true, true},
      {"100%", "100\\%", true, true},
      {"1000", "100\\%", false, false},
      {"a_c", "a\\_c", true, true},
      {"abc", "a\\_c", false, false},
      {"a\\c", "a\\\\c", true, true},
      {"abc", "\\a\\b\\c", true, true},
      {"aaa", "%%a%%", true, true},
      {"ÉCOLE", "école", false, false},  // ILIKE folds ASCII only
      {"xyz", "%_%_%_%", true, true},
      {"xy", "%_%_%_%", false, false},
  };
  std::vector<Value> texts;
  for (const Case& c : cases) texts.push_back(S(c.text));
  texts.push_back(N(L::kVarchar));
  std::vector<Value> patterns;
  for (const Case& c : cases) patterns.push_back(S(c.pattern));
  patterns.push_back(S("%"));
  Batch batch = MakeBatch({Column(L::kVarchar, texts), Column(L::kVarchar, patterns)});
  for (ScalarOp op : {ScalarOp::kLike, ScalarOp::kILike}) {
    // Pattern per row (general path) ...
    std::vector<Value> got =
        Eval(*Call(op, L::kBoolean, Args(Col(0, L::kVarchar), Col(1, L::kVarchar))), batch);
    for (size_t i = 0; i < cases.size(); ++i) {
      INFO("'" << cases[i].text << "' LIKE '" << cases[i].pattern << "' op "
               << static_cast<int>(op));
      CHECK(got[i] == B(op == ScalarOp::kLike ? cases[i].like : cases[i].ilike));
      // ... and as a constant pattern (shape fast paths).
      Batch one = MakeBatch({Column(L::kVarchar, {S(cases[i].text)})});
      CHECK(Eval(*Call(op, L::kBoolean, Args(Col(0, L::kVarchar), Const(S(cases[i].pattern)))),
                 one)[0] == got[i]);
    }
    CHECK(got.back() == N(L::kBoolean));
  }
  CHECK(
      EvalError(*Call(ScalarOp::kLike, L::kBoolean, Args(Col(0, L::kVarchar), Const(S("ab\\"))), 9),
                batch) == "LIKE pattern must not end with escape character (at position 10)");
  CHECK(Eval(*Call(ScalarOp::kLike, L::kBoolean, Args(Col(0, L::kVarchar), Const(N(L::kVarchar)))),
             batch) == std::vector<Value>(texts.size(), N(L::kBoolean)));
}

TEST_CASE("Executor LOWER, UPPER, LENGTH and ||", "[sql][expr]") {
  Batch batch = MakeBatch({Column(L::kVarchar, {S("Héllo W"), N(L::kVarchar), S(""), S("日本")}),
                           Column(L::kVarchar, {S("!"), S("x"), N(L::kVarchar), S("語")})});
  auto s = [] { return Col(0, L::kVarchar); };
  CHECK(Eval(*Call(ScalarOp::kLower, L::kVarchar, Args(s())), batch) ==
        std::vector<Value>{S("héllo w"), N(L::kVarchar), S(""), S("日本")});
  CHECK(Eval(*Call(ScalarOp::kUpper, L::kVarchar, Args(s())), batch) ==
        std::vector<Value>{S("HéLLO W"), N(L::kVarchar), S(""), S("日本")});
  CHECK(Eval(*Call(ScalarOp::kUpper, L::kVarchar, Args(Const(S("ab")))), batch) ==
        std::vector<Value>(4, S("AB")));
  CHECK(Eval(*Call(ScalarOp::kLength, L::kBigInt, Args(s())), batch) ==
        std::vector<Value>{I(7), N(L::kBigInt), I(0), I(2)});
  CHECK(Eval(*Call(ScalarOp::kConcat, L::kVarchar, Args(s(), Col(1, L::kVarchar))), batch) ==
        std::vector<Value>{S("Héllo W!"), N(L::kVarchar), N(L::kVarchar), S("日本語")});
}

TEST_CASE("Executor SUBSTRING follows PostgreSQL's rules", "[sql][expr]") {
  // PostgreSQL: the result covers character positions [max(start, 1), start + count).
  struct Case {
    std::string s;
    int64_t start;
    std::optional<int64_t> count;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"hello", 2, 3, "ell"},
      {"hello", 1, std::nullopt, "hello"},
      {"hello", 3, std::nullopt, "llo"},
      {"hello", 0, 2, "h"},
      {"hello", -3, 5, "h"},
      {"hello", -3, 4, ""},
      {"hello", -3, std::nullopt, "hello"},
      {"hello", 5, 10, "o"},
      {"hello", 6, 1, ""},
      {"hello", 100, std::nullopt, ""},
      {"hello", 2, 0, ""},
      {"héllo", 2, 2, "él"},
      {"日本語テキスト", 3, 2, "語テ"},
      {"", 1, 1, ""},
      {"abc", kMin, kMax, ""},
      {"abc", 2, kMax, "bc"},
      {"abc", kMin + 5, std::nullopt, "abc"},
  };
  for (const Case& c : cases) {
    INFO(c.s << " " << c.start);
    Batch one = MakeBatch({Column(L::kVarchar, {S(c.s)})});
    auto args = Args(Col(0, L::kVarchar), Const(I(c.start)));
    if (c.count) args.push_back(Const(I(*c.count)));
    CHECK(Eval(*Call(ScalarOp::kSubstring, L::kVarchar, std::move(args)), one)[0] == S(c.expected));
  }
  Batch batch = MakeBatch({Column(L::kVarchar, {S("abc"), N(L::kVarchar)}),
                           Column(L::kBigInt, {N(L::kBigInt), I(-1)})});
  CHECK(
      Eval(*Call(ScalarOp::kSubstring, L::kVarchar, Args(Col(0, L::kVarchar), Col(1, L::kBigInt))),
           batch) == std::vector<Value>(2, N(L::kVarchar)));
  Batch negative = MakeBatch({Column(L::kVarchar, {S("abc")})});
  CHECK(EvalError(*Call(ScalarOp::kSubstring, L::kVarchar,
                        Args(Col(0, L::kVarchar), Const(I(1)), Const(I(-1))), 2),
                  negative) == "negative substring length not allowed (at position 3)");
}

// --- CAST
// -----------------------------------------------------------------------------------------

std::vector<Value> Cast(Value v, L to, std::string* error = nullptr) {
  Batch batch = MakeBatch({Column(v.type, {v, N(v.type)})});
  auto expr = Call(ScalarOp::kCast, to, Args(Col(0, v.type)), 4);
  if (error) {
    *error = EvalError(*expr, batch);
    return {};
  }
  return Eval(*expr, batch);
}

Value CastOne(Value v, L to) {
  std::vector<Value> rows = Cast(std::move(v), to);
  CHECK(rows[1] == N(to));  // NULL casts to NULL
  return rows[0];
}

TEST_CASE("Executor CAST matrix", "[sql][expr]") {
  int32_t day = 0;
  int64_t ts = 0, ts_midnight = 0;
  REQUIRE(ParseDate("2024-02-29", &day));
  REQUIRE(ParseTimestamp("2024-02-29 13:45:00.5", &ts));
  REQUIRE(ParseTimestamp("2024-02-29 00:00:00", &ts_midnight));
  // From VARCHAR, trimming spaces.
  CHECK(CastOne(S(" 42 "), L::kBigInt) == I(42));
  CHECK(CastOne(S("-9223372036854775808"), L::kBigInt) == I(kMin));
  CHECK(CastOne(S(" 1.5e3"), L::kDouble) == D(1500));
  CHECK(CastOne(S("TRUE "), L::kBoolean) == B(true));
  CHECK(CastOne(S("2024-02-29"), L::kDate) == Value::Date(day));
  CHECK(CastOne(S("2024-02-29T13:45:00.5"), L::kTimestamp) == Value::Timestamp(ts));
  CHECK(CastOne(S("é"), L::kVarchar) == S("é"));
  // To VARCHAR as Value::ToString prints.
  for (const Value& v :
       {I(-12), D(0.1), D(1e20), B(true), B(false), Value::Date(day), Value::Timestamp(ts)}) {
    CHECK(CastOne(v, L::kVarchar) == S(v.ToString()));
  }
  CHECK(CastOne(Value::Timestamp(ts), L::kVarchar) == S("2024-02-29 13:45:00.5"));
  // Numeric and the rest.
  CHECK(CastOne(D(2.5), L::kBigInt) == I(2));  // rint: half to even
  CHECK(CastOne(D(3.5), L::kBigInt) == I(4));
  CHECK(CastOne(D(-2.5), L::kBigInt) == I(-2));
  CHECK(CastOne(D(-2.7), L::kBigInt) == I(-3));
  CHECK(CastOne(I(kMax), L::kDouble) == D(9223372036854775808.0));
  CHECK(CastOne(B(true), L::kBigInt) == I(1));
  CHECK(CastOne(B(false), L::kBigInt) == I(0));
  CHECK(CastOne(I(7), L::kBoolean) == B(true));
  CHECK(CastOne(I(0), L::kBoolean) == B(false));
  CHECK(CastOne(Value::Date(day), L::kTimestamp) == Value::Timestamp(ts_midnight));
  CHECK(CastOne(Value::Timestamp(ts), L::kDate) == Value::Date(day));
  CHECK(CastOne(Value::Timestamp(-1), L::kDate) == Value::Date(-1));  // floor, not truncation
  CHECK(CastOne(I(5), L::kBigInt) == I(5));
  // Failures.
  std::string error;
  Cast(S(" abc "), L::kBigInt, &error);
  CHECK(error == "invalid input syntax for type bigint: \" abc \" (at position 5)");
  Cast(S("1.5"), L::kBigInt, &error);
  CHECK(error == "invalid input syntax for type bigint: \"1.5\" (at position 5)");
  Cast(S("9223372036854775808"), L::kBigInt, &error);
  CHECK(error == "value \"9223372036854775808\" is out of range for type bigint (at position 5)");
  Cast(S("nan"), L::kDouble, &error);
  CHECK(error == "invalid input syntax for type double precision: \"nan\" (at position 5)");
  Cast(S("yes"), L::kBoolean, &error);
  CHECK(error == "invalid input syntax for type boolean: \"yes\" (at position 5)");
  Cast(S("2023-02-29"), L::kDate, &error);
  CHECK(error == "invalid input syntax for type date: \"2023-02-29\" (at position 5)");
  Cast(S("2023-01-01 25:00:00"), L::kTimestamp, &error);
  CHECK(error ==
        "invalid input syntax for type timestamp: \"2023-01-01 25:00:00\" (at position 5)");
  Cast(D(9.3e18), L::kBigInt, &error);
  CHECK(error == "bigint out of range (at position 5)");
  Cast(D(std::nan("")), L::kBigInt, &error);
  CHECK(error == "bigint out of range (at position 5)");
  Cast(Value::Date(day), L::kBigInt, &error);
  CHECK(error == "cannot cast type date to bigint (at position 5)");
}

// --- Randomized differential check
// ----------------------------------------------------------------

TEST_CASE("Executor matches a scalar reference on random BIGINT and DOUBLE pairs", "[sql][expr]") {
  std::mt19937_64 rng(20240229);
  constexpr size_t kPairs = 10'000;
  std::vector<Value> a, b, x, y;
  auto random_int = [&]() -> Value {
    switch (rng() % 8) {
      case 0:
        return N(L::kBigInt);
      case 1:
        return I(static_cast<int64_t>(rng()));  // any, overflow likely
      case 2:
        return I(static_cast<int64_t>(rng() % 7) - 3);  // small, zero
      case 3:
        return I(rng() % 2 ? kMin : kMax);
      default:
        return I(static_cast<int64_t>(rng() % 2'000'000'000) - 1'000'000'000);
    }
  };
  auto random_double = [&]() -> Value {
    switch (rng() % 8) {
      case 0:
        return N(L::kDouble);
      case 1:
        return D(0.0);
      default:
        return D((static_cast<double>(rng() % 2'000'001) - 1e6) / 64.0);
    }
  };
  for (size_t i = 0; i < kPairs; ++i) {
    a.push_back(random_int());
    b.push_back(random_int());
    x.push_back(random_double());
    y.push_back(random_double());
  }
  size_t checked_rows = 0, errors = 0;
  for (size_t offset = 0; offset < kPairs; offset += 1000) {  // 1,000-row batches
    auto slice = [&](const std::vector<Value>& v) {
      return std::vector<Value>(v.begin() + offset, v.begin() + offset + 1000);
    };
    Batch batch = MakeBatch({Column(L::kBigInt, slice(a)), Column(L::kBigInt, slice(b)),
                             Column(L::kDouble, slice(x)), Column(L::kDouble, slice(y))});
    for (ScalarOp op : {ScalarOp::kAdd, ScalarOp::kMultiply, ScalarOp::kDivide, ScalarOp::kLess}) {
      for (L type : {L::kBigInt, L::kDouble}) {
        const size_t col = type == L::kBigInt ? 0 : 2;
        const L result_type = op == ScalarOp::kLess ? L::kBoolean : type;
        auto expr = Call(op, result_type, Args(Col(col, type), Col(col + 1, type)), 0);
        // The reference, row by row; the first erroring row decides the batch's outcome.
        std::vector<Value> expected;
        std::string expected_error;
        for (size_t i = offset; i < offset + 1000 && expected_error.empty(); ++i) {
          const Value& l = type == L::kBigInt ? a[i] : x[i];
          const Value& r = type == L::kBigInt ? b[i] : y[i];
          if (l.is_null || r.is_null) {
            expected.push_back(N(result_type));
            continue;
          }
          if (type == L::kBigInt) {
            int64_t v = 0;
            if (op == ScalarOp::kLess) {
              expected.push_back(B(l.integer < r.integer));
            } else if (op == ScalarOp::kDivide && r.integer == 0) {
              expected_error = "division by zero (at position 1)";
            } else if (op == ScalarOp::kDivide) {
              if (l.integer == kMin && r.integer == -1) {
                expected_error = "bigint out of range (at position 1)";
              } else {
                expected.push_back(I(l.integer / r.integer));
              }
            } else if (op == ScalarOp::kAdd ? __builtin_add_overflow(l.integer, r.integer, &v)
                                            : __builtin_mul_overflow(l.integer, r.integer, &v)) {
              expected_error = "bigint out of range (at position 1)";
            } else {
              expected.push_back(I(v));
            }
          } else {
            if (op == ScalarOp::kLess) {
              expected.push_back(B(l.real < r.real));
            } else if (op == ScalarOp::kDivide && r.real == 0) {
              expected_error = "division by zero (at position 1)";
            } else {
              expected.push_back(D(op == ScalarOp::kAdd        ? l.real + r.real
                                   : op == ScalarOp::kMultiply ? l.real * r.real
                                                               : l.real / r.real));
            }
          }
        }
        if (!expected_error.empty()) {
          // Overflow is found by a whole-vector pass, division by zero by a first-row scan: only
          // require that some error is raised, and of the reference's kind when it is the only one.
          Vector out(result_type);
          Status status = Evaluate(*expr, batch, &out);
          CHECK(status.IsInvalidArgument());
          ++errors;
          continue;
        }
        CHECK(Eval(*expr, batch) == expected);
        checked_rows += expected.size();
      }
    }
  }
  CHECK(checked_rows > 20'000);
  CHECK(errors > 0);
}

TEST_CASE("Executor handles an empty batch and full 2048-row vectors", "[sql][expr]") {
  Batch empty = MakeBatch({Column(L::kBigInt, {})});
  CHECK(Eval(*Call(ScalarOp::kAdd, L::kBigInt, Args(Col(0, L::kBigInt), Const(I(1)))), empty)
            .empty());
  std::vector<Value> values;
  for (int64_t i = 0; i < 2048; ++i) values.push_back(i % 5 == 0 ? N(L::kBigInt) : I(i));
  Batch full = MakeBatch({Column(L::kBigInt, values)});
  std::vector<uint32_t> selection;
  Result<size_t> n =
      Select(*Call(ScalarOp::kGreaterEqual, L::kBoolean, Args(Col(0, L::kBigInt), Const(I(2000)))),
             full, &selection);
  REQUIRE(n.ok());
  CHECK(*n == 38);  // 2000..2047 minus the 10 multiples of 5
  CHECK(selection.front() == 2001);
  CHECK(selection.back() == 2047);
}

}  // namespace
}  // namespace lake::sql
