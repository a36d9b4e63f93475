// The units of DATE_TRUNC and the fields of EXTRACT / DATE_PART, by their PostgreSQL names. The
// binder reads a name once to validate it; the kernels (date_functions.cc) read it again from the
// bound constant, so a plan carries the name and not an enum.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

namespace lake::sql {

enum class DateUnit {
  kMicrosecond,
  kMillisecond,
  kSecond,
  kMinute,
  kHour,
  kDay,
  kWeek,  // ISO week: DATE_TRUNC to its Monday; EXTRACT its number (1-53)
  kMonth,
  kQuarter,
  kYear,
  kDecade,
  kCentury,
  kMillennium,
  // EXTRACT only
  kDayOfWeek,     // dow: 0 = Sunday
  kIsoDayOfWeek,  // isodow: 1 = Monday .. 7 = Sunday
  kDayOfYear,     // doy
  kIsoYear,
  kEpoch,  // seconds since 1970-01-01 00:00:00, with the fraction
};

// The unit `name` names (case-insensitive, PostgreSQL's singular and plural spellings), if any.
std::optional<DateUnit> DateUnitFromName(std::string_view name);
// Whether DATE_TRUNC accepts `unit` (EXTRACT accepts every unit).
bool IsTruncationUnit(DateUnit unit);
// Whether `unit` reads only the date part of a value (EXTRACT from a DATE allows only these).
bool IsDateField(DateUnit unit);

}  // namespace lake::sql
