#include "common/vector.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace lake {
namespace {

// Set bits of a word, inline: without -mpopcnt (Debian builds for baseline x86-64) the compiler
// turns std::popcount into a call into libgcc, which costs more than this.
inline size_t CountBits(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
  return static_cast<size_t>((x * 0x0101010101010101ULL) >> 56);
}

// Copies `n` bytes. Short strings (codes, countries, flags) are the common case of a gather, and
// a call into memcpy costs more than their bytes: up to 16 bytes go as two overlapping
// fixed-size copies, which compile to plain loads and stores.
inline void CopyString(char* to, const char* from, size_t n) {
  if (n > 16) {
    std::memcpy(to, from, n);
  } else if (n >= 8) {
    uint64_t head, tail;
    std::memcpy(&head, from, 8);
    std::memcpy(&tail, from + n - 8, 8);
    std::memcpy(to, &head, 8);
    std::memcpy(to + n - 8, &tail, 8);
  } else if (n >= 4) {
    uint32_t head, tail;
    std::memcpy(&head, from, 4);
    std::memcpy(&tail, from + n - 4, 4);
    std::memcpy(to, &head, 4);
    std::memcpy(to + n - 4, &tail, 4);
  } else if (n > 0) {
    to[0] = from[0];
    to[n / 2] = from[n / 2];
    to[n - 1] = from[n - 1];
  }
}

}  // namespace

Vector::Vector(LogicalType type) : type_(type) {
  if (type_ == LogicalType::kVarchar) offsets_.push_back(0);
}

void Vector::Reserve(size_t rows) {
  validity_.reserve((rows + 63) / 64);
  if (type_ == LogicalType::kVarchar) {
    offsets_.reserve(rows + 1);
  } else {
    data_.reserve(rows * FixedWidth(type_));
  }
}

void Vector::Clear() {
  dictionary_.reset();
  size_ = 0;
  null_count_ = 0;
  validity_.clear();
  data_.clear();
  chars_.clear();
  offsets_.clear();
  if (type_ == LogicalType::kVarchar) offsets_.push_back(0);
}

void Vector::AppendNull() {
  if (type_ == LogicalType::kVarchar) {
    offsets_.push_back(offsets_.back());
  } else {
    data_.resize(data_.size() + FixedWidth(type_), 0);
  }
  PushValidity(false);
}

void Vector::AppendString(std::string_view value) {
  assert(type_ == LogicalType::kVarchar);
  chars_.append(value);
  offsets_.push_back(static_cast<uint32_t>(chars_.size()));
  PushValidity(true);
}

void Vector::AppendRange(const Vector& other, size_t offset, size_t count) {
  assert(other.type_ == type_ && offset + count <= other.size_);
  if (count == 0) return;
  // Values in bulk: NULL slots hold zero or an empty string in `other` too, so they copy as is.
  if (type_ == LogicalType::kVarchar) {
    const uint32_t first = other.offsets_[offset];
    const uint32_t last = other.offsets_[offset + count];
    const uint32_t base = static_cast<uint32_t>(chars_.size());
    chars_.append(other.chars_, first, last - first);
    for (size_t i = 1; i <= count; ++i) {
      offsets_.push_back(other.offsets_[offset + i] - first + base);
    }
  } else {
    const size_t width = FixedWidth(type_);
    const uint8_t* from = other.data_.data() + offset * width;
    data_.insert(data_.end(), from, from + count * width);
  }
  if (size_ % 64 == 0 && offset % 64 == 0) {
    // Word-aligned (every batch cut from a chunk): copy the bitmap a word at a time.
    const size_t words = (count + 63) / 64;
    const auto first = other.validity_.begin() + static_cast<ptrdiff_t>(offset / 64);
    validity_.insert(validity_.end(), first, first + static_cast<ptrdiff_t>(words));
    if (count % 64 != 0) validity_.back() &= (uint64_t{1} << (count % 64)) - 1;
    size_t valid = 0;
    for (size_t w = validity_.size() - words; w < validity_.size(); ++w) {
      valid += CountBits(validity_[w]);
    }
    null_count_ += count - valid;
    size_ += count;
    dictionary_.reset();
    return;
  }
  if (other.null_count_ == 0) return PushValidRun(count);
  for (size_t row = offset; row < offset + count; ++row) PushValidity(other.IsValid(row));
}

void Vector::AppendSelected(const Vector& other, const uint32_t* selection, size_t count) {
  if (selection == nullptr) return AppendRange(other, 0, count);
  assert(other.type_ == type_);
  if (type_ == LogicalType::kVarchar) {
    // Sized once, then filled: a join gathers millions of short strings this way, and an
    // append per string costs more than its bytes.
    const uint32_t* from_offsets = other.offsets_.data();
    size_t bytes = 0;
    for (size_t i = 0; i < count; ++i) {
      bytes += from_offsets[selection[i] + 1] - from_offsets[selection[i]];
    }
    size_t at = chars_.size();
    chars_.resize(at + bytes);
    const size_t first_offset = offsets_.size();
    offsets_.resize(first_offset + count);
    char* to = chars_.data();
    const char* from = other.chars_.data();
    uint32_t* offsets = offsets_.data() + first_offset;
    for (size_t i = 0; i < count; ++i) {
      const uint32_t begin = from_offsets[selection[i]];
      const uint32_t length = from_offsets[selection[i] + 1] - begin;
      CopyString(to + at, from + begin, length);
      at += length;
      offsets[i] = static_cast<uint32_t>(at);
    }
  } else {
    const size_t width = FixedWidth(type_);
    const size_t at = data_.size();
    data_.resize(at + count * width);
    uint8_t* to = data_.data() + at;
    const uint8_t* from = other.data_.data();
    // One typed copy per row; the width switch is outside the loop.
    const auto gather = [&](auto tag) {
      using T = decltype(tag);
      for (size_t i = 0; i < count; ++i) {
        std::memcpy(to + i * sizeof(T), from + selection[i] * sizeof(T), sizeof(T));
      }
    };
    switch (width) {
      case 8:
        gather(uint64_t{});
        break;
      case 4:
        gather(uint32_t{});
        break;
      default:
        gather(uint8_t{});
        break;
    }
  }
  if (other.null_count_ == 0) {
    PushValidRun(count);
  } else {
    for (size_t i = 0; i < count; ++i) PushValidity(other.IsValid(selection[i]));
  }
}

void Vector::PushValidRun(size_t count) {
  if (count == 0) return;
  dictionary_.reset();
  const auto low_bits = [](size_t n) { return n >= 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1; };
  size_t left = count;
  if (const size_t bit = size_ % 64; bit != 0) {
    const size_t take = std::min(left, 64 - bit);
    validity_.back() |= low_bits(take) << bit;
    left -= take;
  }
  for (; left >= 64; left -= 64) validity_.push_back(~uint64_t{0});
  if (left > 0) validity_.push_back(low_bits(left));
  size_ += count;
}

void Vector::Resize(size_t rows) {
  assert(type_ != LogicalType::kVarchar);
  dictionary_.reset();
  size_ = rows;
  null_count_ = 0;
  data_.resize(rows * FixedWidth(type_));
  validity_.assign((rows + 63) / 64, ~uint64_t{0});
  if (rows % 64 != 0) validity_.back() = (uint64_t{1} << (rows % 64)) - 1;
}

void Vector::RecountNulls() {
  assert(type_ != LogicalType::kVarchar);
  if (size_ % 64 != 0) validity_.back() &= (uint64_t{1} << (size_ % 64)) - 1;
  size_t valid = 0;
  for (uint64_t word : validity_) valid += CountBits(word);
  null_count_ = size_ - valid;
  if (null_count_ == 0) return;
  // Zero the NULL slots with typed stores: a kernel that skipped inactive rows leaves most of
  // a vector NULL, and a memset call per row would cost more than the kernel.
  const auto zero_nulls = [&](auto zero) {
    using T = decltype(zero);
    T* values = reinterpret_cast<T*>(data_.data());
    for (size_t word_idx = 0; word_idx < validity_.size(); ++word_idx) {
      uint64_t nulls = ~validity_[word_idx];
      if (word_idx + 1 == validity_.size() && size_ % 64 != 0) {
        nulls &= (uint64_t{1} << (size_ % 64)) - 1;
      }
      if (nulls == ~uint64_t{0}) {  // a whole word of NULLs
        std::fill(values + word_idx * 64, values + word_idx * 64 + 64, zero);
        continue;
      }
      while (nulls != 0) {
        values[word_idx * 64 + std::countr_zero(nulls)] = zero;
        nulls &= nulls - 1;
      }
    }
  };
  switch (FixedWidth(type_)) {
    case 8:
      zero_nulls(uint64_t{0});
      break;
    case 4:
      zero_nulls(uint32_t{0});
      break;
    default:
      zero_nulls(uint8_t{0});
      break;
  }
}

Vector Vector::FromBuffers(LogicalType type, size_t rows, std::vector<uint64_t> validity,
                           Bytes fixed, std::vector<uint32_t> offsets, std::string chars) {
  Vector v(type);
  v.size_ = rows;
  v.validity_ = std::move(validity);
  // Bits past `rows` in the last word carry no meaning; clear them so counts stay exact.
  if (rows % 64 != 0) v.validity_.back() &= (uint64_t{1} << (rows % 64)) - 1;
  size_t valid = 0;
  for (uint64_t word : v.validity_) valid += CountBits(word);
  v.null_count_ = rows - valid;
  v.data_ = std::move(fixed);
  if (type == LogicalType::kVarchar) {
    v.offsets_ = std::move(offsets);
    v.chars_ = std::move(chars);
  }
  return v;
}

}  // namespace lake
