#include "common/id.h"

#include <cstring>

namespace lake {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string ToHex(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return out;
}

std::optional<Id> Id::FromBytes(ByteView view) {
  if (view.size() != kBytes) return std::nullopt;
  std::array<uint8_t, kBytes> bytes;
  std::memcpy(bytes.data(), view.data(), kBytes);
  return Id(bytes);
}

std::optional<Id> Id::FromHex(std::string_view hex) {
  if (hex.size() != kBytes * 2) return std::nullopt;
  std::array<uint8_t, kBytes> bytes;
  for (size_t i = 0; i < kBytes; ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    bytes[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return Id(bytes);
}

std::string Id::ToHex() const { return lake::ToHex(view()); }

bool Id::IsZero() const {
  for (uint8_t b : bytes_) {
    if (b != 0) return false;
  }
  return true;
}

}  // namespace lake
