#include "common/batch.h"

#include <algorithm>
#include <cassert>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace lake {

Batch::Batch(const Schema& schema) {
  columns_.reserve(schema.size());
  for (const Column& column : schema) {
    columns_.emplace_back(column.type);
    columns_.back().Reserve(kVectorSize);
  }
}

namespace {

// Strings repeat in a vector when it has at most this many distinct ones (and at most a quarter
// of its rows): then a dictionary pays for itself. One byte per code keeps the kernels that read
// codes for every row light on memory.
constexpr size_t kMaxDictionaryValues = 256;

}  // namespace

// The strings are found by hash in a small open-addressing table (slot -> code), with each
// code's hash kept so that bytes are compared only when hashes agree.
std::shared_ptr<const StringDictionary> BuildDictionary(const Vector& v) {
  constexpr size_t kSlots = 4 * kMaxDictionaryValues;  // at most a quarter full
  static_assert((kSlots & (kSlots - 1)) == 0, "the slot count must be a power of two");
  constexpr uint32_t kEmpty = UINT32_MAX;
  const size_t limit = std::min(kMaxDictionaryValues, v.size() / 4);
  auto dictionary = std::make_shared<StringDictionary>();
  dictionary->codes.resize(v.size(), 0);
  std::vector<uint32_t> slots(kSlots, kEmpty);
  std::vector<size_t> hashes;  // by code
  const std::hash<std::string_view> hash;
  for (size_t row = 0; row < v.size(); ++row) {
    if (!v.IsValid(row)) continue;
    const std::string_view text = v.GetString(row);
    const size_t h = hash(text);
    size_t at = h & (kSlots - 1);
    while (slots[at] != kEmpty &&
           (hashes[slots[at]] != h || dictionary->values.GetString(slots[at]) != text)) {
      at = (at + 1) & (kSlots - 1);
    }
    if (slots[at] == kEmpty) {
      if (hashes.size() == limit) return nullptr;
      slots[at] = static_cast<uint32_t>(hashes.size());
      hashes.push_back(h);
      dictionary->values.AppendString(text);
    }
    dictionary->codes[row] = static_cast<uint8_t>(slots[at]);
  }
  return dictionary;
}

ColumnPieces CutIntoPieces(const Vector& column, bool dictionaries) {
  ColumnPieces pieces;
  for (size_t offset = 0; offset < column.size(); offset += kVectorSize) {
    const size_t count = std::min(kVectorSize, column.size() - offset);
    pieces.emplace_back(column.type());
    Vector& piece = pieces.back();
    piece.AppendRange(column, offset, count);
    if (dictionaries && piece.type() == LogicalType::kVarchar) {
      piece.SetDictionary(BuildDictionary(piece));
    }
  }
  return pieces;
}

void Batch::Clear() {
  borrowed_.clear();
  for (Vector& v : columns_) v.Clear();
}

void Batch::CopyFrom(const std::vector<Vector>& source, size_t offset, size_t count) {
  assert(count <= kVectorSize && source.size() == columns_.size());
  borrowed_.clear();
  for (size_t column_idx = 0; column_idx < columns_.size(); ++column_idx) {
    columns_[column_idx].Clear();
    columns_[column_idx].AppendRange(source[column_idx], offset, count);
  }
}

void Batch::Borrow(std::vector<const Vector*> columns) {
  assert(columns.size() == columns_.size());
  borrowed_ = std::move(columns);
}

}  // namespace lake
