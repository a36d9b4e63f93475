// Md5: the MD5 digest (RFC 1321), which sqllogictest uses to stand for long result lists
// ("N values hashing to <hex>"). Only for comparing with those lists: MD5 is broken as a
// cryptographic hash and nothing else in the project may rely on it.
// Thread-safety: a value type; one object per digest.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace lake::slt {

class Md5 {
 public:
  Md5();
  // Appends `data` to the message.
  void Update(std::string_view data);
  // The digest of everything appended, as 32 lowercase hex digits. REQUIRES: called once.
  std::string FinishHex();

 private:
  void Transform(const uint8_t block[64]);

  std::array<uint32_t, 4> state_;
  uint64_t length_ = 0;  // bytes appended
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
};

// The digest of `data` in one call.
std::string Md5Hex(std::string_view data);

}  // namespace lake::slt
