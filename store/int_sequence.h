// Integer sequences of the chunk format (chunk_codec.h): frame-of-reference bit-packing and
// run-length blocks, with the little byte writer and bounds-checked reader the column encodings
// (column_encoding.h) build on. Blocks, all integers little-endian:
//   bit-packed  base i64 (8 bytes), stride uvarint (>= 1), width u8 (0..64), then
//               ceil(n * width / 8) bytes: value i is base + stride * (the `width` bits at bit
//               i * width, LSB-first), in wrapping 64-bit arithmetic. The stride is the greatest
//               common divisor of the values' distances from the base (timestamps in whole
//               seconds, say, are stored as seconds); run lengths always have stride 1
//   run-length  R uvarint (1..n; 0 only when n is 0), then the R run values as a bit-packed
//               block, then the R run lengths (each >= 1, summing to n) as a bit-packed block
// A sequence nested in another encoding starts with its coding byte (IntCoding).
// Writers are deterministic; readers treat bytes as untrusted and report Corruption.
// Thread-safety: pure functions; a reader is used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/result.h"

namespace lake::store {

// How a sequence of integers is stored. Disk format: never renumber. The codes equal those of
// the column encodings of the same name (ColumnEncoding).
enum class IntCoding : uint8_t { kBitPacked = 1, kRunLength = 2 };

void PutU8(uint8_t value, Bytes* out);
void PutU64(uint64_t value, Bytes* out);
void PutUvarint(uint64_t value, Bytes* out);
size_t UvarintSize(uint64_t value);

// Reads a byte buffer front to back; every read checks the bounds.
class ByteReader {
 public:
  explicit ByteReader(ByteView bytes) : bytes_(bytes) {}
  size_t remaining() const { return bytes_.size() - pos_; }
  bool ReadU8(uint8_t* out);
  bool ReadU64(uint64_t* out);
  bool ReadUvarint(uint64_t* out);
  // The next `size` bytes, as a view into the buffer.
  bool Take(uint64_t size, ByteView* out);

 private:
  ByteView bytes_;
  size_t pos_ = 0;
};

// Writes n values as a block or a nested sequence; measures them once, on construction, for the
// sizes that choosing an encoding compares. REQUIRES: `values` outlive the writer.
class IntSequenceWriter {
 public:
  IntSequenceWriter(const int64_t* values, size_t n);

  // The bytes PutBlock(coding) writes.
  size_t BlockSize(IntCoding coding) const;
  // The coding that takes fewer bytes; bit-packing when equal.
  IntCoding Best() const;
  // The bytes PutSequence writes.
  size_t SequenceSize() const { return 1 + BlockSize(Best()); }

  // Appends the block in `coding` (without the coding byte).
  void PutBlock(IntCoding coding, Bytes* out) const;
  // Appends a nested sequence: Best()'s coding byte, then its block.
  void PutSequence(Bytes* out) const;

 private:
  // Sets the minimum, maximum and runs.
  void MeasureRuns();

  const int64_t* values_;
  size_t n_;
  int64_t min_ = 0, max_ = 0;
  uint64_t stride_ = 1;
  uint64_t runs_ = 0, min_run_ = 0, max_run_ = 0;
};

// Reads one block of n values, in order, in slices of any size.
class IntSequenceReader {
 public:
  // Reads a block in `coding` from `in`. Every value must lie in [lo, hi]; a value outside is
  // Corruption (at Open for run values, at Next for bit-packed ones). `what` names the sequence
  // in errors.
  static Result<IntSequenceReader> Open(ByteReader* in, IntCoding coding, uint64_t n, int64_t lo,
                                        int64_t hi, std::string_view what);
  // The same for a nested sequence: its coding byte first.
  static Result<IntSequenceReader> OpenNested(ByteReader* in, uint64_t n, int64_t lo, int64_t hi,
                                              std::string_view what);

  // The next `count` values, converted to T. False if one is out of range.
  // REQUIRES: count <= the values left; T holds every value of [lo, hi].
  template <class T>
  bool Next(size_t count, T* out);

 private:
  IntSequenceReader() = default;
  uint64_t Unpack(uint64_t index) const;

  IntCoding coding_ = IntCoding::kBitPacked;
  int64_t lo_ = 0, hi_ = 0;
  // Bit-packed: the frame and the packed bits.
  uint64_t base_ = 0;
  uint64_t stride_ = 1;
  unsigned width_ = 0;
  ByteView packed_;
  uint64_t next_ = 0;  // index of the next value
  // Run-length: the runs, and how much of the current one is left.
  std::vector<int64_t> run_values_;
  std::vector<uint64_t> run_lengths_;
  size_t run_ = 0;
  uint64_t run_left_ = 0;
};

}  // namespace lake::store
