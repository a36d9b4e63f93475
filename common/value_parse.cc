#include "common/value_parse.h"

#include <charconv>
#include <cstdio>

namespace lake {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at text[pos..]; REQUIRES: pos + n <= text.size().
bool FixedDigits(std::string_view text, size_t pos, size_t n, int* out) {
  int value = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(text[i])) return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

bool ParseDateParts(std::string_view text, int* year, int* month, int* day) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  if (!FixedDigits(text, 0, 4, year) || !FixedDigits(text, 5, 2, month) ||
      !FixedDigits(text, 8, 2, day)) {
    return false;
  }
  return *year >= 1 && *month >= 1 && *month <= 12 && *day >= 1 &&
         *day <= DaysInMonth(*year, *month);
}

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

}  // namespace

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Howard Hinnant's civil_from_days.
void CivilFromDays(int64_t z, int* year, int* month, int* day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = static_cast<int>(y + (*month <= 2));
}

bool ParseBigInt(std::string_view text, int64_t* out) {
  size_t i = 0;
  const size_t n = text.size();
  const bool negative = n > 0 && text[0] == '-';
  if (n > 0 && (text[0] == '-' || text[0] == '+')) i = 1;
  if (i == n) return false;
  // Accumulate as a negative number: its range includes INT64_MIN.
  int64_t value = 0;
  for (; i < n; ++i) {
    const char c = text[i];
    if (!IsDigit(c)) return false;
    const int digit = c - '0';
    if (value < (INT64_MIN + digit) / 10) return false;  // value * 10 - digit would overflow
    value = value * 10 - digit;
  }
  if (!negative) {
    if (value == INT64_MIN) return false;
    value = -value;
  }
  *out = value;
  return true;
}

bool ParseDouble(std::string_view text, double* out) {
  // Validate the grammar first (from_chars would also accept "inf", "nan" and hex forms) and
  // gather the decimal mantissa on the way, for the exact fast path below.
  size_t i = 0;
  const size_t n = text.size();
  const bool negative = i < n && text[i] == '-';
  if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
  uint64_t mantissa = 0;
  int mantissa_digits = 0;  // significant digits gathered (leading zeros skipped)
  int scale = 0;            // digits after the decimal point that went into the mantissa
  size_t digits = 0;
  bool exact = true;
  auto take_digit = [&](char c, bool fraction) {
    if (mantissa == 0 && c == '0') {
      if (fraction) ++scale;
      return;
    }
    if (mantissa_digits == 19) {
      exact = false;
      return;
    }
    mantissa = mantissa * 10 + static_cast<uint64_t>(c - '0');
    ++mantissa_digits;
    if (fraction) ++scale;
  };
  while (i < n && IsDigit(text[i])) take_digit(text[i++], false), ++digits;
  if (i < n && text[i] == '.') {
    ++i;
    while (i < n && IsDigit(text[i])) take_digit(text[i++], true), ++digits;
  }
  if (digits == 0) return false;
  bool has_exponent = false;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    has_exponent = true;
    ++i;
    if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
    size_t exponent_digits = 0;
    while (i < n && IsDigit(text[i])) ++i, ++exponent_digits;
    if (exponent_digits == 0) return false;
  }
  if (i != n) return false;
  // Clinger's fast path: a mantissa below 2^53 and a power of ten up to 1e22 are both exact
  // doubles, so one correctly rounded division gives the correctly rounded result.
  static constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                            1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  if (exact && !has_exponent && mantissa < (uint64_t{1} << 53) && scale <= 22) {
    const double value = static_cast<double>(mantissa) / kPowersOfTen[scale];
    *out = negative ? -value : value;
    return true;
  }
  const char* first = text.data() + (text[0] == '+' ? 1 : 0);
  auto [ptr, ec] = std::from_chars(first, text.data() + n, *out);
  return ec == std::errc() && ptr == text.data() + n;  // out-of-range (1e999) is rejected
}

bool ParseBoolean(std::string_view text, bool* out) {
  auto equals_ignore_case = [&](std::string_view word) {
    if (text.size() != word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      if ((text[i] | 0x20) != word[i]) return false;
    }
    return true;
  };
  if (equals_ignore_case("true")) return *out = true, true;
  if (equals_ignore_case("false")) return *out = false, true;
  return false;
}

bool ParseDate(std::string_view text, int32_t* days_since_epoch) {
  int year, month, day;
  if (!ParseDateParts(text, &year, &month, &day)) return false;
  *days_since_epoch = static_cast<int32_t>(DaysFromCivil(year, month, day));
  return true;
}

bool ParseTimestamp(std::string_view text, int64_t* micros_since_epoch) {
  if (text.size() < 10) return false;
  int year, month, day;
  if (!ParseDateParts(text.substr(0, 10), &year, &month, &day)) return false;
  int64_t micros = DaysFromCivil(year, month, day) * kMicrosPerDay;
  if (text.size() > 10) {
    // "YYYY-MM-DD HH:MM:SS" is 19 characters; a fraction adds "." and 1-6 digits.
    if (text.size() < 19 || (text[10] != ' ' && text[10] != 'T') || text[13] != ':' ||
        text[16] != ':') {
      return false;
    }
    int hour, minute, second;
    if (!FixedDigits(text, 11, 2, &hour) || !FixedDigits(text, 14, 2, &minute) ||
        !FixedDigits(text, 17, 2, &second) || hour > 23 || minute > 59 || second > 59) {
      return false;
    }
    micros += (hour * 3600LL + minute * 60LL + second) * kMicrosPerSecond;
    if (text.size() > 19) {
      const size_t fraction_digits = text.size() - 20;
      if (text[19] != '.' || fraction_digits < 1 || fraction_digits > 6) return false;
      int fraction;
      if (!FixedDigits(text, 20, fraction_digits, &fraction)) return false;
      for (size_t i = fraction_digits; i < 6; ++i) fraction *= 10;
      micros += fraction;
    }
  }
  *micros_since_epoch = micros;
  return true;
}

std::string FormatDate(int32_t days_since_epoch) {
  int year, month, day;
  CivilFromDays(days_since_epoch, &year, &month, &day);
  char buf[32];  // years beyond 9999 (possible from arithmetic) print more digits
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

std::string FormatTimestamp(int64_t micros_since_epoch) {
  const int64_t days = FloorDiv(micros_since_epoch, kMicrosPerDay);
  int64_t rest = micros_since_epoch - days * kMicrosPerDay;
  const int hour = static_cast<int>(rest / (3600 * kMicrosPerSecond));
  rest %= 3600 * kMicrosPerSecond;
  const int minute = static_cast<int>(rest / (60 * kMicrosPerSecond));
  rest %= 60 * kMicrosPerSecond;
  const int second = static_cast<int>(rest / kMicrosPerSecond);
  int fraction = static_cast<int>(rest % kMicrosPerSecond);
  std::string out = FormatDate(static_cast<int32_t>(days));
  char buf[64];
  std::snprintf(buf, sizeof buf, " %02d:%02d:%02d", hour, minute, second);
  out += buf;
  if (fraction != 0) {
    int digits = 6;
    while (fraction % 10 == 0) fraction /= 10, --digits;
    std::snprintf(buf, sizeof buf, ".%0*d", digits, fraction);
    out += buf;
  }
  return out;
}

std::string FormatDouble(double value) {
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;  // 32 characters always suffice for the shortest form of a double
  return std::string(buf, ptr);
}

}  // namespace lake
