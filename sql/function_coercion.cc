// TypeCoercion::BindMoreFunction: the typing of the string functions (POSITION/STRPOS, REPLACE,
// TRIM/BTRIM/LTRIM/RTRIM, SPLIT_PART), GREATEST/LEAST, and the date/time functions (DATE_TRUNC,
// EXTRACT/DATE_PART, NOW/CURRENT_TIMESTAMP/CURRENT_DATE), with PostgreSQL's argument types.
#include "sql/coercion_helpers.h"
#include "sql/date_units.h"
#include "sql/type_coercion.h"

namespace lake::sql {
namespace {

using coercion::Adaptable;
using coercion::Call;
using coercion::Constant;
using coercion::Fail;
using coercion::Lower;
using coercion::RequireArgumentType;
using coercion::RequireArity;
using coercion::TypeLabel;

constexpr int64_t kMicrosPerDay = 86'400'000'000;

}  // namespace

BoundExprPtr TypeCoercion::BindMoreFunction(const Expr& e, std::vector<BoundExprPtr>* args_in) {
  std::vector<BoundExprPtr>& args = *args_in;
  const std::string name = Lower(e.name);
  auto arity = [&](size_t min, size_t max) { RequireArity(e, args, min, max); };
  auto require = [&](size_t i, LogicalType type) { RequireArgumentType(*this, e, &args, i, type); };
  // A unit or field name: a constant string, lower-cased, that names one.
  auto unit = [&](size_t i, bool truncation) {
    const BoundExpr& a = *args[i];
    if (a.kind != BoundExpr::Kind::kConstant || a.type != LogicalType::kVarchar ||
        a.constant.is_null) {
      Fail("function " + name + " takes a constant unit name", a.location);
    }
    const std::optional<DateUnit> u = DateUnitFromName(a.constant.text);
    if (!u || (truncation && !IsTruncationUnit(*u))) {
      Fail("unit \"" + a.constant.text + "\" not recognized", a.location);
    }
    args[i] = Constant(Value::Varchar(Lower(a.constant.text)), a.location);
    return *u;
  };
  // A DATE or TIMESTAMP argument; a string literal is read as a TIMESTAMP.
  auto date_or_time = [&](size_t i) {
    if (Adaptable(*args[i])) args[i] = CastTo(std::move(args[i]), LogicalType::kTimestamp);
    if (args[i]->type != LogicalType::kDate && args[i]->type != LogicalType::kTimestamp) {
      Fail("function " + name + " does not accept type " + TypeLabel(args[i]->type),
           args[i]->location);
    }
  };

  auto string_call = [&](ScalarOp op, LogicalType type, size_t min, size_t max) {
    arity(min, max);
    for (size_t i = 0; i < args.size(); ++i) require(i, LogicalType::kVarchar);
    return Call(op, type, e.location, std::move(args));
  };
  if (name == "strpos" || name == "position") {
    return string_call(ScalarOp::kStrpos, LogicalType::kBigInt, 2, 2);
  }
  if (name == "replace") return string_call(ScalarOp::kReplace, LogicalType::kVarchar, 3, 3);
  if (name == "btrim") return string_call(ScalarOp::kBTrim, LogicalType::kVarchar, 1, 2);
  if (name == "ltrim") return string_call(ScalarOp::kLTrim, LogicalType::kVarchar, 1, 2);
  if (name == "rtrim") return string_call(ScalarOp::kRTrim, LogicalType::kVarchar, 1, 2);
  if (name == "split_part") {
    arity(3, 3);
    require(0, LogicalType::kVarchar);
    require(1, LogicalType::kVarchar);
    require(2, LogicalType::kBigInt);
    return Call(ScalarOp::kSplitPart, LogicalType::kVarchar, e.location, std::move(args));
  }
  if (name == "greatest" || name == "least") {
    if (args.empty() || e.star || e.distinct) {
      Fail("function " + name + " takes at least one argument", e.location);
    }
    Unify(&args, name == "greatest" ? "GREATEST" : "LEAST", e.location);
    const LogicalType type = args[0]->type;
    return Call(name == "greatest" ? ScalarOp::kGreatest : ScalarOp::kLeast, type, e.location,
                std::move(args));
  }
  if (name == "date_trunc") {
    arity(2, 2);
    unit(0, /*truncation=*/true);
    date_or_time(1);
    args[1] = CastTo(std::move(args[1]), LogicalType::kTimestamp);
    return Call(ScalarOp::kDateTrunc, LogicalType::kTimestamp, e.location, std::move(args));
  }
  if (name == "extract" || name == "date_part") {
    arity(2, 2);
    const DateUnit field = unit(0, /*truncation=*/false);
    date_or_time(1);
    // EXTRACT from a DATE has no time of day to read (DATE_PART reads the date as midnight).
    if (name == "extract" && args[1]->type == LogicalType::kDate && !IsDateField(field)) {
      Fail("unit \"" + args[0]->constant.text + "\" not supported for type date",
           args[0]->location);
    }
    return Call(ScalarOp::kExtract, LogicalType::kDouble, e.location, std::move(args));
  }
  if (name == "now" || name == "current_timestamp" || name == "current_date") {
    arity(0, 0);
    if (!statement_time_) {
      Fail("function " + name + " needs the statement's start time, which this caller lacks",
           e.location);
    }
    if (name == "current_date") {
      const int64_t t = *statement_time_;
      return Constant(
          Value::Date(static_cast<int32_t>(t / kMicrosPerDay - (t % kMicrosPerDay < 0))),
          e.location);
    }
    return Constant(Value::Timestamp(*statement_time_), e.location);
  }
  return nullptr;
}

}  // namespace lake::sql
