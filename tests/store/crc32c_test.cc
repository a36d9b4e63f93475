// CRC-32C: the standard check value, and the hardware and table forms agreeing on every length
// and alignment.
#include "store/crc32c.h"

#include <catch2/catch.hpp>

#include <string_view>

#include "common/rng.h"

namespace lake::store {
namespace {

TEST_CASE("Crc32c gives the standard check value", "[store][crc32c]") {
  const std::string_view check = "123456789";
  CHECK(Crc32c(AsBytes(check)) == 0xe3069283u);
  CHECK(Crc32cPortable(AsBytes(check)) == 0xe3069283u);
  CHECK(Crc32c(ByteView()) == 0);
}

TEST_CASE("Crc32c's fast and portable forms agree", "[store][crc32c]") {
  Rng rng(4);
  Bytes data(4096);
  for (uint8_t& b : data) b = static_cast<uint8_t>(rng.Next());
  for (size_t offset = 0; offset < 9; ++offset) {
    for (size_t size : {0u, 1u, 7u, 8u, 9u, 63u, 1000u, 4000u}) {
      const ByteView view = ByteView(data).subspan(offset, size);
      REQUIRE(Crc32c(view) == Crc32cPortable(view));
    }
  }
  // One flipped bit changes it.
  const uint32_t before = Crc32c(data);
  data[1234] ^= 0x10;
  CHECK(Crc32c(data) != before);
}

}  // namespace
}  // namespace lake::store
