#include "common/vector.h"

#include <cstring>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "common/rng.h"

namespace lake {
namespace {

// Appends `values` to a fresh vector of `type`; rows listed in `nulls` get NULL instead.
template <class T>
Vector FixedVector(LogicalType type, const std::vector<T>& values, const std::vector<bool>& nulls) {
  Vector v(type);
  for (size_t i = 0; i < values.size(); ++i) {
    if (nulls[i]) {
      v.AppendNull();
    } else {
      v.Append<T>(values[i]);
    }
  }
  return v;
}

template <class T>
void CheckFixed(const Vector& v, const std::vector<T>& values, const std::vector<bool>& nulls) {
  REQUIRE(v.size() == values.size());
  size_t expected_nulls = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    INFO("row " << i);
    CHECK(v.IsValid(i) == !nulls[i]);
    // A NULL slot holds zero.
    CHECK(v.Get<T>(i) == (nulls[i] ? T{} : values[i]));
    CHECK(v.data<T>()[i] == v.Get<T>(i));
    expected_nulls += nulls[i];
  }
  CHECK(v.null_count() == expected_nulls);
  CHECK(v.fixed_bytes().size() == values.size() * sizeof(T));
}

TEST_CASE("Vector appends each fixed-width type with NULLs", "[common][vector]") {
  const std::vector<bool> nulls = {false, true, false, false, true};
  SECTION("BIGINT") {
    const std::vector<int64_t> values = {-5, 99, INT64_MAX, 0, 7};
    CheckFixed(FixedVector(LogicalType::kBigInt, values, nulls), values, nulls);
  }
  SECTION("TIMESTAMP") {
    const std::vector<int64_t> values = {-1, 1, 1'700'000'000'000'000, INT64_MIN, 3};
    CheckFixed(FixedVector(LogicalType::kTimestamp, values, nulls), values, nulls);
  }
  SECTION("DOUBLE") {
    const std::vector<double> values = {1.5, 2.5, -0.125, 1e300, 9.0};
    CheckFixed(FixedVector(LogicalType::kDouble, values, nulls), values, nulls);
  }
  SECTION("DATE") {
    const std::vector<int32_t> values = {-719162, 1, 19782, 0, 44};
    CheckFixed(FixedVector(LogicalType::kDate, values, nulls), values, nulls);
  }
  SECTION("BOOLEAN") {
    const std::vector<uint8_t> values = {1, 1, 0, 1, 1};
    CheckFixed(FixedVector(LogicalType::kBoolean, values, nulls), values, nulls);
  }
}

TEST_CASE("Vector keeps NULL and the empty string apart in VARCHAR", "[common][vector]") {
  Vector v(LogicalType::kVarchar);
  v.AppendString("alpha");
  v.AppendNull();
  v.AppendString("");
  v.AppendString("Zürich 😀");
  v.AppendNull();
  REQUIRE(v.size() == 5);
  CHECK(v.null_count() == 2);
  CHECK(v.GetString(0) == "alpha");
  CHECK_FALSE(v.IsValid(1));
  CHECK(v.GetString(1).empty());  // a NULL slot holds an empty string
  CHECK(v.IsValid(2));
  CHECK(v.GetString(2).empty());
  CHECK(v.GetString(3) == "Zürich 😀");
  CHECK_FALSE(v.IsValid(4));
  CHECK(v.chars() == "alphaZürich 😀");
  const std::vector<uint32_t> offsets = {0, 5, 5, 5, 5 + 12, 5 + 12};  // "Zürich 😀" is 12 bytes
  CHECK(v.offsets() == offsets);
}

TEST_CASE("Vector validity spans 64-bit words", "[common][vector]") {
  Vector v(LogicalType::kBigInt);
  size_t nulls = 0;
  for (int64_t i = 0; i < 200; ++i) {
    if (i % 3 == 0) {
      v.AppendNull();
      ++nulls;
    } else {
      v.Append<int64_t>(i);
    }
  }
  REQUIRE(v.size() == 200);
  CHECK(v.null_count() == nulls);
  CHECK(v.validity_words().size() == 4);  // ceil(200 / 64)
  for (size_t i = 0; i < 200; ++i) {
    INFO("row " << i);
    CHECK(v.IsValid(i) == (i % 3 != 0));
  }
  // Row i is bit i % 64 of word i / 64, LSB first: row 64 is valid, row 66 is NULL.
  CHECK(((v.validity_words()[1] >> 0) & 1) == 1);  // row 64 is valid
  CHECK(((v.validity_words()[1] >> 2) & 1) == 0);  // row 66 is NULL
}

TEST_CASE("Vector::Clear empties the vector for reuse", "[common][vector]") {
  Vector v(LogicalType::kVarchar);
  v.AppendString("x");
  v.AppendNull();
  v.Clear();
  CHECK(v.size() == 0);
  CHECK(v.null_count() == 0);
  CHECK(v.chars().empty());
  v.AppendString("yz");
  REQUIRE(v.size() == 1);
  CHECK(v.IsValid(0));
  CHECK(v.GetString(0) == "yz");
  CHECK(v.offsets() == std::vector<uint32_t>{0, 2});
}

TEST_CASE("Vector::AppendRange copies values and NULLs of a row range", "[common][vector]") {
  SECTION("fixed width, across a word boundary") {
    Vector source(LogicalType::kBigInt);
    for (int64_t i = 0; i < 150; ++i) {
      if (i % 7 == 0) {
        source.AppendNull();
      } else {
        source.Append<int64_t>(i * 10);
      }
    }
    Vector target(LogicalType::kBigInt);
    target.Append<int64_t>(-1);
    target.AppendRange(source, 60, 80);
    REQUIRE(target.size() == 81);
    CHECK(target.Get<int64_t>(0) == -1);
    size_t nulls = 0;
    for (size_t i = 0; i < 80; ++i) {
      const size_t from = 60 + i;
      INFO("source row " << from);
      CHECK(target.IsValid(1 + i) == (from % 7 != 0));
      CHECK(target.Get<int64_t>(1 + i) == (from % 7 == 0 ? 0 : static_cast<int64_t>(from) * 10));
      nulls += from % 7 == 0;
    }
    CHECK(target.null_count() == nulls);
  }
  SECTION("VARCHAR") {
    Vector source(LogicalType::kVarchar);
    source.AppendString("a");
    source.AppendNull();
    source.AppendString("");
    source.AppendString("dd");
    Vector target(LogicalType::kVarchar);
    target.AppendString("first");
    target.AppendRange(source, 1, 3);
    REQUIRE(target.size() == 4);
    CHECK(target.GetString(0) == "first");
    CHECK_FALSE(target.IsValid(1));
    CHECK(target.IsValid(2));
    CHECK(target.GetString(2).empty());
    CHECK(target.GetString(3) == "dd");
    CHECK(target.null_count() == 1);
  }
  SECTION("word-aligned ranges copy the bitmap by words, ending mid-word") {
    Vector source(LogicalType::kBigInt);
    for (int64_t i = 0; i < 300; ++i) {
      if (i % 5 == 0) {
        source.AppendNull();
      } else {
        source.Append<int64_t>(i);
      }
    }
    Vector target(LogicalType::kBigInt);
    target.AppendRange(source, 64, 100);  // aligned start, ends mid-word
    target.AppendRange(source, 200, 30);  // target no longer aligned: row by row
    REQUIRE(target.size() == 130);
    size_t nulls = 0;
    for (size_t i = 0; i < 130; ++i) {
      const size_t from = i < 100 ? 64 + i : 200 + (i - 100);
      INFO("target row " << i);
      CHECK(target.IsValid(i) == (from % 5 != 0));
      nulls += from % 5 == 0;
    }
    CHECK(target.null_count() == nulls);
    CHECK((target.validity_words().back() >> (130 % 64)) == 0);  // no bits past size()
  }
  SECTION("an empty range appends nothing") {
    Vector source(LogicalType::kDouble);
    source.Append<double>(1.0);
    Vector target(LogicalType::kDouble);
    target.AppendRange(source, 1, 0);
    CHECK(target.size() == 0);
  }
}

TEST_CASE("Vector::AppendSelected gathers selected rows with their NULLs", "[common][vector]") {
  for (LogicalType type :
       {LogicalType::kBigInt, LogicalType::kDate, LogicalType::kBoolean, LogicalType::kVarchar}) {
    Vector source(type);
    for (int i = 0; i < 100; ++i) {
      if (i % 6 == 0) {
        source.AppendNull();
      } else if (type == LogicalType::kVarchar) {
        source.AppendString(std::string(static_cast<size_t>(i % 4), 'q') + std::to_string(i));
      } else if (type == LogicalType::kDate) {
        source.Append<int32_t>(i);
      } else if (type == LogicalType::kBoolean) {
        source.Append<uint8_t>(i % 2);
      } else {
        source.Append<int64_t>(i);
      }
    }
    const std::vector<uint32_t> selection = {99, 0, 5, 6, 6, 42, 71};
    Vector target(type);
    target.AppendSelected(source, selection.data(), selection.size());
    Vector expected(type);
    for (uint32_t row : selection) expected.AppendRange(source, row, 1);
    REQUIRE(target.size() == expected.size());
    CHECK(target.null_count() == expected.null_count());
    for (size_t i = 0; i < selection.size(); ++i) {
      INFO("type " << TypeName(type) << " row " << i);
      CHECK(target.IsValid(i) == expected.IsValid(i));
      if (type == LogicalType::kVarchar) {
        CHECK(target.GetString(i) == expected.GetString(i));
      } else {
        const size_t width = FixedWidth(type);
        CHECK(std::memcmp(target.fixed_bytes().data() + i * width,
                          expected.fixed_bytes().data() + i * width, width) == 0);
      }
    }
  }
}

TEST_CASE("Vector::AppendSelected copies strings of every length and validity runs at any offset",
          "[common][vector]") {
  Rng rng(5);
  for (bool with_nulls : {false, true}) {
    Vector source(LogicalType::kVarchar);
    for (size_t i = 0; i < 300; ++i) {
      if (with_nulls && i % 7 == 3) {
        source.AppendNull();
        continue;
      }
      std::string value(i % 41, 'a');  // 0 to 40 bytes: each copy path of a gather
      for (char& c : value) c = static_cast<char>('a' + rng.Uniform(26));
      source.AppendString(value);
    }
    // Onto targets already 0 to 130 rows long, so runs of valid rows start at any bit of a word
    // and cross word boundaries.
    for (size_t already : {size_t{0}, size_t{1}, size_t{63}, size_t{64}, size_t{70}, size_t{130}}) {
      std::vector<uint32_t> selection;
      for (size_t i = 0; i < 200; ++i) selection.push_back(static_cast<uint32_t>(rng.Uniform(300)));
      Vector target(LogicalType::kVarchar), expected(LogicalType::kVarchar);
      for (size_t i = 0; i < already; ++i) {
        target.AppendString("x");
        expected.AppendString("x");
      }
      target.AppendSelected(source, selection.data(), selection.size());
      for (uint32_t row : selection) expected.AppendRange(source, row, 1);
      INFO("nulls " << with_nulls << ", " << already << " rows before");
      REQUIRE(target.size() == expected.size());
      CHECK(target.null_count() == expected.null_count());
      CHECK(target.validity_words() == expected.validity_words());
      for (size_t i = 0; i < target.size(); ++i) {
        CHECK(target.IsValid(i) == expected.IsValid(i));
        CHECK(target.GetString(i) == expected.GetString(i));
      }
      // A second gather appends after the first, offsets continuing.
      target.AppendSelected(source, selection.data(), 5);
      for (size_t i = 0; i < 5; ++i) {
        CHECK(target.GetString(already + selection.size() + i) == source.GetString(selection[i]));
      }
    }
  }
}

TEST_CASE("Vector::FromBuffers rebuilds a vector from its raw buffers", "[common][vector]") {
  SECTION("fixed width") {
    Vector original(LogicalType::kDate);
    for (int32_t i = 0; i < 70; ++i) {
      if (i % 5 == 0) {
        original.AppendNull();
      } else {
        original.Append<int32_t>(i - 35);
      }
    }
    const ByteView fixed = original.fixed_bytes();
    Vector rebuilt = Vector::FromBuffers(LogicalType::kDate, 70, original.validity_words(),
                                         Bytes(fixed.begin(), fixed.end()), {}, {});
    REQUIRE(rebuilt.size() == 70);
    CHECK(rebuilt.type() == LogicalType::kDate);
    CHECK(rebuilt.null_count() == 14);
    for (size_t i = 0; i < 70; ++i) {
      CHECK(rebuilt.IsValid(i) == original.IsValid(i));
      CHECK(rebuilt.Get<int32_t>(i) == original.Get<int32_t>(i));
    }
  }
  SECTION("VARCHAR") {
    Vector rebuilt =
        Vector::FromBuffers(LogicalType::kVarchar, 3, {0b101}, {}, {0, 3, 3, 5}, "abcde");
    REQUIRE(rebuilt.size() == 3);
    CHECK(rebuilt.null_count() == 1);
    CHECK(rebuilt.GetString(0) == "abc");
    CHECK_FALSE(rebuilt.IsValid(1));
    CHECK(rebuilt.GetString(2) == "de");
    // The rebuilt vector keeps growing like any other.
    rebuilt.AppendString("f");
    CHECK(rebuilt.GetString(3) == "f");
    CHECK(rebuilt.size() == 4);
  }
  SECTION("bits past the last row do not count") {
    // All 64 bits set except row 1: rows 0 and 2 valid, row 1 NULL, rows 3.. do not exist.
    Vector rebuilt =
        Vector::FromBuffers(LogicalType::kBoolean, 3, {~uint64_t{0} ^ 0b10}, {1, 0, 1}, {}, {});
    CHECK(rebuilt.null_count() == 1);
    CHECK(rebuilt.validity_words()[0] == 0b101);
    // Appending after row 2 must start from a clean bit.
    rebuilt.AppendNull();
    CHECK_FALSE(rebuilt.IsValid(3));
    CHECK(rebuilt.null_count() == 2);
  }
}

TEST_CASE("FixedWidth and type names match the documented layout", "[common][vector]") {
  CHECK(FixedWidth(LogicalType::kBigInt) == 8);
  CHECK(FixedWidth(LogicalType::kTimestamp) == 8);
  CHECK(FixedWidth(LogicalType::kDouble) == 8);
  CHECK(FixedWidth(LogicalType::kDate) == 4);
  CHECK(FixedWidth(LogicalType::kBoolean) == 1);
  CHECK(FixedWidth(LogicalType::kVarchar) == 0);
  CHECK(TypeFromName("bigint") == LogicalType::kBigInt);
  CHECK(TypeFromName("Timestamp") == LogicalType::kTimestamp);
  CHECK_FALSE(TypeFromName("INT").has_value());
  CHECK_FALSE(TypeFromName("").has_value());
  CHECK(TypeFromCode(4) == LogicalType::kVarchar);
  CHECK_FALSE(TypeFromCode(0).has_value());
  CHECK_FALSE(TypeFromCode(7).has_value());
  for (uint8_t code = 1; code <= 6; ++code) {
    const auto type = static_cast<LogicalType>(code);
    CHECK(TypeFromName(TypeName(type)) == type);
  }
}

}  // namespace
}  // namespace lake
