// What the fuzz targets share: FUZZ_CHECK, an assertion that stays on in every build type (a
// failed property is a finding, reported as a crash both to libFuzzer and to the replay tests),
// and FuzzInput, which hands out a target's input piece by piece.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "common/bytes.h"

#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (false)

namespace lake::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  // The next byte, or 0 once the input is used up.
  uint8_t Byte() {
    if (offset_ == size_) return 0;
    return data_[offset_++];
  }
  // The next `n` bytes, or fewer at the end.
  ByteView Take(size_t n) {
    if (n > size_ - offset_) n = size_ - offset_;
    const ByteView piece(data_ + offset_, n);
    offset_ += n;
    return piece;
  }
  // Everything not taken yet.
  ByteView Rest() { return Take(size_ - offset_); }
  bool empty() const { return offset_ == size_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t offset_ = 0;
};

}  // namespace lake::fuzz
