#include "store/type_inference.h"

#include <initializer_list>
#include <string_view>

#include <catch2/catch.hpp>

namespace lake::store {
namespace {

LogicalType Infer(std::initializer_list<std::string_view> fields) {
  TypeInferrer inferrer;
  for (std::string_view field : fields) inferrer.Observe(field);
  return inferrer.Result();
}

TEST_CASE("TypeInferrer infers BIGINT for signed integers", "[store][type_inference]") {
  CHECK(Infer({"1", "-2", "+3", "9223372036854775807"}) == LogicalType::kBigInt);
  CHECK(Infer({"0", "1", "1", "0"}) == LogicalType::kBigInt);  // 0/1 is not BOOLEAN
}

TEST_CASE("TypeInferrer widens BIGINT to DOUBLE on a late decimal", "[store][type_inference]") {
  CHECK(Infer({"1", "2", "3", "4", "3.5"}) == LogicalType::kDouble);
  CHECK(Infer({"3.5", "1", "2"}) == LogicalType::kDouble);  // integers fit a DOUBLE column
  CHECK(Infer({"1", "1e3"}) == LogicalType::kDouble);
  // Too large for int64 but a fine double.
  CHECK(Infer({"1", "9223372036854775808"}) == LogicalType::kDouble);
}

TEST_CASE("TypeInferrer falls back to VARCHAR on a late non-number", "[store][type_inference]") {
  CHECK(Infer({"1", "2", "3.5", "abc"}) == LogicalType::kVarchar);
  CHECK(Infer({"1", "2", "abc", "4"}) == LogicalType::kVarchar);  // no way back
  CHECK(Infer({"1", " 2"}) == LogicalType::kVarchar);             // parsers are strict
  CHECK(Infer({"1.5", "inf"}) == LogicalType::kVarchar);
}

TEST_CASE("TypeInferrer ignores empty fields, and an all-empty column is VARCHAR",
          "[store][type_inference]") {
  CHECK(Infer({"", "1", "", "2", ""}) == LogicalType::kBigInt);
  CHECK(Infer({"", "true", ""}) == LogicalType::kBoolean);
  CHECK(Infer({"", "", ""}) == LogicalType::kVarchar);
  CHECK(Infer({}) == LogicalType::kVarchar);
}

TEST_CASE("TypeInferrer infers BOOLEAN from true and false in any case",
          "[store][type_inference]") {
  CHECK(Infer({"true", "false", "TRUE", "False"}) == LogicalType::kBoolean);
  CHECK(Infer({"true", "yes"}) == LogicalType::kVarchar);
}

TEST_CASE("TypeInferrer infers DATE, and TIMESTAMP when dates meet timestamps",
          "[store][type_inference]") {
  CHECK(Infer({"2024-01-01", "1969-12-31", "2024-02-29"}) == LogicalType::kDate);
  CHECK(Infer({"2024-01-01", "2024-01-02 10:00:00"}) == LogicalType::kTimestamp);
  CHECK(Infer({"2024-01-02T10:00:00.5", "2024-01-01"}) == LogicalType::kTimestamp);
  CHECK(Infer({"2024-01-02 10:00:00", "2024-01-03 11:00:00"}) == LogicalType::kTimestamp);
  CHECK(Infer({"2024-01-01", "2023-02-29"}) == LogicalType::kVarchar);  // not a real date
  CHECK(Infer({"2024-01-02 24:00:00"}) == LogicalType::kVarchar);
}

TEST_CASE("TypeInferrer makes any other mix VARCHAR", "[store][type_inference]") {
  CHECK(Infer({"true", "1"}) == LogicalType::kVarchar);
  CHECK(Infer({"1", "true"}) == LogicalType::kVarchar);
  CHECK(Infer({"1.5", "false"}) == LogicalType::kVarchar);
  CHECK(Infer({"2024-01-01", "5"}) == LogicalType::kVarchar);
  CHECK(Infer({"2024-01-01 00:00:00", "true"}) == LogicalType::kVarchar);
}

TEST_CASE("AppendParsed writes each type's physical value and NULL for an empty field",
          "[store][type_inference]") {
  SECTION("BIGINT") {
    Vector v(LogicalType::kBigInt);
    CHECK(AppendParsed("42", LogicalType::kBigInt, &v));
    CHECK(AppendParsed("", LogicalType::kBigInt, &v));
    CHECK(AppendParsed("-7", LogicalType::kBigInt, &v));
    REQUIRE(v.size() == 3);
    CHECK(v.Get<int64_t>(0) == 42);
    CHECK_FALSE(v.IsValid(1));
    CHECK(v.Get<int64_t>(2) == -7);
    CHECK(v.null_count() == 1);
  }
  SECTION("DOUBLE, including integers in a DOUBLE column") {
    Vector v(LogicalType::kDouble);
    CHECK(AppendParsed("3.5", LogicalType::kDouble, &v));
    CHECK(AppendParsed("2", LogicalType::kDouble, &v));
    CHECK(AppendParsed("", LogicalType::kDouble, &v));
    REQUIRE(v.size() == 3);
    CHECK(v.Get<double>(0) == 3.5);
    CHECK(v.Get<double>(1) == 2.0);
    CHECK_FALSE(v.IsValid(2));
  }
  SECTION("BOOLEAN as 0/1 bytes") {
    Vector v(LogicalType::kBoolean);
    CHECK(AppendParsed("TRUE", LogicalType::kBoolean, &v));
    CHECK(AppendParsed("false", LogicalType::kBoolean, &v));
    CHECK(AppendParsed("", LogicalType::kBoolean, &v));
    REQUIRE(v.size() == 3);
    CHECK(v.Get<uint8_t>(0) == 1);
    CHECK(v.Get<uint8_t>(1) == 0);
    CHECK(v.IsValid(1));
    CHECK_FALSE(v.IsValid(2));
  }
  SECTION("DATE as days since 1970-01-01") {
    Vector v(LogicalType::kDate);
    CHECK(AppendParsed("1970-01-02", LogicalType::kDate, &v));
    CHECK(AppendParsed("1969-12-31", LogicalType::kDate, &v));
    CHECK(AppendParsed("", LogicalType::kDate, &v));
    REQUIRE(v.size() == 3);
    CHECK(v.Get<int32_t>(0) == 1);
    CHECK(v.Get<int32_t>(1) == -1);
    CHECK_FALSE(v.IsValid(2));
  }
  SECTION("TIMESTAMP as microseconds, a bare date meaning midnight") {
    Vector v(LogicalType::kTimestamp);
    CHECK(AppendParsed("1970-01-01 00:00:01.5", LogicalType::kTimestamp, &v));
    CHECK(AppendParsed("1970-01-02", LogicalType::kTimestamp, &v));
    CHECK(AppendParsed("", LogicalType::kTimestamp, &v));
    REQUIRE(v.size() == 3);
    CHECK(v.Get<int64_t>(0) == 1'500'000);
    CHECK(v.Get<int64_t>(1) == int64_t{86'400} * 1'000'000);
    CHECK_FALSE(v.IsValid(2));
  }
  SECTION("VARCHAR keeps text, but an empty field is NULL") {
    Vector v(LogicalType::kVarchar);
    CHECK(AppendParsed("abc", LogicalType::kVarchar, &v));
    CHECK(AppendParsed("", LogicalType::kVarchar, &v));
    CHECK(AppendParsed(" ", LogicalType::kVarchar, &v));
    REQUIRE(v.size() == 3);
    CHECK(v.GetString(0) == "abc");
    CHECK_FALSE(v.IsValid(1));
    CHECK(v.GetString(2) == " ");
    CHECK(v.IsValid(2));
  }
}

TEST_CASE("AppendParsed refuses text that does not parse as the type", "[store][type_inference]") {
  Vector ints(LogicalType::kBigInt);
  CHECK_FALSE(AppendParsed("3.5", LogicalType::kBigInt, &ints));
  CHECK_FALSE(AppendParsed("abc", LogicalType::kBigInt, &ints));
  Vector doubles(LogicalType::kDouble);
  CHECK_FALSE(AppendParsed("nan", LogicalType::kDouble, &doubles));
  Vector bools(LogicalType::kBoolean);
  CHECK_FALSE(AppendParsed("1", LogicalType::kBoolean, &bools));
  Vector dates(LogicalType::kDate);
  CHECK_FALSE(AppendParsed("2024-01-01 10:00:00", LogicalType::kDate, &dates));
  Vector stamps(LogicalType::kTimestamp);
  CHECK_FALSE(AppendParsed("2024-13-01", LogicalType::kTimestamp, &stamps));
}

TEST_CASE("Every value a column's inferrer saw parses as the inferred type",
          "[store][type_inference]") {
  const std::initializer_list<std::string_view> columns[] = {
      {"1", "", "-5", "2.25", "1e2"},
      {"2024-01-01", "", "2024-06-30 23:59:59.25"},
      {"TRUE", "false", ""},
      {"x", "1", "2024-01-01"},
  };
  for (const auto& fields : columns) {
    const LogicalType type = Infer(fields);
    Vector v(type);
    for (std::string_view field : fields) {
      INFO(TypeName(type) << " <- '" << field << "'");
      CHECK(AppendParsed(field, type, &v));
    }
    CHECK(v.size() == fields.size());
  }
}

}  // namespace
}  // namespace lake::store
