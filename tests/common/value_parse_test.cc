#include "common/value_parse.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include <catch2/catch.hpp>

#include "common/rng.h"

namespace lake {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;
// Days since 1970-01-01: 54 years of which 13 leap (1972..2020) give 2024-01-01, then +31 +28.
constexpr int32_t k20240101 = 54 * 365 + 13;
constexpr int32_t k20240229 = k20240101 + 31 + 28;

TEST_CASE("ParseBigInt accepts signed decimal int64 values", "[common][value_parse]") {
  int64_t v = 0;
  CHECK((ParseBigInt("0", &v) && v == 0));
  CHECK((ParseBigInt("42", &v) && v == 42));
  CHECK((ParseBigInt("-8", &v) && v == -8));
  CHECK((ParseBigInt("+5", &v) && v == 5));
  CHECK((ParseBigInt("007", &v) && v == 7));
  CHECK((ParseBigInt("9223372036854775807", &v) && v == std::numeric_limits<int64_t>::max()));
  CHECK((ParseBigInt("-9223372036854775808", &v) && v == std::numeric_limits<int64_t>::min()));
}

TEST_CASE("ParseBigInt rejects overflow, spaces and non-integers", "[common][value_parse]") {
  int64_t v = 0;
  for (const char* text :
       {"9223372036854775808", "-9223372036854775809", "99999999999999999999", " 1", "1 ", "", "+",
        "-", "1.0", "1e3", "0x10", "--1", "-+1", "1-", "abc", "12a", "\xd9\xa1"}) {
    INFO("text: '" << text << "'");
    CHECK_FALSE(ParseBigInt(text, &v));
  }
}

TEST_CASE("ParseBigInt rejects two signs", "[common][value_parse]") {
  // The grammar is [+-]digits: at most one sign.
  int64_t v = 0;
  CHECK_FALSE(ParseBigInt("+-5", &v));
  CHECK_FALSE(ParseBigInt("+-0", &v));
}

TEST_CASE("ParseDouble accepts decimal and exponent forms", "[common][value_parse]") {
  double d = 0;
  CHECK((ParseDouble("3.5", &d) && d == 3.5));
  CHECK((ParseDouble(".5", &d) && d == 0.5));
  CHECK((ParseDouble("-.25", &d) && d == -0.25));
  CHECK((ParseDouble("+2.5", &d) && d == 2.5));
  CHECK((ParseDouble("7", &d) && d == 7.0));
  CHECK((ParseDouble("1e3", &d) && d == 1000.0));
  CHECK((ParseDouble("1E3", &d) && d == 1000.0));
  CHECK((ParseDouble("2.5e-2", &d) && d == 0.025));
  CHECK((ParseDouble("-1.5E+2", &d) && d == -150.0));
  CHECK((ParseDouble("0.1", &d) && d == 0.1));
  CHECK((ParseDouble("-0", &d) && d == 0.0 && std::signbit(d)));
}

TEST_CASE("ParseDouble rounds decimal text correctly", "[common][value_parse]") {
  double d = 0;
  // 2^53 + 1 is halfway between two doubles: round to even.
  CHECK((ParseDouble("9007199254740993", &d) && d == 9007199254740992.0));
  CHECK((ParseDouble("0.30000000000000004", &d) && d == 0.1 + 0.2));
  CHECK((ParseDouble("000123.4500", &d) && d == 123.45));
  // Random decimals of up to 20 digits, compared with the C library's correctly rounded strtod.
  Rng rng(53);
  for (int i = 0; i < 20000; ++i) {
    std::string text = rng.Bernoulli(0.3) ? "-" : "";
    const size_t int_digits = rng.Uniform(8), frac_digits = rng.Uniform(13);
    for (size_t k = 0; k < int_digits; ++k) text += static_cast<char>('0' + rng.Uniform(10));
    if (frac_digits > 0 || int_digits == 0) text += '.';
    for (size_t k = 0; k < frac_digits || (int_digits == 0 && k == 0); ++k) {
      text += static_cast<char>('0' + rng.Uniform(10));
    }
    if (rng.Bernoulli(0.2)) text += "e" + std::to_string(static_cast<int>(rng.Uniform(41)) - 20);
    INFO(text);
    REQUIRE(ParseDouble(text, &d));
    const double expected = std::strtod(text.c_str(), nullptr);
    REQUIRE(std::memcmp(&d, &expected, sizeof d) == 0);
  }
}

TEST_CASE("ParseDouble rejects non-finite, hex and malformed text", "[common][value_parse]") {
  double d = 0;
  for (const char* text :
       {"inf", "-inf",  "infinity", "nan",  "NaN",   "1e",     "1e+", "e5",   ".",
        "-",   "+",     "",         "0x10", "0x1p3", " 1",     "1 ",  "1.5.", "1..5",
        "1,5", "1e3.5", "--1",      "+-1",  "1e999", "-1e999", "abc"}) {
    INFO("text: '" << text << "'");
    CHECK_FALSE(ParseDouble(text, &d));
  }
}

TEST_CASE("ParseBoolean accepts true and false in any case only", "[common][value_parse]") {
  bool b = false;
  CHECK((ParseBoolean("true", &b) && b));
  CHECK((ParseBoolean("TRUE", &b) && b));
  CHECK((ParseBoolean("tRuE", &b) && b));
  CHECK((ParseBoolean("false", &b) && !b));
  CHECK((ParseBoolean("False", &b) && !b));
  CHECK((ParseBoolean("FALSE", &b) && !b));
  for (const char* text :
       {"", "t", "f", "yes", "no", "1", "0", " true", "true ", "truex", "fals", "on"}) {
    INFO("text: '" << text << "'");
    CHECK_FALSE(ParseBoolean(text, &b));
  }
}

TEST_CASE("ParseDate counts days from 1970-01-01 on the Gregorian calendar",
          "[common][value_parse]") {
  int32_t days = 12345;
  CHECK((ParseDate("1970-01-01", &days) && days == 0));
  CHECK((ParseDate("1970-01-02", &days) && days == 1));
  CHECK((ParseDate("1969-12-31", &days) && days == -1));
  CHECK((ParseDate("1971-01-01", &days) && days == 365));
  CHECK((ParseDate("2024-01-01", &days) && days == k20240101));
  CHECK((ParseDate("2024-02-29", &days) && days == k20240229));
  CHECK((ParseDate("2024-03-01", &days) && days == k20240229 + 1));
  CHECK((ParseDate("2000-02-29", &days) && days == 30 * 365 + 7 + 31 + 28));  // 400-year leap
  CHECK((ParseDate("0001-01-01", &days) && days == DaysFromCivil(1, 1, 1)));
  CHECK((ParseDate("9999-12-31", &days) && days == DaysFromCivil(9999, 12, 31)));
}

TEST_CASE("ParseDate rejects impossible dates and other shapes", "[common][value_parse]") {
  int32_t days = 0;
  for (const char* text : {"2023-02-29",  "1900-02-29",          "2100-02-29", "2024-02-30",
                           "2024-04-31",  "2024-13-01",          "2024-00-10", "2024-01-00",
                           "2024-01-32",  "0000-01-01",          "2024-1-01",  "2024-01-1",
                           "24-01-01",    "2024/01/01",          "20240101",   " 2024-01-01",
                           "2024-01-01 ", "2024-01-01T00:00:00", "",           "abcd-ef-gh",
                           "+024-01-01",  "2024-0a-01"}) {
    INFO("text: '" << text << "'");
    CHECK_FALSE(ParseDate(text, &days));
  }
}

TEST_CASE("DaysFromCivil agrees with day counting across leap rules", "[common][value_parse]") {
  CHECK(DaysFromCivil(1970, 1, 1) == 0);
  CHECK(DaysFromCivil(2024, 2, 29) == k20240229);
  // 1900 is not a leap year: 1900-02-28 and 1900-03-01 are one day apart.
  CHECK(DaysFromCivil(1900, 3, 1) - DaysFromCivil(1900, 2, 28) == 1);
  // A 400-year cycle holds 146097 days.
  CHECK(DaysFromCivil(2370, 6, 15) - DaysFromCivil(1970, 6, 15) == 146097);
}

TEST_CASE("ParseTimestamp reads a date, a space or 'T', a time and 1-6 fraction digits",
          "[common][value_parse]") {
  const int64_t day = int64_t{k20240101 + 1} * kMicrosPerDay;  // 2024-01-02
  const int64_t time = (3 * 3600 + 4 * 60 + 5) * kMicrosPerSecond;
  int64_t t = 0;
  CHECK((ParseTimestamp("2024-01-02 03:04:05", &t) && t == day + time));
  CHECK((ParseTimestamp("2024-01-02T03:04:05", &t) && t == day + time));
  CHECK((ParseTimestamp("2024-01-02", &t) && t == day));
  CHECK((ParseTimestamp("2024-01-02 00:00:00", &t) && t == day));
  CHECK((ParseTimestamp("2024-01-02 23:59:59", &t) && t == day + kMicrosPerDay - 1'000'000));
  CHECK((ParseTimestamp("2024-01-02 03:04:05.5", &t) && t == day + time + 500000));
  CHECK((ParseTimestamp("2024-01-02 03:04:05.12", &t) && t == day + time + 120000));
  CHECK((ParseTimestamp("2024-01-02 03:04:05.123", &t) && t == day + time + 123000));
  CHECK((ParseTimestamp("2024-01-02 03:04:05.1234", &t) && t == day + time + 123400));
  CHECK((ParseTimestamp("2024-01-02 03:04:05.12345", &t) && t == day + time + 123450));
  CHECK((ParseTimestamp("2024-01-02 03:04:05.123456", &t) && t == day + time + 123456));
  CHECK((ParseTimestamp("2024-01-02T03:04:05.000001", &t) && t == day + time + 1));
  CHECK((ParseTimestamp("1969-12-31 23:59:59.999999", &t) && t == -1));
  CHECK((ParseTimestamp("2024-02-29 12:00:00", &t) &&
         t == int64_t{k20240229} * kMicrosPerDay + 12 * 3600 * kMicrosPerSecond));
}

TEST_CASE("ParseTimestamp rejects bad times, 7 fraction digits and other shapes",
          "[common][value_parse]") {
  int64_t t = 0;
  for (const char* text :
       {"2024-01-02 03:04:05.1234567", "2024-01-02 24:00:00", "2024-01-02 23:60:00",
        "2024-01-02 23:59:60", "2024-01-02 03:04", "2024-01-02 3:04:05", "2024-01-02x03:04:05",
        "2024-01-02 03:04:05.", "2024-01-02 03:04:05Z", "2024-01-02 03:04:05+01:00",
        "2024-01-02 03-04-05", "2024-01-02 03:04:05 ", "2024-01-02 ", "2023-02-29 00:00:00",
        "2024-01-02  03:04:05", "2024-01-02 03:04:05,5", "2024-01-02 03:04:05.1a", ""}) {
    INFO("text: '" << text << "'");
    CHECK_FALSE(ParseTimestamp(text, &t));
  }
}

TEST_CASE("FormatDate prints YYYY-MM-DD and inverts ParseDate", "[common][value_parse]") {
  CHECK(FormatDate(0) == "1970-01-01");
  CHECK(FormatDate(-1) == "1969-12-31");
  CHECK(FormatDate(k20240229) == "2024-02-29");
  CHECK(FormatDate(k20240229 + 1) == "2024-03-01");
  CHECK(FormatDate(static_cast<int32_t>(DaysFromCivil(1, 1, 1))) == "0001-01-01");
  CHECK(FormatDate(static_cast<int32_t>(DaysFromCivil(9999, 12, 31))) == "9999-12-31");
  CHECK(FormatDate(static_cast<int32_t>(DaysFromCivil(1900, 3, 1))) == "1900-03-01");

  // Every 37th day over the whole supported range, including all of the pre-1970 ones.
  const int32_t first = static_cast<int32_t>(DaysFromCivil(1, 1, 1));
  const int32_t last = static_cast<int32_t>(DaysFromCivil(9999, 12, 31));
  int mismatches = 0;
  for (int32_t d = first; d <= last; d += 37) {
    int32_t back = 0;
    if (!ParseDate(FormatDate(d), &back) || back != d) ++mismatches;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("FormatTimestamp prints trimmed microseconds and handles pre-1970 instants",
          "[common][value_parse]") {
  CHECK(FormatTimestamp(0) == "1970-01-01 00:00:00");
  CHECK(FormatTimestamp(1'500'000) == "1970-01-01 00:00:01.5");
  CHECK(FormatTimestamp(123) == "1970-01-01 00:00:00.000123");
  CHECK(FormatTimestamp(120'000) == "1970-01-01 00:00:00.12");
  CHECK(FormatTimestamp(-1) == "1969-12-31 23:59:59.999999");
  CHECK(FormatTimestamp(-kMicrosPerDay) == "1969-12-31 00:00:00");
  CHECK(FormatTimestamp(-kMicrosPerDay - 500'000) == "1969-12-30 23:59:59.5");
  CHECK(FormatTimestamp(int64_t{k20240229} * kMicrosPerDay + 13 * 3600 * kMicrosPerSecond +
                        7 * 60 * kMicrosPerSecond + 9 * kMicrosPerSecond + 10) ==
        "2024-02-29 13:07:09.00001");
}

TEST_CASE("FormatTimestamp round-trips through ParseTimestamp, before and after 1970",
          "[common][value_parse]") {
  const int64_t first = DaysFromCivil(1, 1, 1) * kMicrosPerDay;
  const int64_t span = (DaysFromCivil(9999, 12, 31) + 1) * kMicrosPerDay - first;
  Rng rng(20240229);
  int negatives = 0;
  for (int i = 0; i < 5000; ++i) {
    int64_t t = first + static_cast<int64_t>(rng.Uniform(static_cast<uint64_t>(span)));
    if (i % 3 == 0) t -= t % kMicrosPerSecond;  // some whole seconds (no fraction printed)
    negatives += t < 0;
    const std::string text = FormatTimestamp(t);
    int64_t back = 0;
    INFO(t << " -> " << text);
    REQUIRE(ParseTimestamp(text, &back));
    REQUIRE(back == t);
  }
  CHECK(negatives > 100);  // the sample really covered pre-1970 instants
}

TEST_CASE("FormatDouble prints the shortest text that reads back exactly",
          "[common][value_parse]") {
  CHECK(FormatDouble(1.5) == "1.5");
  CHECK(FormatDouble(0.1) == "0.1");
  CHECK(FormatDouble(1e20) == "1e+20");
  CHECK(FormatDouble(-0.25) == "-0.25");
  CHECK(FormatDouble(100.0) == "100");
  CHECK(FormatDouble(0.1 + 0.2) == "0.30000000000000004");

  Rng rng(7);
  for (int i = 0; i < 5000; ++i) {
    double value;
    const uint64_t bits = rng.Next();
    std::memcpy(&value, &bits, sizeof value);
    if (!std::isfinite(value)) continue;
    const std::string text = FormatDouble(value);
    double back = 0;
    INFO(text);
    REQUIRE(ParseDouble(text, &back));
    REQUIRE(std::memcmp(&back, &value, sizeof value) == 0);
    // Shortest: no "%.<p>g" form that reads back exactly is shorter.
    for (int precision = 1; precision <= 17; ++precision) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.*g", precision, value);
      if (std::strtod(buf, nullptr) == value) {
        REQUIRE(text.size() <= std::strlen(buf));
        break;
      }
    }
  }
}

}  // namespace
}  // namespace lake
