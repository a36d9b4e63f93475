#include "common/id.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "common/rng.h"

namespace lake {
namespace {

// An id whose byte i is `first + i` (mod 256).
Id CountingId(uint8_t first) {
  std::array<uint8_t, Id::kBytes> bytes;
  for (size_t i = 0; i < Id::kBytes; ++i) bytes[i] = static_cast<uint8_t>(first + i);
  return Id(bytes);
}

// An id that is zero except for byte `index`, which holds `value`.
Id SingleByteId(size_t index, uint8_t value) {
  std::array<uint8_t, Id::kBytes> bytes{};
  bytes[index] = value;
  return Id(bytes);
}

TEST_CASE("Id prints as 64 lower-case hex digits, most significant byte first", "[common][id]") {
  const Id id = CountingId(0xf0);
  const std::string hex = id.ToHex();
  REQUIRE(hex.size() == 64);
  // Bytes 0xf0, 0xf1, ..., 0xff, 0x00, 0x01, ..., 0x0f.
  CHECK(hex.substr(0, 8) == "f0f1f2f3");
  CHECK(hex.substr(30, 4) == "ff00");
  CHECK(hex.substr(56) == "0c0d0e0f");
  CHECK(id.ShortHex() == "f0f1f2f3");
  CHECK(id.ShortHex(3) == "f0f");
  CHECK(Id().ToHex() == std::string(64, '0'));
}

TEST_CASE("Id survives a hex round trip in either case", "[common][id]") {
  const Id id = CountingId(0xa7);
  auto parsed = Id::FromHex(id.ToHex());
  REQUIRE(parsed.has_value());
  CHECK(*parsed == id);

  std::string upper = id.ToHex();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  REQUIRE(upper != id.ToHex());
  auto parsed_upper = Id::FromHex(upper);
  REQUIRE(parsed_upper.has_value());
  CHECK(*parsed_upper == id);
}

TEST_CASE("Id::FromHex rejects anything but exactly 64 hex digits", "[common][id]") {
  const std::string good = CountingId(1).ToHex();
  REQUIRE(Id::FromHex(good).has_value());
  CHECK_FALSE(Id::FromHex("").has_value());
  CHECK_FALSE(Id::FromHex(good.substr(1)).has_value());         // 63 digits
  CHECK_FALSE(Id::FromHex(good + "0").has_value());             // 65 digits
  CHECK_FALSE(Id::FromHex("0x" + good.substr(2)).has_value());  // prefix
  CHECK_FALSE(Id::FromHex(" " + good.substr(1)).has_value());   // leading space
  for (char bad : std::string("gG -.xz\0", 8)) {
    for (size_t at : {size_t{0}, size_t{31}, size_t{63}}) {
      std::string hex = good;
      hex[at] = bad;
      INFO("bad character code " << int(bad) << " at " << at);
      CHECK_FALSE(Id::FromHex(hex).has_value());
    }
  }
}

TEST_CASE("Id::FromBytes takes exactly 32 bytes", "[common][id]") {
  const Id id = CountingId(9);
  auto copy = Id::FromBytes(id.view());
  REQUIRE(copy.has_value());
  CHECK(*copy == id);
  CHECK_FALSE(Id::FromBytes(id.view().first(31)).has_value());
  const std::array<uint8_t, 33> longer{};
  CHECK_FALSE(Id::FromBytes(ByteView(longer.data(), longer.size())).has_value());
}

TEST_CASE("Id XOR distance is symmetric, zero to self, and byte-wise XOR", "[common][id]") {
  const Id a = CountingId(0x10);
  const Id b = CountingId(0x3c);
  CHECK(a.Distance(b) == b.Distance(a));
  CHECK(a.Distance(a).IsZero());
  CHECK(Id().Distance(a) == a);
  CHECK_FALSE(a.Distance(b).IsZero());
  const Id d = a.Distance(b);
  for (size_t i = 0; i < Id::kBytes; ++i) {
    CHECK(d.bytes()[i] == (a.bytes()[i] ^ b.bytes()[i]));
  }
  // XOR is its own inverse: a ^ (a ^ b) == b.
  CHECK(a.Distance(d) == b);
}

TEST_CASE("Id orders big-endian, so the first byte dominates", "[common][id]") {
  const Id high_first = SingleByteId(0, 0x01);
  const Id high_last = SingleByteId(31, 0xff);
  CHECK(high_last < high_first);
  CHECK(Id() < high_last);
  CHECK(SingleByteId(5, 0x02) > SingleByteId(5, 0x01));
  CHECK(SingleByteId(4, 0x01) > SingleByteId(5, 0xff));
  CHECK(CountingId(3) == CountingId(3));
  CHECK(CountingId(3) != CountingId(4));
}

TEST_CASE("CloserTo compares XOR distances to the target", "[common][id]") {
  const Id target = SingleByteId(0, 0x80);
  const Id near = SingleByteId(0, 0x81);  // distance 0x01...
  const Id far = SingleByteId(0, 0x00);   // distance 0x80...
  CHECK(CloserTo(target, near, far));
  CHECK_FALSE(CloserTo(target, far, near));
  CHECK_FALSE(CloserTo(target, near, near));  // strictly closer
  CHECK(CloserTo(target, target, near));
}

TEST_CASE("Id::LeadingZeros counts zero bits from the most significant end", "[common][id]") {
  CHECK(Id().LeadingZeros() == 256);
  CHECK(SingleByteId(0, 0x80).LeadingZeros() == 0);
  CHECK(SingleByteId(0, 0xff).LeadingZeros() == 0);
  CHECK(SingleByteId(0, 0x40).LeadingZeros() == 1);
  CHECK(SingleByteId(0, 0x01).LeadingZeros() == 7);
  CHECK(SingleByteId(1, 0x80).LeadingZeros() == 8);
  CHECK(SingleByteId(1, 0x20).LeadingZeros() == 10);
  CHECK(SingleByteId(31, 0x01).LeadingZeros() == 255);
  CHECK(SingleByteId(16, 0x10).LeadingZeros() == 16 * 8 + 3);
  // Only the first set bit counts.
  std::array<uint8_t, Id::kBytes> bytes{};
  bytes[2] = 0x08;
  bytes[3] = 0xff;
  CHECK(Id(bytes).LeadingZeros() == 2 * 8 + 4);
}

TEST_CASE("Id::Bit reads bits from the most significant end", "[common][id]") {
  const Id id = SingleByteId(1, 0x41);  // 0100 0001 in bits 8..15
  CHECK_FALSE(id.Bit(0));
  CHECK_FALSE(id.Bit(7));
  CHECK_FALSE(id.Bit(8));
  CHECK(id.Bit(9));
  CHECK(id.Bit(15));
  CHECK_FALSE(id.Bit(16));
  for (size_t i = 0; i < Id::kBits; ++i) {
    if (i != 9 && i != 15) CHECK_FALSE(id.Bit(i));
  }
}

TEST_CASE("Id compares a word at a time exactly as it would byte by byte", "[common][id]") {
  // Random ids, and ids that differ from one another in a single byte at every position (so
  // every word boundary is crossed), judged against the byte-wise definitions.
  Rng rng(7);
  std::vector<Id> ids;
  for (int i = 0; i < 64; ++i) ids.push_back(rng.NextId());
  for (size_t at = 0; at < Id::kBytes; ++at) {
    for (uint8_t value : {0x00, 0x01, 0x80, 0xff}) {
      std::array<uint8_t, Id::kBytes> bytes = ids[0].bytes();
      bytes[at] = value;
      ids.push_back(Id(bytes));
    }
  }
  const auto byte_distance = [](const Id& a, const Id& b) {
    std::array<uint8_t, Id::kBytes> out;
    for (size_t i = 0; i < Id::kBytes; ++i) out[i] = a.bytes()[i] ^ b.bytes()[i];
    return out;
  };
  for (const Id& a : ids) {
    int zeros = 0;
    while (zeros < static_cast<int>(Id::kBits) && !a.Bit(zeros)) ++zeros;
    CHECK(a.LeadingZeros() == zeros);
    for (const Id& b : ids) {
      CHECK((a == b) == (a.bytes() == b.bytes()));
      CHECK((a < b) == std::lexicographical_compare(a.bytes().begin(), a.bytes().end(),
                                                    b.bytes().begin(), b.bytes().end()));
      CHECK(a.Distance(b).bytes() == byte_distance(a, b));
      const Id& target = ids[(&a - ids.data()) % 7];
      CHECK(CloserTo(target, a, b) == (byte_distance(a, target) < byte_distance(b, target)));
    }
  }
}

TEST_CASE("std::hash of an Id depends on its bytes", "[common][id]") {
  std::hash<Id> hasher;
  CHECK(hasher(CountingId(1)) == hasher(CountingId(1)));
  CHECK(hasher(CountingId(1)) != hasher(CountingId(2)));
}

}  // namespace
}  // namespace lake
