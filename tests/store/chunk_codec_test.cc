#include "store/chunk_codec.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "common/hash.h"
#include "common/msgpack_util.h"
#include "common/rng.h"
#include "common/utf8.h"

namespace lake::store {
namespace {

constexpr size_t kRows = 130;  // more than two validity words

// One column of every type; row r is NULL in column c when (r + c) % 5 == 0. VARCHAR rows
// divisible by 3 (and not NULL) hold the empty string.
RowGroup AllTypesGroup(size_t rows = kRows) {
  RowGroup group;
  group.schema = {{"i", LogicalType::kBigInt},  {"d", LogicalType::kDouble},
                  {"b", LogicalType::kBoolean}, {"s", LogicalType::kVarchar},
                  {"day", LogicalType::kDate},  {"ts", LogicalType::kTimestamp}};
  for (const Column& c : group.schema) group.columns.emplace_back(c.type);
  for (size_t r = 0; r < rows; ++r) {
    const int64_t x = static_cast<int64_t>(r);
    for (size_t c = 0; c < group.schema.size(); ++c) {
      Vector& v = group.columns[c];
      if ((r + c) % 5 == 0) {
        v.AppendNull();
        continue;
      }
      switch (group.schema[c].type) {
        case LogicalType::kBigInt:
          v.Append<int64_t>(x * x - 1000);
          break;
        case LogicalType::kDouble:
          v.Append<double>(x * 0.25 - 7.5);
          break;
        case LogicalType::kBoolean:
          v.Append<uint8_t>(r % 2);
          break;
        case LogicalType::kVarchar:
          v.AppendString(r % 3 == 0 ? std::string() : "row " + std::to_string(r) + " é😀");
          break;
        case LogicalType::kDate:
          v.Append<int32_t>(static_cast<int32_t>(x * 100 - 5000));
          break;
        case LogicalType::kTimestamp:
          v.Append<int64_t>(x * 1'000'003 - 77);
          break;
      }
    }
  }
  return group;
}

// Columns whose data calls for each encoding: bit-packed ids, flags and a constant timestamp,
// run-length days, a dictionary of countries, decimal amounts, plain random doubles, and plain notes
// that repeat enough inside for LZ4 to pay.
RowGroup EncodingsGroup(size_t rows = 300) {
  RowGroup group;
  group.schema = {{"id", LogicalType::kBigInt},       {"day", LogicalType::kDate},
                  {"flag", LogicalType::kBoolean},    {"country", LogicalType::kVarchar},
                  {"amount", LogicalType::kDouble},   {"noise", LogicalType::kDouble},
                  {"note", LogicalType::kVarchar},    {"ts", LogicalType::kTimestamp}};
  for (const Column& c : group.schema) group.columns.emplace_back(c.type);
  Rng rng(99);
  static const char* const kCountries[] = {"DE", "FR", "US", "JP", "BR"};
  for (size_t r = 0; r < rows; ++r) {
    group.columns[0].Append<int64_t>(1'000'000 + static_cast<int64_t>(r));
    group.columns[1].Append<int32_t>(static_cast<int32_t>(19000 + r / 100));
    group.columns[2].Append<uint8_t>(r % 3 == 0);
    if (r % 13 == 5) {
      group.columns[3].AppendNull();
      group.columns[4].AppendNull();
    } else {
      group.columns[3].AppendString(kCountries[(r * 7) % 5]);
      group.columns[4].Append<double>(static_cast<double>((r * 37) % 10000) / 100.0);
    }
    group.columns[5].Append<double>(std::ldexp(static_cast<double>(rng.Next() >> 11), -53));
    group.columns[6].AppendString("note number " + std::to_string(r) + " " + std::string(40, 'a'));
    group.columns[7].Append<int64_t>(1'735'689'600'000'000);
  }
  return group;
}

void CheckSameVector(const Vector& actual, const Vector& expected) {
  REQUIRE(actual.type() == expected.type());
  REQUIRE(actual.size() == expected.size());
  CHECK(actual.null_count() == expected.null_count());
  size_t mismatches = 0;
  for (size_t r = 0; r < expected.size(); ++r) {
    if (actual.IsValid(r) != expected.IsValid(r)) {
      ++mismatches;
    } else if (expected.type() == LogicalType::kVarchar) {
      mismatches += actual.GetString(r) != expected.GetString(r);
    } else {
      const ByteView a = actual.fixed_bytes(), e = expected.fixed_bytes();
      const size_t w = FixedWidth(expected.type());
      mismatches += !std::equal(a.begin() + r * w, a.begin() + (r + 1) * w, e.begin() + r * w);
    }
  }
  CHECK(mismatches == 0);
}

void CheckSameGroup(const RowGroup& actual, const RowGroup& expected) {
  REQUIRE(actual.schema == expected.schema);
  REQUIRE(actual.columns.size() == expected.columns.size());
  CHECK(actual.rows() == expected.rows());
  for (size_t c = 0; c < expected.columns.size(); ++c) {
    INFO("column " << expected.schema[c].name);
    CheckSameVector(actual.columns[c], expected.columns[c]);
  }
}

TEST_CASE("A chunk of every type round-trips with NULLs", "[store][chunk_codec]") {
  const RowGroup group = AllTypesGroup();
  const Bytes encoded = EncodeChunk(group);
  Result<RowGroup> decoded = DecodeChunk(encoded);
  REQUIRE(decoded.ok());
  CheckSameGroup(*decoded, group);
  // Spot checks against the generator's rules, independent of the source vectors.
  const Vector& s = decoded->columns[3];
  CHECK_FALSE(s.IsValid(2));  // (2 + 3) % 5 == 0
  CHECK(s.IsValid(3));        // 3 % 3 == 0: empty, not NULL
  CHECK(s.GetString(3).empty());
  CHECK(s.GetString(4) == "row 4 é😀");
  CHECK(decoded->columns[0].Get<int64_t>(129) == 129 * 129 - 1000);
  CHECK(decoded->columns[5].null_count() == 26);  // rows r with (r + 5) % 5 == 0
}

TEST_CASE("Each column gets the encoding its data calls for, and LZ4 only where it pays",
          "[store][chunk_codec]") {
  const RowGroup group = EncodingsGroup();
  const Bytes encoded = EncodeChunk(group);
  const ChunkParts parts = *SplitChunkColumns(encoded);
  REQUIRE(parts.columns.size() == group.schema.size());
  // enc codes: 0 plain, 1 bit-packed, 2 run-length, 3 dictionary, 4 decimal.
  const uint64_t expected[] = {1, 2, 1, 3, 4, 0, 0, 1};  // a constant: bit width 0
  for (size_t c = 0; c < parts.columns.size(); ++c) {
    INFO("column " << group.schema[c].name);
    msgpack::object_handle handle;
    REQUIRE(UnpackUntrusted(parts.columns[c], &handle).ok());
    uint64_t enc = 99;
    REQUIRE(ReadUint(*FindField(handle.get(), "enc"), &enc));
    CHECK(enc == expected[c]);
    CHECK((FindField(handle.get(), "lz4") != nullptr) == (group.schema[c].name == "note"));
  }
  Result<RowGroup> decoded = DecodeChunk(encoded);
  REQUIRE(decoded.ok());
  CheckSameGroup(*decoded, group);
  // Far smaller than the values' plain buffers (8 bytes a number, a string and its offset).
  size_t plain = 0;
  for (const Vector& v : group.columns) plain += v.MemoryBytes();
  CHECK(encoded.size() * 3 < plain);
}

TEST_CASE("An empty string stays a non-NULL empty string", "[store][chunk_codec]") {
  RowGroup group;
  group.schema = {{"s", LogicalType::kVarchar}};
  group.columns.emplace_back(LogicalType::kVarchar);
  group.columns[0].AppendString("");
  group.columns[0].AppendNull();
  group.columns[0].AppendString("");
  Result<RowGroup> decoded = DecodeChunk(EncodeChunk(group));
  REQUIRE(decoded.ok());
  const Vector& v = decoded->columns[0];
  REQUIRE(v.size() == 3);
  CHECK(v.IsValid(0));
  CHECK(v.GetString(0).empty());
  CHECK_FALSE(v.IsValid(1));
  CHECK(v.IsValid(2));
  CHECK(v.null_count() == 1);

  // A column of only empty strings (no NULLs, no bytes) survives too.
  RowGroup empties;
  empties.schema = {{"e", LogicalType::kVarchar}};
  empties.columns.emplace_back(LogicalType::kVarchar);
  for (int i = 0; i < 3; ++i) empties.columns[0].AppendString("");
  Result<RowGroup> decoded_empties = DecodeChunk(EncodeChunk(empties));
  REQUIRE(decoded_empties.ok());
  CHECK(decoded_empties->columns[0].null_count() == 0);
  CHECK(decoded_empties->rows() == 3);
}

TEST_CASE("A zero-row chunk round-trips with its schema", "[store][chunk_codec]") {
  const RowGroup group = AllTypesGroup(0);
  Result<RowGroup> decoded = DecodeChunk(EncodeChunk(group));
  REQUIRE(decoded.ok());
  CHECK(decoded->schema == group.schema);
  CHECK(decoded->rows() == 0);
  for (const Vector& v : decoded->columns) CHECK(v.size() == 0);
}

TEST_CASE("DecodeChunkColumns returns the requested columns in the requested order",
          "[store][chunk_codec]") {
  const RowGroup group = AllTypesGroup();
  const Bytes encoded = EncodeChunk(group);
  SECTION("a reordered subset") {
    Result<RowGroup> decoded = DecodeChunkColumns(encoded, {5, 0, 3});
    REQUIRE(decoded.ok());
    REQUIRE(decoded->schema.size() == 3);
    CHECK(decoded->schema[0] == group.schema[5]);
    CHECK(decoded->schema[1] == group.schema[0]);
    CHECK(decoded->schema[2] == group.schema[3]);
    CheckSameVector(decoded->columns[0], group.columns[5]);
    CheckSameVector(decoded->columns[1], group.columns[0]);
    CheckSameVector(decoded->columns[2], group.columns[3]);
  }
  SECTION("no columns") {
    Result<RowGroup> decoded = DecodeChunkColumns(encoded, {});
    REQUIRE(decoded.ok());
    CHECK(decoded->schema.empty());
    CHECK(decoded->columns.empty());
  }
  SECTION("an index out of range is Corruption") {
    Result<RowGroup> decoded = DecodeChunkColumns(encoded, {0, 6});
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.status().IsCorruption());
  }
}

TEST_CASE("Chunk encoding is deterministic and the id is the hash of the bytes",
          "[store][chunk_codec]") {
  CHECK(EncodeChunk(EncodingsGroup()) == EncodeChunk(EncodingsGroup()));
  const Bytes first = EncodeChunk(AllTypesGroup());
  const Bytes second = EncodeChunk(AllTypesGroup());  // built again from scratch
  CHECK(first == second);
  CHECK(ChunkIdOf(first) == ChunkIdOf(second));
  CHECK(ChunkIdOf(first) == Blake2b256(first));
  // Re-encoding what was decoded gives the same bytes again.
  Result<RowGroup> decoded = DecodeChunk(first);
  REQUIRE(decoded.ok());
  CHECK(EncodeChunk(*decoded) == first);
}

TEST_CASE("Different chunk data gives a different id", "[store][chunk_codec]") {
  const ChunkId base = ChunkIdOf(EncodeChunk(AllTypesGroup()));
  RowGroup more_rows = AllTypesGroup(kRows + 1);
  CHECK(ChunkIdOf(EncodeChunk(more_rows)) != base);

  RowGroup renamed = AllTypesGroup();
  renamed.schema[2].name = "B";
  CHECK(ChunkIdOf(EncodeChunk(renamed)) != base);

  // NULL versus empty string, and NULL versus zero, must not encode alike.
  auto single = [](LogicalType type, bool null_first) {
    RowGroup g;
    g.schema = {{"x", type}};
    g.columns.emplace_back(type);
    if (null_first) {
      g.columns[0].AppendNull();
    } else if (type == LogicalType::kVarchar) {
      g.columns[0].AppendString("");
    } else {
      g.columns[0].Append<int64_t>(0);
    }
    return ChunkIdOf(EncodeChunk(g));
  };
  CHECK(single(LogicalType::kVarchar, true) != single(LogicalType::kVarchar, false));
  CHECK(single(LogicalType::kBigInt, true) != single(LogicalType::kBigInt, false));
  CHECK(single(LogicalType::kBigInt, false) != single(LogicalType::kTimestamp, false));
}

// A decode result is acceptable if it is Corruption, or a group whose columns are consistent.
void CheckDecodedOrCorruption(const Result<RowGroup>& decoded) {
  if (!decoded.ok()) {
    REQUIRE(decoded.status().IsCorruption());
    return;
  }
  REQUIRE(decoded->schema.size() == decoded->columns.size());
  for (size_t c = 0; c < decoded->columns.size(); ++c) {
    const Vector& v = decoded->columns[c];
    REQUIRE(v.type() == decoded->schema[c].type);
    REQUIRE(v.size() == decoded->columns[0].size());
    REQUIRE(v.null_count() <= v.size());
    if (v.type() == LogicalType::kVarchar) {
      size_t total = 0;
      for (size_t r = 0; r < v.size(); ++r) total += v.GetString(r).size();
      REQUIRE(total == v.chars().size());
      REQUIRE(IsValidUtf8(v.chars()));
    } else {
      REQUIRE(v.fixed_bytes().size() == v.size() * FixedWidth(v.type()));
    }
    if (v.type() == LogicalType::kBoolean) {
      for (size_t r = 0; r < v.size(); ++r) REQUIRE(v.Get<uint8_t>(r) <= 1);
    }
  }
}

// `bytes` with 1 to 3 random bytes changed.
Bytes FlipRandomBytes(Bytes bytes, Rng& rng) {
  const size_t flips = 1 + rng.Uniform(3);
  for (size_t f = 0; f < flips; ++f) {
    bytes[rng.Uniform(bytes.size())] ^= static_cast<uint8_t>(1 + rng.Uniform(255));
  }
  return bytes;
}

TEST_CASE("DecodeChunk rejects every truncation of a valid chunk", "[store][chunk_codec]") {
  const Bytes encoded = EncodeChunk(GENERATE(AllTypesGroup(40), EncodingsGroup()));
  size_t not_corruption = 0;
  for (size_t len = 0; len < encoded.size(); ++len) {
    Result<RowGroup> decoded = DecodeChunk(ByteView(encoded.data(), len));
    // msgpack is prefix-free, so no proper prefix is a whole value.
    if (decoded.ok() || !decoded.status().IsCorruption()) ++not_corruption;
  }
  CHECK(not_corruption == 0);
}

TEST_CASE("DecodeChunk survives random byte flips", "[store][chunk_codec]") {
  const Bytes encoded = EncodeChunk(GENERATE(AllTypesGroup(40), EncodingsGroup()));
  Rng rng(0xC0FFEE);
  size_t corrupt = 0;
  for (int i = 0; i < 2000; ++i) {
    const Bytes damaged = FlipRandomBytes(encoded, rng);
    Result<RowGroup> decoded = DecodeChunk(damaged);
    INFO("iteration " << i);
    CheckDecodedOrCorruption(decoded);
    corrupt += !decoded.ok();
  }
  CHECK(corrupt > 0);  // the checks above ran on both outcomes
}

TEST_CASE("DecodeChunk rejects random garbage", "[store][chunk_codec]") {
  Rng rng(31337);
  CHECK(DecodeChunk(ByteView()).status().IsCorruption());
  size_t not_corruption = 0;
  for (int i = 0; i < 500; ++i) {
    Bytes garbage(rng.Uniform(300));
    for (uint8_t& b : garbage) b = static_cast<uint8_t>(rng.Next());
    Result<RowGroup> decoded = DecodeChunk(garbage);
    if (decoded.ok() || !decoded.status().IsCorruption()) ++not_corruption;
  }
  CHECK(not_corruption == 0);
}

TEST_CASE("DecodeChunk rejects well-formed msgpack that is not a valid chunk",
          "[store][chunk_codec]") {
  auto corrupt = [](const Bytes& bytes) { return DecodeChunk(bytes).status().IsCorruption(); };
  CHECK(corrupt(PackToBytes(42)));
  CHECK(corrupt(PackToBytes(std::map<std::string, int>{{"v", 1}, {"rows", 0}})));
  CHECK(corrupt(PackToBytes(std::map<std::string, std::vector<int>>{{"cols", {}}})));

  Bytes trailing = EncodeChunk(AllTypesGroup(3));
  trailing.push_back(0xc0);  // a second msgpack value (nil) after the chunk
  CHECK(corrupt(trailing));

  // Header values are checked: version, row limit.
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  for (uint64_t version : {kChunkFormatVersion - 1, kChunkFormatVersion + 1}) {
    buffer.clear();
    pk.pack_map(3);
    pk.pack("v");
    pk.pack(version);
    pk.pack("rows");
    pk.pack(0);
    pk.pack("cols");
    pk.pack_array(0);
    const Bytes header(buffer.data(), buffer.data() + buffer.size());
    const Status status = DecodeChunk(header).status();
    CHECK(status.IsCorruption());
    CHECK_THAT(status.message(), Catch::Contains("unsupported chunk format version " +
                                                 std::to_string(version)));
    // The column-part path reads the same header and says the same.
    CHECK(SplitChunkColumns(header).status().message() == status.message());
  }
  buffer.clear();
  pk.pack_map(3);
  pk.pack("v");
  pk.pack(kChunkFormatVersion);
  pk.pack("rows");
  pk.pack(kMaxChunkRows + 1);
  pk.pack("cols");
  pk.pack_array(0);
  CHECK(corrupt(Bytes(buffer.data(), buffer.data() + buffer.size())));
}

TEST_CASE("DecodeChunk rejects invalid column contents", "[store][chunk_codec]") {
  SECTION("VARCHAR bytes that are not UTF-8") {
    RowGroup group;
    group.schema = {{"s", LogicalType::kVarchar}};
    group.columns.emplace_back(LogicalType::kVarchar);
    group.columns[0].AppendString("ok");
    group.columns[0].AppendString("\xC0\xAF");
    CHECK(DecodeChunk(EncodeChunk(group)).status().IsCorruption());
  }
  SECTION("a BOOLEAN byte other than 0 or 1") {
    RowGroup group;
    group.schema = {{"b", LogicalType::kBoolean}};
    group.columns.emplace_back(LogicalType::kBoolean);
    group.columns[0].Append<uint8_t>(1);
    group.columns[0].Append<uint8_t>(2);
    CHECK(DecodeChunk(EncodeChunk(group)).status().IsCorruption());
  }
}

// The bytes of `parts` laid end to end.
Bytes Join(const ChunkParts& parts) {
  Bytes joined(parts.prefix.begin(), parts.prefix.end());
  for (ByteView part : parts.columns) joined.insert(joined.end(), part.begin(), part.end());
  return joined;
}

// A group of `columns` BIGINT columns of `rows` rows.
RowGroup WideGroup(size_t columns, size_t rows) {
  RowGroup group;
  for (size_t c = 0; c < columns; ++c) {
    group.schema.push_back({"c" + std::to_string(c), LogicalType::kBigInt});
    group.columns.emplace_back(LogicalType::kBigInt);
    for (size_t r = 0; r < rows; ++r) group.columns[c].Append<int64_t>(int64_t(c * 1000 + r));
  }
  return group;
}

TEST_CASE("SplitChunkColumns cuts a chunk into a prefix and one part per column",
          "[store][chunk_codec]") {
  // 6 columns: a fixarray header; 20 and 70000 columns: array 16 and array 32 headers.
  const size_t rows = GENERATE(0, 1, kRows);
  const size_t columns = GENERATE(0, 6, 20, 70000);
  if (columns == 70000 && rows > 1) return;  // big enough as it is
  INFO(rows << " rows, " << columns << " columns");
  const RowGroup group = columns == 6 ? AllTypesGroup(rows) : WideGroup(columns, rows);
  const Bytes encoded = EncodeChunk(group);
  Result<ChunkParts> parts = SplitChunkColumns(encoded);
  INFO(parts.status().ToString());
  REQUIRE(parts.ok());
  REQUIRE(parts->columns.size() == columns);
  CHECK(Join(*parts) == encoded);  // exactly the bytes, cut

  Result<ChunkHeader> header = DecodeChunkPrefix(parts->prefix);
  REQUIRE(header.ok());
  CHECK(header->rows == group.rows());  // a chunk without columns has no rows
  CHECK(header->columns == columns);
  for (size_t c = 0; c < std::min<size_t>(columns, 25); ++c) {
    INFO("column " << c);
    Result<DecodedColumn> decoded = DecodeColumnPart(parts->columns[c], rows);
    REQUIRE(decoded.ok());
    CHECK(decoded->column == group.schema[c]);
    CheckSameVector(decoded->vector, group.columns[c]);
  }
}

TEST_CASE("DecodeChunkColumns and DecodeColumnPart decode a column alike", "[store][chunk_codec]") {
  const Bytes encoded = EncodeChunk(AllTypesGroup());
  const ChunkParts parts = *SplitChunkColumns(encoded);
  const RowGroup whole = *DecodeChunk(encoded);
  for (size_t c = 0; c < parts.columns.size(); ++c) {
    Result<DecodedColumn> decoded = DecodeColumnPart(parts.columns[c], kRows);
    REQUIRE(decoded.ok());
    RowGroup one;
    one.schema.push_back(decoded->column);
    one.columns.push_back(std::move(decoded->vector));
    CHECK(EncodeChunk(one) == EncodeChunk(*DecodeChunkColumns(encoded, {c})));
    CheckSameVector(one.columns[0], whole.columns[c]);
  }
  // A part read as if the chunk had another row count is Corruption.
  CHECK(DecodeColumnPart(parts.columns[0], kRows + 1).status().IsCorruption());
  CHECK(DecodeColumnPart(parts.columns[3], kRows - 1).status().IsCorruption());
  CHECK(DecodeColumnPart(parts.columns[0], kMaxChunkRows + 1).status().IsCorruption());
  CHECK(DecodeColumnPart(parts.prefix, kRows).status().IsCorruption());
  CHECK(DecodeColumnPart(ByteView(), kRows).status().IsCorruption());
}

TEST_CASE("SplitChunkColumns rejects every truncation and random garbage", "[store][chunk_codec]") {
  const Bytes encoded = EncodeChunk(AllTypesGroup(40));
  size_t not_corruption = 0;
  for (size_t len = 0; len < encoded.size(); ++len) {
    Result<ChunkParts> parts = SplitChunkColumns(ByteView(encoded.data(), len));
    if (parts.ok() || !parts.status().IsCorruption()) ++not_corruption;
  }
  CHECK(not_corruption == 0);

  Rng rng(4242);
  for (int i = 0; i < 2000; ++i) {
    Bytes garbage(rng.Uniform(300));
    for (uint8_t& b : garbage) b = static_cast<uint8_t>(rng.Next());
    if (i % 2 == 0 && !garbage.empty()) garbage[0] = 0x83;  // get past the first check
    Result<ChunkParts> parts = SplitChunkColumns(garbage);
    if (parts.ok() || !parts.status().IsCorruption()) ++not_corruption;
  }
  CHECK(not_corruption == 0);
}

TEST_CASE("SplitChunkColumns survives random byte flips", "[store][chunk_codec]") {
  const Bytes encoded = EncodeChunk(GENERATE(AllTypesGroup(40), EncodingsGroup()));
  Rng rng(0xBEEF);
  size_t split = 0;
  for (int i = 0; i < 2000; ++i) {
    const Bytes damaged = FlipRandomBytes(encoded, rng);
    INFO("iteration " << i);
    Result<ChunkParts> parts = SplitChunkColumns(damaged);
    if (!parts.ok()) {
      REQUIRE(parts.status().IsCorruption());
      continue;
    }
    ++split;
    REQUIRE(Join(*parts) == damaged);
    Result<ChunkHeader> header = DecodeChunkPrefix(parts->prefix);
    REQUIRE(header.ok());
    REQUIRE(header->columns == parts->columns.size());
    // Each part decodes to a consistent column, or is Corruption.
    for (ByteView part : parts->columns) {
      Result<DecodedColumn> decoded = DecodeColumnPart(part, header->rows);
      if (!decoded.ok()) {
        REQUIRE(decoded.status().IsCorruption());
        continue;
      }
      RowGroup one;
      one.schema.push_back(decoded->column);
      one.columns.push_back(std::move(decoded->vector));
      CheckDecodedOrCorruption(one);
      CHECK(one.rows() == header->rows);
    }
  }
  CHECK(split > 0);  // most flips land in column data, which splitting does not check
}

TEST_CASE("SplitChunkColumns refuses bytes not in EncodeChunk's layout", "[store][chunk_codec]") {
  auto corrupt = [](const Bytes& bytes) {
    return SplitChunkColumns(bytes).status().IsCorruption();
  };
  Bytes trailing = EncodeChunk(AllTypesGroup(3));
  trailing.push_back(0xc0);
  CHECK(corrupt(trailing));

  // A valid chunk whose fields come in another order: DecodeChunk reads it, splitting refuses.
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_map(3);
  pk.pack("rows");
  pk.pack(0);
  pk.pack("v");
  pk.pack(kChunkFormatVersion);
  pk.pack("cols");
  pk.pack_array(0);
  const Bytes reordered(buffer.data(), buffer.data() + buffer.size());
  REQUIRE(DecodeChunk(reordered).ok());
  CHECK(corrupt(reordered));

  // A column that is not a map.
  buffer.clear();
  pk.pack_map(3);
  pk.pack("v");
  pk.pack(kChunkFormatVersion);
  pk.pack("rows");
  pk.pack(0);
  pk.pack("cols");
  pk.pack_array(1);
  pk.pack(7);
  CHECK(corrupt(Bytes(buffer.data(), buffer.data() + buffer.size())));

  // The prefix decoder wants the prefix alone.
  const Bytes encoded = EncodeChunk(AllTypesGroup(3));
  const ChunkParts parts = *SplitChunkColumns(encoded);
  CHECK(DecodeChunkPrefix(encoded).status().IsCorruption());
  CHECK(DecodeChunkPrefix(parts.prefix.first(parts.prefix.size() - 1)).status().IsCorruption());
  CHECK(DecodeChunkPrefix(ByteView()).status().IsCorruption());
}

}  // namespace
}  // namespace lake::store
