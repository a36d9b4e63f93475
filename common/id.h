// Id: a 256-bit identifier in the Kademlia key space. Node ids, chunk ids, manifest ids and DHT
// keys are all Ids; the distance between two Ids is their XOR, compared as a big-endian integer.
// Thread-safety: a value type.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"

namespace lake {

class Id {
 public:
  static constexpr size_t kBytes = 32;
  static constexpr size_t kBits = kBytes * 8;

  Id() { bytes_.fill(0); }  // the all-zero id
  explicit Id(const std::array<uint8_t, kBytes>& bytes) : bytes_(bytes) {}

  // REQUIRES: view.size() == kBytes, else returns nullopt.
  static std::optional<Id> FromBytes(ByteView view);
  // Parses exactly 64 hex digits (either case).
  static std::optional<Id> FromHex(std::string_view hex);

  const std::array<uint8_t, kBytes>& bytes() const { return bytes_; }
  ByteView view() const { return ByteView(bytes_.data(), bytes_.size()); }
  std::string ToHex() const;
  // The first `n` hex digits, for logs.
  std::string ShortHex(size_t n = 8) const { return ToHex().substr(0, n); }

  bool IsZero() const;
  // XOR distance to `other`; compare distances with operator<.
  Id Distance(const Id& other) const;
  // Number of leading zero bits (kBits for the zero id); a distance's bucket index is
  // kBits - 1 - LeadingZeros().
  int LeadingZeros() const;
  // Bit `i` counted from the most significant bit (i = 0).
  bool Bit(size_t i) const { return (bytes_[i / 8] >> (7 - i % 8)) & 1; }

  // Big-endian lexicographic order: for distances this is "closer first".
  friend auto operator<=>(const Id& a, const Id& b) = default;
  friend bool operator==(const Id& a, const Id& b) = default;

 private:
  std::array<uint8_t, kBytes> bytes_;
};

// Names the type's role at the use site; all are the same 256-bit value.
using NodeId = Id;
using ChunkId = Id;

// True if `a` is strictly closer to `target` than `b` (XOR metric).
inline bool CloserTo(const Id& target, const Id& a, const Id& b) {
  return a.Distance(target) < b.Distance(target);
}

}  // namespace lake

template <>
struct std::hash<lake::Id> {
  size_t operator()(const lake::Id& id) const noexcept {
    // Ids are hashes already: any 8 bytes are uniformly distributed.
    size_t h;
    static_assert(sizeof h <= lake::Id::kBytes);
    __builtin_memcpy(&h, id.bytes().data(), sizeof h);
    return h;
  }
};
