#include "store/manifest.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "common/hash.h"
#include "common/rng.h"
#include "store/zone_map.h"

namespace lake::store {
namespace {

ZoneMap Zone(uint64_t nulls, ZoneValue lo, ZoneValue hi) {
  ZoneMap zone;
  zone.null_count = nulls;
  zone.min = std::move(lo);
  zone.max = std::move(hi);
  return zone;
}

ZoneMap NoRange(uint64_t nulls) {
  ZoneMap zone;
  zone.null_count = nulls;
  return zone;
}

Manifest SampleManifest() {
  Manifest m;
  m.name = "events";
  m.version = 3;
  m.schema = {{"id", LogicalType::kBigInt},  {"amount", LogicalType::kDouble},
              {"ok", LogicalType::kBoolean}, {"city", LogicalType::kVarchar},
              {"day", LogicalType::kDate},   {"ts", LogicalType::kTimestamp}};
  m.created_at_us = -1234567;  // negative: before 1970
  m.uploader = Blake2b256("some node");
  ChunkRef first;
  first.id = Blake2b256("chunk 1");
  first.rows = 100;
  first.bytes = 4000;
  first.zones = {
      Zone(1, int64_t{-5}, int64_t{1} << 40),
      Zone(0, 2.0, 3.5),  // an integral double: msgpack-c packs 2.0 as an integer
      Zone(2, false, true),
      Zone(0, std::string("Aachen"), std::string("Zürich")),
      Zone(0, int64_t{-719162}, int64_t{19782}),
      Zone(5, int64_t{-1}, int64_t{1'700'000'000'000'000}),
  };
  ChunkRef second;
  second.id = Blake2b256("chunk 2");
  second.rows = 7;
  second.bytes = 321;
  second.zones = {
      NoRange(7),          Zone(0, -3.0, 1e19),  // negative integral, and one beyond int64
      Zone(0, true, true),
      NoRange(0),  // strings too long for a range
      NoRange(7),          Zone(1, int64_t{0}, int64_t{0}),
  };
  m.chunks = {first, second};
  m.total_rows = 107;
  m.total_bytes = 4321;
  return m;
}

TEST_CASE("A manifest round-trips with zone maps of every type", "[store][manifest]") {
  const Manifest m = SampleManifest();
  Result<Manifest> decoded = DecodeManifest(EncodeManifest(m));
  REQUIRE(decoded.ok());
  CHECK(decoded->name == "events");
  CHECK(decoded->version == 3);
  CHECK(decoded->schema == m.schema);
  CHECK(decoded->created_at_us == -1234567);
  CHECK(decoded->uploader == m.uploader);
  REQUIRE(decoded->chunks.size() == 2);
  // DOUBLE zone bounds come back as doubles, even when msgpack stored them as integers.
  const ZoneMap& amount = decoded->chunks[0].zones[1];
  REQUIRE(amount.min.has_value());
  REQUIRE(std::holds_alternative<double>(*amount.min));
  CHECK(std::get<double>(*amount.min) == 2.0);
  const ZoneMap& amount2 = decoded->chunks[1].zones[1];
  REQUIRE(std::holds_alternative<double>(*amount2.min));
  CHECK(std::get<double>(*amount2.min) == -3.0);
  CHECK(std::get<double>(*amount2.max) == 1e19);
  CHECK_FALSE(decoded->chunks[1].zones[3].min.has_value());
  CHECK(decoded->chunks[1].zones[3].null_count == 0);
  CHECK(*decoded == m);
}

TEST_CASE("A manifest without chunks round-trips", "[store][manifest]") {
  Manifest m;
  m.name = "_empty";
  m.schema = {{"x", LogicalType::kVarchar}};
  Result<Manifest> decoded = DecodeManifest(EncodeManifest(m));
  REQUIRE(decoded.ok());
  CHECK(*decoded == m);
  CHECK(decoded->uploader.IsZero());
}

TEST_CASE("DecodeManifest rejects totals that disagree with the chunks", "[store][manifest]") {
  Manifest rows = SampleManifest();
  rows.total_rows += 1;
  Result<Manifest> bad_rows = DecodeManifest(EncodeManifest(rows));
  REQUIRE_FALSE(bad_rows.ok());
  CHECK(bad_rows.status().IsCorruption());

  Manifest bytes = SampleManifest();
  bytes.total_bytes -= 1;
  Result<Manifest> bad_bytes = DecodeManifest(EncodeManifest(bytes));
  REQUIRE_FALSE(bad_bytes.ok());
  CHECK(bad_bytes.status().IsCorruption());
}

TEST_CASE("DecodeManifest rejects a chunk without one zone map per column", "[store][manifest]") {
  Manifest m = SampleManifest();
  m.chunks[1].zones.pop_back();
  CHECK(DecodeManifest(EncodeManifest(m)).status().IsCorruption());
  m = SampleManifest();
  m.chunks[0].zones.push_back(NoRange(0));
  CHECK(DecodeManifest(EncodeManifest(m)).status().IsCorruption());
}

TEST_CASE("DecodeManifest rejects a zone range of the wrong type", "[store][manifest]") {
  Manifest m = SampleManifest();
  m.chunks[0].zones[0] = Zone(0, std::string("a"), std::string("b"));  // on a BIGINT column
  CHECK(DecodeManifest(EncodeManifest(m)).status().IsCorruption());
  m = SampleManifest();
  m.chunks[0].zones[2] = Zone(0, int64_t{0}, int64_t{1});  // on a BOOLEAN column
  CHECK(DecodeManifest(EncodeManifest(m)).status().IsCorruption());
}

TEST_CASE("DecodeManifest rejects every truncation and survives byte flips", "[store][manifest]") {
  const Bytes encoded = EncodeManifest(SampleManifest());
  size_t not_corruption = 0;
  for (size_t len = 0; len < encoded.size(); ++len) {
    Result<Manifest> decoded = DecodeManifest(ByteView(encoded.data(), len));
    if (decoded.ok() || !decoded.status().IsCorruption()) ++not_corruption;
  }
  CHECK(not_corruption == 0);

  Rng rng(4242);
  size_t flipped_ok = 0;
  for (int i = 0; i < 2000; ++i) {
    Bytes damaged = encoded;
    damaged[rng.Uniform(damaged.size())] ^= static_cast<uint8_t>(1 + rng.Uniform(255));
    Result<Manifest> decoded = DecodeManifest(damaged);
    INFO("iteration " << i);
    if (!decoded.ok()) {
      REQUIRE(decoded.status().IsCorruption());
      continue;
    }
    ++flipped_ok;
    // Whatever decodes is internally consistent.
    uint64_t rows = 0;
    for (const ChunkRef& ref : decoded->chunks) {
      REQUIRE(ref.zones.size() == decoded->schema.size());
      rows += ref.rows;
    }
    REQUIRE(rows == decoded->total_rows);
  }
  CHECK(flipped_ok < 2000);
}

TEST_CASE("DatasetKey is the hash of the prefixed name and differs by name", "[store][manifest]") {
  CHECK(DatasetKey("events") == Blake2b256("dataset/events"));
  CHECK(DatasetKey("events") == DatasetKey("events"));
  CHECK(DatasetKey("events") != DatasetKey("Events"));
  CHECK(DatasetKey("events") != DatasetKey("events2"));
  CHECK(DatasetKey("events") != Blake2b256("events"));
}

TEST_CASE("ValidateDatasetName accepts SQL identifiers of 1 to 128 characters",
          "[store][manifest]") {
  for (const std::string& name :
       std::vector<std::string>{"events", "_x1", "A", "_", "x_Y_9", std::string(128, 'n')}) {
    INFO(name);
    CHECK(ValidateDatasetName(name).ok());
  }
  for (const std::string& name : std::vector<std::string>{"", "1abc", "a-b", "a b", "a.b", "naïve",
                                                          "a/b", std::string(129, 'n')}) {
    INFO(name);
    const Status status = ValidateDatasetName(name);
    CHECK(status.IsInvalidArgument());
  }
}

TEST_CASE("DatasetNameFromFileName turns any file name into a valid dataset name",
          "[store][manifest]") {
  CHECK(DatasetNameFromFileName("sales-2024.csv") == "sales_2024");
  CHECK(DatasetNameFromFileName("data/in/products.csv") == "products");
  CHECK(DatasetNameFromFileName("C:\\Users\\me\\employees.csv") == "employees");
  CHECK(DatasetNameFromFileName("archive.tar.gz") == "archive_tar");
  CHECK(DatasetNameFromFileName("2024.csv") == "_2024");
  CHECK(DatasetNameFromFileName(".hidden") == "_hidden");
  CHECK(DatasetNameFromFileName("naïve.csv") == "na__ve");
  CHECK(DatasetNameFromFileName("") == "_");
  CHECK(DatasetNameFromFileName("dir/") == "_");
  for (const std::string& file :
       {std::string(300, 'x') + ".csv", "9" + std::string(300, 'x'), std::string("a b/c d.e f")}) {
    INFO(file);
    const std::string name = DatasetNameFromFileName(file);
    CHECK(ValidateDatasetName(name).ok());
  }
  CHECK(DatasetNameFromFileName("9" + std::string(300, 'x')).size() == kMaxDatasetNameLength);
}

// --- ComputeZoneMap ------------------------------------------------------------------------------

TEST_CASE("ComputeZoneMap finds min, max and NULL count per type", "[store][zone_map]") {
  SECTION("BIGINT ignores the zero in NULL slots") {
    Vector v(LogicalType::kBigInt);
    v.Append<int64_t>(5);
    v.AppendNull();
    v.Append<int64_t>(3);
    v.Append<int64_t>(9);
    CHECK(ComputeZoneMap(v) == Zone(1, int64_t{3}, int64_t{9}));
    Vector negative(LogicalType::kBigInt);
    negative.Append<int64_t>(-5);
    negative.AppendNull();
    negative.Append<int64_t>(-3);
    CHECK(ComputeZoneMap(negative) == Zone(1, int64_t{-5}, int64_t{-3}));
  }
  SECTION("DOUBLE") {
    Vector v(LogicalType::kDouble);
    v.Append<double>(2.5);
    v.AppendNull();
    v.Append<double>(-1.25);
    v.AppendNull();
    CHECK(ComputeZoneMap(v) == Zone(2, -1.25, 2.5));
  }
  SECTION("BOOLEAN") {
    Vector v(LogicalType::kBoolean);
    v.Append<uint8_t>(1);
    v.AppendNull();
    v.Append<uint8_t>(1);
    CHECK(ComputeZoneMap(v) == Zone(1, true, true));
    v.Append<uint8_t>(0);
    CHECK(ComputeZoneMap(v) == Zone(1, false, true));
  }
  SECTION("DATE as int64 days") {
    Vector v(LogicalType::kDate);
    v.Append<int32_t>(19782);
    v.Append<int32_t>(-719162);
    v.AppendNull();
    CHECK(ComputeZoneMap(v) == Zone(1, int64_t{-719162}, int64_t{19782}));
  }
  SECTION("TIMESTAMP") {
    Vector v(LogicalType::kTimestamp);
    v.AppendNull();
    v.Append<int64_t>(1'700'000'000'000'000);
    v.Append<int64_t>(-1);
    CHECK(ComputeZoneMap(v) == Zone(1, int64_t{-1}, int64_t{1'700'000'000'000'000}));
  }
  SECTION("VARCHAR compares bytes and ignores the empty string in NULL slots") {
    Vector v(LogicalType::kVarchar);
    v.AppendString("m");
    v.AppendString("b");
    v.AppendNull();
    v.AppendString("x");
    v.AppendString("Z");  // upper case sorts before lower case
    CHECK(ComputeZoneMap(v) == Zone(1, std::string("Z"), std::string("x")));
  }
}

TEST_CASE("ComputeZoneMap gives no range for an all-NULL or empty column", "[store][zone_map]") {
  for (LogicalType type : {LogicalType::kBigInt, LogicalType::kDouble, LogicalType::kBoolean,
                           LogicalType::kVarchar, LogicalType::kDate, LogicalType::kTimestamp}) {
    INFO(TypeName(type));
    Vector v(type);
    CHECK(ComputeZoneMap(v) == NoRange(0));
    for (int i = 0; i < 3; ++i) v.AppendNull();
    CHECK(ComputeZoneMap(v) == NoRange(3));
  }
}

TEST_CASE("ComputeZoneMap drops the range when min or max is a long string", "[store][zone_map]") {
  const std::string at_limit(kMaxZoneStringBytes, 'k');
  const std::string too_long(kMaxZoneStringBytes + 1, 'k');
  Vector fits(LogicalType::kVarchar);
  fits.AppendString("a");
  fits.AppendString(at_limit);
  CHECK(ComputeZoneMap(fits) == Zone(0, std::string("a"), at_limit));

  Vector long_max(LogicalType::kVarchar);
  long_max.AppendString("a");
  long_max.AppendString(too_long);
  long_max.AppendNull();
  CHECK(ComputeZoneMap(long_max) == NoRange(1));

  Vector long_min(LogicalType::kVarchar);
  long_min.AppendString("z");
  long_min.AppendString(too_long);
  CHECK(ComputeZoneMap(long_min) == NoRange(0));

  // A long string between min and max does not matter.
  Vector long_middle(LogicalType::kVarchar);
  long_middle.AppendString("a");
  long_middle.AppendString(too_long);
  long_middle.AppendString("z");
  CHECK(ComputeZoneMap(long_middle) == Zone(0, std::string("a"), std::string("z")));
}

TEST_CASE("Zone maps round-trip through their msgpack form", "[store][zone_map]") {
  const Manifest m = SampleManifest();
  for (const ChunkRef& ref : m.chunks) {
    for (size_t c = 0; c < ref.zones.size(); ++c) {
      msgpack::sbuffer buffer;
      msgpack::packer<msgpack::sbuffer> pk(buffer);
      PackZoneMap(pk, ref.zones[c]);
      msgpack::object_handle handle = msgpack::unpack(buffer.data(), buffer.size());
      Result<ZoneMap> back = ReadZoneMap(handle.get(), m.schema[c].type);
      INFO("column " << m.schema[c].name);
      REQUIRE(back.ok());
      CHECK(*back == ref.zones[c]);
    }
  }
}

}  // namespace
}  // namespace lake::store
