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
  Id Distance(const Id& other) const {
    Id out;
    for (size_t w = 0; w < kWords; ++w) out.StoreWord(w, RawWord(w) ^ other.RawWord(w));
    return out;
  }
  // Number of leading zero bits (kBits for the zero id); a distance's bucket index is
  // kBits - 1 - LeadingZeros().
  int LeadingZeros() const {
    for (size_t w = 0; w < kWords; ++w) {
      if (const uint64_t word = Word(w); word != 0) {
        return static_cast<int>(w * 64) + __builtin_clzll(word);
      }
    }
    return kBits;
  }
  // Bit `i` counted from the most significant bit (i = 0).
  bool Bit(size_t i) const { return (bytes_[i / 8] >> (7 - i % 8)) & 1; }

  // Big-endian lexicographic order: for distances this is "closer first". Compared a 64-bit word
  // at a time: ids are compared in every routing-table scan and lookup step.
  friend std::strong_ordering operator<=>(const Id& a, const Id& b) {
    for (size_t w = 0; w < kWords; ++w) {
      if (const uint64_t x = a.Word(w), y = b.Word(w); x != y) return x <=> y;
    }
    return std::strong_ordering::equal;
  }
  friend bool operator==(const Id& a, const Id& b) {
    uint64_t differ = 0;
    for (size_t w = 0; w < kWords; ++w) differ |= a.RawWord(w) ^ b.RawWord(w);
    return differ == 0;
  }

 private:
  static constexpr size_t kWords = kBytes / 8;
  // Word `w` as stored (byte order of the machine), and as a big-endian number.
  uint64_t RawWord(size_t w) const {
    uint64_t word;
    __builtin_memcpy(&word, bytes_.data() + 8 * w, 8);
    return word;
  }
  uint64_t Word(size_t w) const {
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "Word() assumes little endian");
    return __builtin_bswap64(RawWord(w));
  }
  void StoreWord(size_t w, uint64_t raw) { __builtin_memcpy(bytes_.data() + 8 * w, &raw, 8); }

  std::array<uint8_t, kBytes> bytes_;
};

// True if `a` is strictly closer to `target` than `b` (XOR metric).
inline bool CloserTo(const Id& target, const Id& a, const Id& b) {
  return a.Distance(target) < b.Distance(target);
}

// Names the type's role at the use site; all are the same 256-bit value.
using NodeId = Id;
using ChunkId = Id;

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
