#include "store/column_encoding.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "common/rng.h"
#include "common/utf8.h"
#include "store/int_sequence.h"

namespace lake::store {
namespace {

constexpr ColumnEncoding kEncodings[] = {ColumnEncoding::kPlain, ColumnEncoding::kBitPacked,
                                         ColumnEncoding::kRunLength, ColumnEncoding::kDictionary,
                                         ColumnEncoding::kDecimal};
constexpr LogicalType kTypes[] = {LogicalType::kBigInt,  LogicalType::kDouble,
                                  LogicalType::kBoolean, LogicalType::kVarchar,
                                  LogicalType::kDate,    LogicalType::kTimestamp};

std::vector<uint64_t> Validity(const Vector& v) {
  std::vector<uint64_t> words = v.validity_words();
  words.resize((v.size() + 63) / 64);
  return words;
}

// A column of `rows` rows of `type`: row r holds value(r), or NULL where value(r) is nullopt.
// Values are int64 (cast to the type), doubles, or strings, as the type wants.
struct Generator {
  std::function<bool(size_t)> is_null = [](size_t) { return false; };
  std::function<int64_t(size_t)> integer = [](size_t r) { return static_cast<int64_t>(r); };
  std::function<double(size_t)> real = [](size_t r) { return r * 0.5; };
  std::function<std::string(size_t)> text = [](size_t r) { return "s" + std::to_string(r); };
};

Vector Make(LogicalType type, size_t rows, const Generator& g) {
  Vector v(type);
  for (size_t r = 0; r < rows; ++r) {
    if (g.is_null(r)) {
      v.AppendNull();
      continue;
    }
    switch (type) {
      case LogicalType::kBigInt:
      case LogicalType::kTimestamp:
        v.Append<int64_t>(g.integer(r));
        break;
      case LogicalType::kDate:
        v.Append<int32_t>(static_cast<int32_t>(g.integer(r)));
        break;
      case LogicalType::kBoolean:
        v.Append<uint8_t>(static_cast<uint8_t>(g.integer(r) & 1));
        break;
      case LogicalType::kDouble:
        v.Append<double>(g.real(r));
        break;
      case LogicalType::kVarchar:
        v.AppendString(g.text(r));
        break;
    }
  }
  return v;
}

// Checks `pieces` hold exactly `expected`, cut every `piece_rows` rows, NULL slots zero/empty.
void CheckPieces(const ColumnPieces& pieces, const Vector& expected, size_t piece_rows) {
  REQUIRE(pieces.size() == (expected.size() + piece_rows - 1) / piece_rows);
  size_t mismatches = 0;
  for (size_t p = 0; p < pieces.size(); ++p) {
    const Vector& piece = pieces[p];
    REQUIRE(piece.type() == expected.type());
    REQUIRE(piece.size() == std::min(piece_rows, expected.size() - p * piece_rows));
    size_t nulls = 0;
    for (size_t i = 0; i < piece.size(); ++i) {
      const size_t r = p * piece_rows + i;
      nulls += !expected.IsValid(r);
      if (piece.IsValid(i) != expected.IsValid(r)) {
        ++mismatches;
      } else if (expected.type() == LogicalType::kVarchar) {
        mismatches += piece.GetString(i) != expected.GetString(r);
      } else {
        const size_t w = FixedWidth(expected.type());
        mismatches += std::memcmp(piece.fixed_bytes().data() + i * w,
                                  expected.fixed_bytes().data() + r * w, w) != 0;
      }
    }
    CHECK(piece.null_count() == nulls);
    if (const StringDictionary* d = piece.dictionary()) {
      REQUIRE(d->codes.size() == piece.size());
      for (size_t i = 0; i < piece.size(); ++i) {
        if (!piece.IsValid(i)) continue;
        REQUIRE(d->codes[i] < d->values.size());
        mismatches += d->values.GetString(d->codes[i]) != piece.GetString(i);
      }
    }
  }
  CHECK(mismatches == 0);
}

// Encodes `v` in every encoding that takes it (and as EncodeValues chooses), decodes in pieces
// of several sizes, and compares. Returns how many encodings took it.
size_t CheckEveryEncoding(const Vector& v) {
  std::vector<EncodedValues> encoded = {EncodeValues(v)};
  for (ColumnEncoding e : kEncodings) {
    if (std::optional<EncodedValues> as = EncodeValuesAs(v, e)) encoded.push_back(*as);
  }
  for (const EncodedValues& values : encoded) {
    INFO("encoding " << static_cast<int>(values.encoding) << ", " << v.size() << " rows of "
                     << TypeName(v.type()));
    for (size_t piece_rows : {size_t{64}, kVectorSize, size_t{1} << 24}) {
      Result<ColumnPieces> pieces =
          DecodeValues(v.type(), values.encoding, values.body, Validity(v), v.size(), piece_rows);
      INFO(pieces.status().ToString());
      REQUIRE(pieces.ok());
      CheckPieces(*pieces, v, piece_rows);
    }
  }
  return encoded.size() - 1;
}

TEST_CASE("Every encoding round-trips every type it applies to", "[store][column_encoding]") {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  struct Shape {
    const char* name;
    Generator g;
  };
  std::vector<Shape> shapes;
  shapes.push_back({"ascending", {}});
  Generator with_nulls;
  with_nulls.is_null = [](size_t r) { return r % 7 == 3; };
  shapes.push_back({"NULLs", with_nulls});
  Generator leading_nulls;
  leading_nulls.is_null = [](size_t r) { return r < 70; };
  shapes.push_back({"leading NULLs", leading_nulls});
  Generator all_null;
  all_null.is_null = [](size_t) { return true; };
  shapes.push_back({"all NULL", all_null});
  Generator all_equal;
  all_equal.integer = [](size_t) { return int64_t{-42}; };
  all_equal.real = [](size_t) { return 3.25; };
  all_equal.text = [](size_t) { return std::string("same"); };
  shapes.push_back({"all equal", all_equal});
  Generator extremes;  // a frame of reference spanning all of int64
  extremes.integer = [](size_t r) { return r % 3 == 0 ? kMin : r % 3 == 1 ? kMax : int64_t{0}; };
  extremes.real = [](size_t r) {
    return r % 3 == 0 ? -std::numeric_limits<double>::max() : r % 3 == 1 ? -0.0 : 1e-300;
  };
  extremes.text = [](size_t r) { return r % 2 ? std::string() : std::string(300, 'x'); };
  shapes.push_back({"extremes", extremes});
  Generator negative_runs;  // runs of negative values, decimals with two places
  negative_runs.integer = [](size_t r) { return -1'000'000'000'000 - static_cast<int64_t>(r / 9); };
  negative_runs.real = [](size_t r) { return -static_cast<double>(r / 5) / 100.0; };
  negative_runs.text = [](size_t r) { return "é😀" + std::to_string(r / 9); };
  shapes.push_back({"negative runs", negative_runs});
  Generator strided;  // multiples of a million, as timestamps in whole seconds are
  strided.integer = [](size_t r) { return static_cast<int64_t>((r * 7919) % 1000) * 1'000'000 - 7; };
  strided.is_null = [](size_t r) { return r % 5 == 1; };
  shapes.push_back({"strided", strided});
  Generator huge_range;
  huge_range.integer = [](size_t r) { return r % 2 ? kMin + 5 : kMax / 3 + int64_t(r); };
  huge_range.real = [](size_t r) { return r % 2 ? 1e15 + 0.5 : -123456.789; };
  shapes.push_back({"huge range", huge_range});

  size_t taken = 0;
  for (const Shape& shape : shapes) {
    for (size_t rows : {0, 1, 63, 64, 65, 2049, 4100}) {
      for (LogicalType type : kTypes) {
        INFO(shape.name);
        taken += CheckEveryEncoding(Make(type, rows, shape.g));
      }
    }
  }
  CHECK(taken > 0);
}

TEST_CASE("EncodeValues picks the compact encoding the data calls for", "[store][column_encoding]") {
  auto chosen = [](const Vector& v) { return EncodeValues(v).encoding; };
  auto size = [](const Vector& v) { return EncodeValues(v).body.size(); };
  Generator g;
  const Vector ids = Make(LogicalType::kBigInt, 10000, g);
  CHECK(chosen(ids) == ColumnEncoding::kBitPacked);
  CHECK(size(ids) < 10000 * 2);  // 14 bits a value, not 64

  g.integer = [](size_t r) { return static_cast<int64_t>(r / 1000); };
  CHECK(chosen(Make(LogicalType::kTimestamp, 10000, g)) == ColumnEncoding::kRunLength);

  // Whole seconds in microseconds: packed as seconds, 14 bits a value rather than 34.
  g.integer = [](size_t r) { return 1'735'689'600'000'000 + static_cast<int64_t>(r) * 1'000'000; };
  const Vector seconds = Make(LogicalType::kTimestamp, 10000, g);
  CHECK(chosen(seconds) == ColumnEncoding::kBitPacked);
  CHECK(size(seconds) < 10000 * 14 / 8 + 32);

  g.text = [](size_t r) { return std::string(r % 3 ? "web" : "android"); };
  const Vector devices = Make(LogicalType::kVarchar, 10000, g);
  CHECK(chosen(devices) == ColumnEncoding::kDictionary);
  CHECK(size(devices) < 10000 / 4 + 64);  // 2 bits a row and the dictionary

  g.real = [](size_t r) { return static_cast<double>(r % 5000) / 100.0; };
  const Vector amounts = Make(LogicalType::kDouble, 10000, g);
  CHECK(chosen(amounts) == ColumnEncoding::kDecimal);
  CHECK(size(amounts) < 10000 * 2 + 16);

  Rng rng(7);
  g.real = [&](size_t) { return std::ldexp(static_cast<double>(rng.Next() >> 11), -53); };
  CHECK(chosen(Make(LogicalType::kDouble, 1000, g)) == ColumnEncoding::kPlain);
  g.real = [](size_t r) { return r < 600 ? 0.1 + 0.2 : 1e300; };  // not decimals, but runs
  CHECK(chosen(Make(LogicalType::kDouble, 1000, g)) == ColumnEncoding::kRunLength);
  g.text = [&](size_t) { return std::to_string(rng.Next()); };
  CHECK(chosen(Make(LogicalType::kVarchar, 1000, g)) == ColumnEncoding::kPlain);
}

TEST_CASE("Decimal takes only values that are exactly n / 10^e", "[store][column_encoding]") {
  Generator g;
  for (double bad : {-0.0, std::nan(""), 0.1 + 0.2, 1e300, std::numeric_limits<double>::infinity()}) {
    g.real = [&](size_t r) { return r == 1 ? bad : 1.5; };
    INFO(bad);
    CHECK_FALSE(EncodeValuesAs(Make(LogicalType::kDouble, 3, g), ColumnEncoding::kDecimal));
  }
  g.real = [](size_t r) { return r == 1 ? 0.001 : -7.0; };
  CHECK(EncodeValuesAs(Make(LogicalType::kDouble, 3, g), ColumnEncoding::kDecimal));
  CHECK_FALSE(EncodeValuesAs(Make(LogicalType::kBigInt, 3, g), ColumnEncoding::kDecimal));
  CHECK_FALSE(EncodeValuesAs(Make(LogicalType::kVarchar, 3, g), ColumnEncoding::kBitPacked));
  CHECK_FALSE(EncodeValuesAs(Make(LogicalType::kDouble, 3, g), ColumnEncoding::kDictionary));
}

TEST_CASE("Decoded pieces carry dictionaries of up to 256 entries", "[store][column_encoding]") {
  for (size_t distinct : {1, 2, 256, 257, 5000}) {  // 5000 of 5000 rows: the largest possible
    INFO(distinct << " distinct strings");
    Generator g;
    g.text = [&](size_t r) { return "v" + std::to_string((r * 7919) % distinct); };
    g.is_null = [](size_t r) { return r % 11 == 0; };
    const Vector v = Make(LogicalType::kVarchar, 5000, g);
    const EncodedValues encoded = *EncodeValuesAs(v, ColumnEncoding::kDictionary);
    Result<ColumnPieces> pieces = DecodeValues(LogicalType::kVarchar, encoded.encoding,
                                               encoded.body, Validity(v), v.size(), kVectorSize);
    REQUIRE(pieces.ok());
    CheckPieces(*pieces, v, kVectorSize);
    for (const Vector& piece : *pieces) {
      const StringDictionary* d = piece.dictionary();
      REQUIRE((d != nullptr) == (distinct <= kMaxPieceDictionary));
      if (d == nullptr) continue;
      // The chunk's dictionary, whole and ascending (whichever strings this piece has).
      REQUIRE(d->values.size() == std::min<size_t>(distinct, 5000));
      for (size_t k = 1; k < d->values.size(); ++k) {
        CHECK(d->values.GetString(k - 1) < d->values.GetString(k));
      }
    }
  }
}

TEST_CASE("A body is refused for a type its encoding does not apply to", "[store][column_encoding]") {
  Generator g;
  const Vector strings = Make(LogicalType::kVarchar, 10, g);
  const EncodedValues dictionary = *EncodeValuesAs(strings, ColumnEncoding::kDictionary);
  const std::vector<uint64_t> valid = Validity(strings);
  CHECK(DecodeValues(LogicalType::kBigInt, dictionary.encoding, dictionary.body, valid, 10, 64)
            .status()
            .IsCorruption());
  CHECK(DecodeValues(LogicalType::kVarchar, ColumnEncoding::kDecimal, dictionary.body, valid, 10,
                     64)
            .status()
            .IsCorruption());
  CHECK(DecodeValues(LogicalType::kVarchar, static_cast<ColumnEncoding>(9), dictionary.body, valid,
                     10, 64)
            .status()
            .IsCorruption());
  // The body of 10 rows read as 11 or 9.
  CHECK(DecodeValues(LogicalType::kVarchar, dictionary.encoding, dictionary.body,
                     Validity(Make(LogicalType::kVarchar, 11, g)), 11, 64)
            .status()
            .IsCorruption());
}

// A decode that succeeded must have produced consistent pieces.
void CheckConsistent(const ColumnPieces& pieces, LogicalType type, size_t rows) {
  size_t total = 0;
  for (const Vector& piece : pieces) {
    REQUIRE(piece.type() == type);
    total += piece.size();
    if (type == LogicalType::kVarchar) {
      REQUIRE(piece.offsets().back() == piece.chars().size());
      REQUIRE(IsValidUtf8(piece.chars()));
    } else {
      REQUIRE(piece.fixed_bytes().size() == piece.size() * FixedWidth(type));
    }
    if (type == LogicalType::kBoolean) {
      for (size_t r = 0; r < piece.size(); ++r) REQUIRE(piece.Get<uint8_t>(r) <= 1);
    }
    if (const StringDictionary* d = piece.dictionary()) {
      for (uint8_t code : d->codes) REQUIRE(code < d->values.size());
    }
  }
  REQUIRE(total == rows);
}

TEST_CASE("Damaged bodies of every encoding are refused or decode consistently",
          "[store][column_encoding]") {
  Rng rng(0xD1C7);
  Generator g;
  g.is_null = [](size_t r) { return r % 9 == 4; };
  g.integer = [](size_t r) { return static_cast<int64_t>(r / 3) * 1000 - 5; };
  g.real = [](size_t r) { return static_cast<double>(r / 4) / 8.0; };
  g.text = [](size_t r) { return "k" + std::to_string(r % 6); };
  size_t bodies = 0, refused = 0;
  for (LogicalType type : kTypes) {
    const Vector v = Make(type, 150, g);
    const std::vector<uint64_t> valid = Validity(v);
    for (ColumnEncoding e : kEncodings) {
      const std::optional<EncodedValues> encoded = EncodeValuesAs(v, e);
      if (!encoded) continue;
      ++bodies;
      INFO(TypeName(type) << " in encoding " << static_cast<int>(e));
      // No proper prefix is a whole body: every size is exact.
      for (size_t len = 0; len < encoded->body.size(); ++len) {
        Result<ColumnPieces> cut =
            DecodeValues(type, e, ByteView(encoded->body).first(len), valid, v.size(), 64);
        REQUIRE_FALSE(cut.ok());
        REQUIRE(cut.status().IsCorruption());
      }
      for (int i = 0; i < 300; ++i) {
        Bytes damaged = encoded->body;
        if (damaged.empty()) break;
        for (size_t f = 0, flips = 1 + rng.Uniform(3); f < flips; ++f) {
          damaged[rng.Uniform(damaged.size())] ^= static_cast<uint8_t>(1 + rng.Uniform(255));
        }
        Result<ColumnPieces> decoded = DecodeValues(type, e, damaged, valid, v.size(), 64);
        if (!decoded.ok()) {
          REQUIRE(decoded.status().IsCorruption());
          ++refused;
          continue;
        }
        CheckConsistent(*decoded, type, v.size());
      }
    }
  }
  CHECK(bodies == 17);  // plain 6, bit-packed 4, run-length 5, dictionary 1, decimal 1
  CHECK(refused > 0);
}

TEST_CASE("Integer sequences refuse malformed counts, widths and runs", "[store][column_encoding]") {
  auto open = [](const Bytes& bytes, IntCoding coding, uint64_t n) {
    ByteReader in(bytes);
    return IntSequenceReader::Open(&in, coding, n, INT64_MIN, INT64_MAX, "test").status();
  };
  Bytes width65;
  PutU64(0, &width65);
  PutUvarint(1, &width65);
  PutU8(65, &width65);
  CHECK(open(width65, IntCoding::kBitPacked, 0).IsCorruption());
  Bytes zero_stride;
  PutU64(0, &zero_stride);
  PutUvarint(0, &zero_stride);
  PutU8(0, &zero_stride);
  CHECK(open(zero_stride, IntCoding::kBitPacked, 3).IsCorruption());
  zero_stride[8] = 1;  // the same block with stride 1 is fine
  CHECK(open(zero_stride, IntCoding::kBitPacked, 3).ok());

  // Runs whose lengths add up to 5 where 6 rows are wanted, and too many runs.
  const std::vector<int64_t> five = {1, 1, 2, 2, 2};
  Bytes runs;
  IntSequenceWriter(five.data(), five.size()).PutBlock(IntCoding::kRunLength, &runs);
  CHECK(open(runs, IntCoding::kRunLength, 5).ok());
  CHECK(open(runs, IntCoding::kRunLength, 6).IsCorruption());
  CHECK(open(runs, IntCoding::kRunLength, 1).IsCorruption());
  CHECK(open(runs, static_cast<IntCoding>(7), 5).IsCorruption());

  // A varint of more than 64 bits.
  Bytes long_varint(11, 0xff);
  ByteReader in(long_varint);
  uint64_t value;
  CHECK_FALSE(in.ReadUvarint(&value));
  Bytes max_varint;
  PutUvarint(UINT64_MAX, &max_varint);
  ByteReader max_in(max_varint);
  REQUIRE(max_in.ReadUvarint(&value));
  CHECK(value == UINT64_MAX);
  CHECK(max_varint.size() == UvarintSize(UINT64_MAX));
}

}  // namespace
}  // namespace lake::store
