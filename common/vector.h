// Vector: one column of values of a single LogicalType, with a validity bitmap, growable by
// appends. A chunk's column is one Vector of all its rows; an execution Batch (common/batch.h)
// holds Vectors of at most kVectorSize rows.
//
// Physical layout (also the chunk encoding's, see store/chunk_codec.h):
//   BIGINT, TIMESTAMP int64_t; DOUBLE double; DATE int32_t; BOOLEAN uint8_t (0/1), contiguous;
//   VARCHAR  size()+1 uint32_t offsets into one byte string (value i = chars[off[i], off[i+1]));
//   validity bit i (LSB-first within 64-bit words) is 1 when value i is not NULL. A NULL slot
//   holds zero (fixed width) or an empty string.
// Thread-safety: not thread-safe; concurrent const access is fine.
#pragma once

#include <cassert>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/logical_type.h"

namespace lake {

struct StringDictionary;

class Vector {
 public:
  explicit Vector(LogicalType type);

  LogicalType type() const { return type_; }
  size_t size() const { return size_; }
  size_t null_count() const { return null_count_; }
  // The bytes the values, offsets and validity take (capacity aside), for memory budgets.
  size_t MemoryBytes() const {
    return data_.size() + chars_.size() + offsets_.size() * sizeof(uint32_t) +
           validity_.size() * sizeof(uint64_t);
  }

  void Reserve(size_t rows);
  void Clear();

  void AppendNull();
  // REQUIRES: T is the physical type of type() (int64_t, double, uint8_t, int32_t).
  template <class T>
  void Append(T value) {
    assert(sizeof(T) == FixedWidth(type_));
    const size_t at = data_.size();
    data_.resize(at + sizeof(T));
    std::memcpy(data_.data() + at, &value, sizeof(T));
    PushValidity(true);
  }
  // REQUIRES: type() == kVarchar.
  void AppendString(std::string_view value);
  // Appends rows [offset, offset + count) of `other`. REQUIRES: same type, range in bounds.
  void AppendRange(const Vector& other, size_t offset, size_t count);
  // Appends rows selection[0..count) of `other` (rows [0, count) if selection is null).
  // REQUIRES: same type, rows in bounds.
  void AppendSelected(const Vector& other, const uint32_t* selection, size_t count);

  bool IsValid(size_t row) const { return (validity_[row / 64] >> (row % 64)) & 1; }
  // REQUIRES: T is the physical type of type().
  template <class T>
  const T* data() const {
    assert(sizeof(T) == FixedWidth(type_));
    return reinterpret_cast<const T*>(data_.data());
  }
  template <class T>
  T Get(size_t row) const {
    T value;
    std::memcpy(&value, data_.data() + row * sizeof(T), sizeof(T));
    return value;
  }
  // REQUIRES: type() == kVarchar.
  std::string_view GetString(size_t row) const {
    return std::string_view(chars_).substr(offsets_[row], offsets_[row + 1] - offsets_[row]);
  }

  // The dictionary form of a VARCHAR vector, or null (see StringDictionary below). Every
  // change to the vector drops it; SetDictionary REQUIRES that it describe the current rows.
  const StringDictionary* dictionary() const { return dictionary_.get(); }
  void SetDictionary(std::shared_ptr<const StringDictionary> dictionary) {
    dictionary_ = std::move(dictionary);
  }

  // Raw buffers, for codecs. Validity is ceil(size/64) words; offsets size()+1 entries.
  const std::vector<uint64_t>& validity_words() const { return validity_; }
  ByteView fixed_bytes() const { return ByteView(data_.data(), data_.size()); }
  const std::vector<uint32_t>& offsets() const { return offsets_; }
  const std::string& chars() const { return chars_; }

  // In-place filling, for kernels (sql/expression_executor): Resize(rows) makes size() == rows
  // with every row valid (values up to the old size kept, later ones zero); then write through
  // mutable_data() (or mutable_fixed_bytes()) and mutable_validity_words() and call RecountNulls()
  // to restore the invariants (validity bits past size() clear, null_count() exact, NULL slots
  // zero). REQUIRES (all five): a fixed-width type.
  void Resize(size_t rows);
  template <class T>
  T* mutable_data() {
    assert(sizeof(T) == FixedWidth(type_));
    return reinterpret_cast<T*>(data_.data());
  }
  uint8_t* mutable_fixed_bytes() { return data_.data(); }  // row i at i * FixedWidth(type())
  uint64_t* mutable_validity_words() { return validity_.data(); }
  void RecountNulls();

  // Builds a vector from raw buffers (the inverse of the accessors above); used by decoders,
  // which validate sizes first. REQUIRES: buffers consistent with `rows` and `type`.
  static Vector FromBuffers(LogicalType type, size_t rows, std::vector<uint64_t> validity,
                            Bytes fixed, std::vector<uint32_t> offsets, std::string chars);

 private:
  void PushValidity(bool valid) {
    dictionary_.reset();
    if (size_ % 64 == 0) validity_.push_back(0);
    validity_.back() |= static_cast<uint64_t>(valid) << (size_ % 64);
    null_count_ += !valid;
    ++size_;
  }
  // PushValidity(true) `count` times, a word at a time.
  void PushValidRun(size_t count);

  LogicalType type_;
  size_t size_ = 0;
  size_t null_count_ = 0;
  std::vector<uint64_t> validity_;
  Bytes data_;                     // fixed-width types
  std::vector<uint32_t> offsets_;  // VARCHAR: size_ + 1 entries
  std::string chars_;              // VARCHAR bytes
  std::shared_ptr<const StringDictionary> dictionary_;
};

// A VARCHAR vector's values as codes into its distinct strings (DuckDB's dictionary vectors):
// non-NULL row i holds values.GetString(codes[i]). Kernels use it to work once per distinct
// string instead of once per row (a comparison with a constant, LIKE, a GROUP BY key); the
// strings themselves stay in the vector, so every operation is right without it.
struct StringDictionary {
  // Distinct and non-NULL: in order of first appearance when built from the strings
  // (BuildDictionary, common/batch.h), or a chunk's whole dictionary in ascending order when
  // decoded from one (store/column_encoding.h), which may hold strings no row of this vector has.
  Vector values{LogicalType::kVarchar};
  // One per row (so at most 256 values); a NULL row's is a valid index but means nothing.
  std::vector<uint8_t> codes;
};

}  // namespace lake
