// Date and time kernels of the expression executor, DATE_TRUNC and EXTRACT / DATE_PART, and the
// unit names they share with the binder (date_units.h). Timestamps are microseconds since
// 1970-01-01 00:00:00 without a time zone (UTC), dates days since then; the calendar is the
// proleptic Gregorian one, weeks ISO 8601 weeks (starting on Monday), centuries and millennia
// start with year 1 (2001-01-01 starts the 21st century), as in PostgreSQL.
#include <cctype>
#include <cstdint>
#include <string>
#include <utility>

#include "common/value_parse.h"
#include "sql/date_units.h"
#include "sql/expression_kernels.h"

namespace lake::sql {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }
int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

// The broken-down calendar fields of a timestamp.
struct Civil {
  int64_t days;           // since the epoch
  int64_t time_of_day;    // microseconds since midnight
  int year, month, day;
  int iso_day_of_week;    // 1 = Monday .. 7 = Sunday
};

Civil ToCivil(int64_t micros) {
  Civil c;
  c.days = FloorDiv(micros, kMicrosPerDay);
  c.time_of_day = micros - c.days * kMicrosPerDay;
  CivilFromDays(c.days, &c.year, &c.month, &c.day);
  c.iso_day_of_week = static_cast<int>(FloorMod(c.days + 3, 7)) + 1;  // 1970-01-01: a Thursday
  return c;
}

// The ISO 8601 year and week of a day: those of the Thursday of its (Monday-based) week.
std::pair<int, int> IsoYearWeek(const Civil& c) {
  const int64_t thursday = c.days - (c.iso_day_of_week - 1) + 3;
  int year, month, day;
  CivilFromDays(thursday, &year, &month, &day);
  const int64_t day_of_year = thursday - DaysFromCivil(year, 1, 1);
  return {year, static_cast<int>(day_of_year / 7 + 1)};
}

// The first year of the period of `span` years holding `year`, periods counted from year 1
// (centuries, millennia).
int64_t PeriodStart(int64_t year, int64_t span) { return FloorDiv(year - 1, span) * span + 1; }

int64_t Truncate(DateUnit unit, int64_t micros) {
  const Civil c = ToCivil(micros);
  auto at_day = [](int64_t year, int64_t month) {
    return DaysFromCivil(year, static_cast<unsigned>(month), 1) * kMicrosPerDay;
  };
  switch (unit) {
    case DateUnit::kMicrosecond:
      return micros;
    case DateUnit::kMillisecond:
      return FloorDiv(micros, 1000) * 1000;
    case DateUnit::kSecond:
      return FloorDiv(micros, kMicrosPerSecond) * kMicrosPerSecond;
    case DateUnit::kMinute:
      return FloorDiv(micros, kMicrosPerMinute) * kMicrosPerMinute;
    case DateUnit::kHour:
      return FloorDiv(micros, kMicrosPerHour) * kMicrosPerHour;
    case DateUnit::kDay:
      return c.days * kMicrosPerDay;
    case DateUnit::kWeek:
      return (c.days - (c.iso_day_of_week - 1)) * kMicrosPerDay;
    case DateUnit::kMonth:
      return at_day(c.year, c.month);
    case DateUnit::kQuarter:
      return at_day(c.year, (c.month - 1) / 3 * 3 + 1);
    case DateUnit::kYear:
      return at_day(c.year, 1);
    case DateUnit::kDecade:
      return at_day(FloorDiv(c.year, 10) * 10, 1);
    case DateUnit::kCentury:
      return at_day(PeriodStart(c.year, 100), 1);
    case DateUnit::kMillennium:
      return at_day(PeriodStart(c.year, 1000), 1);
    default:
      return micros;  // the binder admits no other unit
  }
}

double Extract(DateUnit field, int64_t micros) {
  const Civil c = ToCivil(micros);
  const int64_t micros_of_minute = c.time_of_day % kMicrosPerMinute;
  switch (field) {
    case DateUnit::kMicrosecond:
      return static_cast<double>(micros_of_minute);
    case DateUnit::kMillisecond:
      return static_cast<double>(micros_of_minute) / 1e3;
    case DateUnit::kSecond:
      return static_cast<double>(micros_of_minute) / 1e6;
    case DateUnit::kMinute:
      return static_cast<double>(c.time_of_day / kMicrosPerMinute % 60);
    case DateUnit::kHour:
      return static_cast<double>(c.time_of_day / kMicrosPerHour);
    case DateUnit::kDay:
      return c.day;
    case DateUnit::kWeek:
      return IsoYearWeek(c).second;
    case DateUnit::kMonth:
      return c.month;
    case DateUnit::kQuarter:
      return (c.month - 1) / 3 + 1;
    case DateUnit::kYear:
      return c.year;
    case DateUnit::kDecade:
      return static_cast<double>(FloorDiv(c.year, 10));
    case DateUnit::kCentury:
      return static_cast<double>(FloorDiv(c.year - 1, 100) + 1);
    case DateUnit::kMillennium:
      return static_cast<double>(FloorDiv(c.year - 1, 1000) + 1);
    case DateUnit::kDayOfWeek:
      return c.iso_day_of_week % 7;
    case DateUnit::kIsoDayOfWeek:
      return c.iso_day_of_week;
    case DateUnit::kDayOfYear:
      return static_cast<double>(c.days - DaysFromCivil(c.year, 1, 1) + 1);
    case DateUnit::kIsoYear:
      return IsoYearWeek(c).first;
    case DateUnit::kEpoch:
      return static_cast<double>(micros) / 1e6;
  }
  return 0;
}

}  // namespace

std::optional<DateUnit> DateUnitFromName(std::string_view name) {
  static const std::pair<const char*, DateUnit> kNames[] = {
      {"microsecond", DateUnit::kMicrosecond}, {"microseconds", DateUnit::kMicrosecond},
      {"us", DateUnit::kMicrosecond},          {"millisecond", DateUnit::kMillisecond},
      {"milliseconds", DateUnit::kMillisecond}, {"ms", DateUnit::kMillisecond},
      {"second", DateUnit::kSecond},           {"seconds", DateUnit::kSecond},
      {"sec", DateUnit::kSecond},              {"s", DateUnit::kSecond},
      {"minute", DateUnit::kMinute},           {"minutes", DateUnit::kMinute},
      {"min", DateUnit::kMinute},              {"hour", DateUnit::kHour},
      {"hours", DateUnit::kHour},              {"h", DateUnit::kHour},
      {"day", DateUnit::kDay},                 {"days", DateUnit::kDay},
      {"d", DateUnit::kDay},                   {"week", DateUnit::kWeek},
      {"weeks", DateUnit::kWeek},              {"w", DateUnit::kWeek},
      {"month", DateUnit::kMonth},             {"months", DateUnit::kMonth},
      {"mon", DateUnit::kMonth},               {"quarter", DateUnit::kQuarter},
      {"qtr", DateUnit::kQuarter},             {"year", DateUnit::kYear},
      {"years", DateUnit::kYear},              {"y", DateUnit::kYear},
      {"decade", DateUnit::kDecade},           {"decades", DateUnit::kDecade},
      {"century", DateUnit::kCentury},         {"centuries", DateUnit::kCentury},
      {"millennium", DateUnit::kMillennium},   {"millennia", DateUnit::kMillennium},
      {"dow", DateUnit::kDayOfWeek},           {"isodow", DateUnit::kIsoDayOfWeek},
      {"doy", DateUnit::kDayOfYear},           {"isoyear", DateUnit::kIsoYear},
      {"epoch", DateUnit::kEpoch}};
  std::string lower(name);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (const auto& [candidate, unit] : kNames) {
    if (lower == candidate) return unit;
  }
  return std::nullopt;
}

bool IsTruncationUnit(DateUnit unit) { return unit <= DateUnit::kMillennium; }

bool IsDateField(DateUnit unit) {
  switch (unit) {
    case DateUnit::kMicrosecond:
    case DateUnit::kMillisecond:
    case DateUnit::kSecond:
    case DateUnit::kMinute:
    case DateUnit::kHour:
      return false;
    default:
      return true;
  }
}

namespace internal {

Status EvalDateFunction(const BoundExpr& expr, const Operand* args, const uint64_t* active,
                        size_t rows, Vector* out) {
  const std::optional<DateUnit> unit =
      args[0].constant ? DateUnitFromName(args[0].constant->text) : std::nullopt;
  if (!unit) return ErrorAt("internal: unit not recognized", expr.location);
  const std::vector<uint64_t> valid = ResultValidity(args + 1, 1, active, rows);
  const Operand& x = args[1];
  const bool date = x.type == LogicalType::kDate;
  auto micros_at = [&](size_t i) {
    return date ? int64_t{x.Data<int32_t>()[i & x.IndexMask()]} * kMicrosPerDay
                : x.Data<int64_t>()[i & x.IndexMask()];
  };
  out->Resize(rows);
  std::copy(valid.begin(), valid.end(), out->mutable_validity_words());
  if (expr.op == ScalarOp::kDateTrunc) {
    int64_t* o = out->mutable_data<int64_t>();
    for (size_t i = 0; i < rows; ++i) {
      if (BitAt(valid.data(), i)) o[i] = Truncate(*unit, micros_at(i));
    }
  } else {
    double* o = out->mutable_data<double>();
    for (size_t i = 0; i < rows; ++i) {
      if (BitAt(valid.data(), i)) o[i] = Extract(*unit, micros_at(i));
    }
  }
  out->RecountNulls();
  return Status::OK();
}

}  // namespace internal
}  // namespace lake::sql
