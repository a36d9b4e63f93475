// Text <-> typed values, shared by CSV type inference (store/) and CAST (sql/). Parsers are strict:
// the whole input must match, no surrounding spaces, so inference never guesses.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lake {

// [+-]digits that fit int64.
bool ParseBigInt(std::string_view text, int64_t* out);
// [+-](digits[.[digits]] | .digits)[(e|E)[+-]digits], finite ("5." is 5, as in PostgreSQL).
// Not "inf", "nan" or hex.
bool ParseDouble(std::string_view text, double* out);
// true/false in any case.
bool ParseBoolean(std::string_view text, bool* out);
// YYYY-MM-DD, a real calendar date (years 0001-9999).
bool ParseDate(std::string_view text, int32_t* days_since_epoch);
// YYYY-MM-DD[( |T)HH:MM:SS[.f{1,6}]], a real calendar date and time.
bool ParseTimestamp(std::string_view text, int64_t* micros_since_epoch);

// "YYYY-MM-DD".
std::string FormatDate(int32_t days_since_epoch);
// "YYYY-MM-DD HH:MM:SS" plus ".ffffff" (trailing zeros trimmed) when there are micros.
std::string FormatTimestamp(int64_t micros_since_epoch);
// Shortest text that reads back as the same double ("1.5", "1e+20", "0.1").
std::string FormatDouble(double value);

// Days since 1970-01-01 of a proleptic Gregorian date. REQUIRES: a valid date.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
// The inverse of DaysFromCivil.
void CivilFromDays(int64_t days_since_epoch, int* year, int* month, int* day);

}  // namespace lake
