#include "store/int_sequence.h"

#include <algorithm>
#include <bit>
#include <numeric>
#include <cstring>
#include <string>

namespace lake::store {

static_assert(std::endian::native == std::endian::little,
              "chunk blocks are little-endian; add byte swapping for big-endian hosts");

namespace {

// The frame of a bit-packed block: values lie in [min, max] at multiples of stride from min.
struct Frame {
  int64_t min = 0, max = 0;
  uint64_t stride = 1;
};

unsigned WidthOf(const Frame& f) {
  return static_cast<unsigned>(
      std::bit_width((static_cast<uint64_t>(f.max) - static_cast<uint64_t>(f.min)) / f.stride));
}

size_t PackedBytes(uint64_t n, unsigned width) { return static_cast<size_t>((n * width + 7) / 8); }

size_t BitPackedSize(uint64_t n, const Frame& f) {
  return 8 + UvarintSize(f.stride) + 1 + PackedBytes(n, WidthOf(f));
}

// The bit-packed block of `n` values given by `at(i)`, in frame `f`.
template <class At>
void PutBitPacked(At at, size_t n, const Frame& f, Bytes* out) {
  const uint64_t base = static_cast<uint64_t>(f.min);
  const unsigned width = WidthOf(f);
  PutU64(base, out);
  PutUvarint(f.stride, out);
  PutU8(static_cast<uint8_t>(width), out);
  if (width == 0) return;
  const size_t start = out->size();
  out->reserve(start + PackedBytes(n, width));
  uint64_t acc = 0;
  unsigned filled = 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t delta = static_cast<uint64_t>(at(i)) - base;
    if (f.stride != 1) delta /= f.stride;
    acc |= delta << filled;  // filled < 64 here
    filled += width;
    if (filled >= 64) {
      PutU64(acc, out);
      filled -= 64;
      acc = filled == 0 ? 0 : delta >> (width - filled);
    }
  }
  for (unsigned b = 0; b < filled; b += 8) PutU8(static_cast<uint8_t>(acc >> b), out);
}

Status Corrupt(std::string_view what, std::string_view problem) {
  return Status::Corruption("chunk: " + std::string(what) + ": " + std::string(problem));
}

}  // namespace

void PutU8(uint8_t value, Bytes* out) { out->push_back(value); }

void PutU64(uint64_t value, Bytes* out) {
  const size_t at = out->size();
  out->resize(at + 8);
  std::memcpy(out->data() + at, &value, 8);
}

void PutUvarint(uint64_t value, Bytes* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<uint8_t>(value));
}

size_t UvarintSize(uint64_t value) {
  size_t size = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++size;
  }
  return size;
}

bool ByteReader::ReadU8(uint8_t* out) {
  if (remaining() < 1) return false;
  *out = bytes_[pos_++];
  return true;
}

bool ByteReader::ReadU64(uint64_t* out) {
  if (remaining() < 8) return false;
  std::memcpy(out, bytes_.data() + pos_, 8);
  pos_ += 8;
  return true;
}

bool ByteReader::ReadUvarint(uint64_t* out) {
  uint64_t value = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    uint8_t byte;
    if (!ReadU8(&byte)) return false;
    // The tenth byte may carry one bit only; longer or overflowing encodings are malformed.
    if (shift == 63 && byte > 1) return false;
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *out = value;
      return true;
    }
  }
  return false;
}

bool ByteReader::Take(uint64_t size, ByteView* out) {
  if (remaining() < size) return false;
  *out = bytes_.subspan(pos_, static_cast<size_t>(size));
  pos_ += static_cast<size_t>(size);
  return true;
}

IntSequenceWriter::IntSequenceWriter(const int64_t* values, size_t n) : values_(values), n_(n) {
  if (n == 0) return;
  MeasureRuns();
  // The stride: the common divisor of every distance from the minimum (0 when all are equal).
  uint64_t divisor = 0;
  for (size_t i = 0; i < n && divisor != 1; ++i) {
    divisor = std::gcd(divisor, static_cast<uint64_t>(values[i]) - static_cast<uint64_t>(min_));
  }
  stride_ = divisor == 0 ? 1 : divisor;
}

void IntSequenceWriter::MeasureRuns() {
  min_ = max_ = values_[0];
  min_run_ = UINT64_MAX;
  uint64_t run = 0;
  for (size_t i = 0; i < n_; ++i) {
    min_ = std::min(min_, values_[i]);
    max_ = std::max(max_, values_[i]);
    ++run;
    if (i + 1 == n_ || values_[i + 1] != values_[i]) {
      ++runs_;
      min_run_ = std::min(min_run_, run);
      max_run_ = std::max(max_run_, run);
      run = 0;
    }
  }
}

size_t IntSequenceWriter::BlockSize(IntCoding coding) const {
  const Frame values{min_, max_, stride_};
  if (coding == IntCoding::kBitPacked) return BitPackedSize(n_, values);
  const Frame lengths{static_cast<int64_t>(min_run_), static_cast<int64_t>(max_run_), 1};
  return UvarintSize(runs_) + BitPackedSize(runs_, values) + BitPackedSize(runs_, lengths);
}

IntCoding IntSequenceWriter::Best() const {
  return BlockSize(IntCoding::kRunLength) < BlockSize(IntCoding::kBitPacked)
             ? IntCoding::kRunLength
             : IntCoding::kBitPacked;
}

void IntSequenceWriter::PutBlock(IntCoding coding, Bytes* out) const {
  const Frame values{min_, max_, stride_};
  if (coding == IntCoding::kBitPacked) {
    PutBitPacked([&](size_t i) { return values_[i]; }, n_, values, out);
    return;
  }
  std::vector<int64_t> run_values, run_lengths;
  run_values.reserve(runs_);
  run_lengths.reserve(runs_);
  for (size_t i = 0; i < n_; ++i) {
    if (i == 0 || values_[i] != values_[i - 1]) {
      run_values.push_back(values_[i]);
      run_lengths.push_back(0);
    }
    ++run_lengths.back();
  }
  PutUvarint(runs_, out);
  PutBitPacked([&](size_t i) { return run_values[i]; }, runs_, values, out);
  const Frame lengths{static_cast<int64_t>(min_run_), static_cast<int64_t>(max_run_), 1};
  PutBitPacked([&](size_t i) { return run_lengths[i]; }, runs_, lengths, out);
}

void IntSequenceWriter::PutSequence(Bytes* out) const {
  const IntCoding coding = Best();
  PutU8(static_cast<uint8_t>(coding), out);
  PutBlock(coding, out);
}

Result<IntSequenceReader> IntSequenceReader::Open(ByteReader* in, IntCoding coding, uint64_t n,
                                                  int64_t lo, int64_t hi, std::string_view what) {
  IntSequenceReader reader;
  reader.coding_ = coding;
  reader.lo_ = lo;
  reader.hi_ = hi;
  if (coding == IntCoding::kBitPacked) {
    uint8_t width;
    if (!in->ReadU64(&reader.base_) || !in->ReadUvarint(&reader.stride_) ||
        !in->ReadU8(&width)) {
      return Corrupt(what, "truncated");
    }
    if (reader.stride_ == 0) return Corrupt(what, "zero stride");
    if (width > 64) return Corrupt(what, "bit width over 64");
    reader.width_ = width;
    if (n > (UINT64_MAX - 7) / 64 || !in->Take(PackedBytes(n, width), &reader.packed_)) {
      return Corrupt(what, "truncated bit-packed values");
    }
    return reader;
  }
  if (coding != IntCoding::kRunLength) return Corrupt(what, "unknown integer coding");
  uint64_t runs;
  if (!in->ReadUvarint(&runs)) return Corrupt(what, "truncated run count");
  if (runs > n || (n > 0 && runs == 0)) return Corrupt(what, "run count out of range");
  const auto n_max = static_cast<int64_t>(std::min<uint64_t>(n, INT64_MAX));
  LAKE_ASSIGN_OR_RETURN(IntSequenceReader values,
                        Open(in, IntCoding::kBitPacked, runs, lo, hi, what));
  LAKE_ASSIGN_OR_RETURN(IntSequenceReader lengths,
                        Open(in, IntCoding::kBitPacked, runs, 1, n_max, what));
  reader.run_values_.resize(runs);
  std::vector<int64_t> run_lengths(runs);
  if (!values.Next(runs, reader.run_values_.data())) return Corrupt(what, "value out of range");
  if (!lengths.Next(runs, run_lengths.data())) return Corrupt(what, "run length out of range");
  uint64_t total = 0;
  for (int64_t length : run_lengths) total += static_cast<uint64_t>(length);  // each <= n
  if (total != n) return Corrupt(what, "run lengths do not add up to the row count");
  reader.run_lengths_.assign(run_lengths.begin(), run_lengths.end());
  if (runs > 0) reader.run_left_ = reader.run_lengths_[0];
  return reader;
}

Result<IntSequenceReader> IntSequenceReader::OpenNested(ByteReader* in, uint64_t n, int64_t lo,
                                                        int64_t hi, std::string_view what) {
  uint8_t coding;
  if (!in->ReadU8(&coding)) return Corrupt(what, "truncated");
  return Open(in, static_cast<IntCoding>(coding), n, lo, hi, what);
}

inline uint64_t IntSequenceReader::Unpack(uint64_t index) const {
  const uint64_t bit = index * width_;
  const size_t byte = static_cast<size_t>(bit >> 3);
  const unsigned shift = static_cast<unsigned>(bit & 7);
  const uint64_t mask = width_ == 64 ? ~uint64_t{0} : (uint64_t{1} << width_) - 1;
  uint64_t word = 0;
  if (byte + 8 <= packed_.size()) {
    std::memcpy(&word, packed_.data() + byte, 8);
  } else {
    for (size_t k = 0; byte + k < packed_.size(); ++k) {
      word |= static_cast<uint64_t>(packed_[byte + k]) << (8 * k);
    }
  }
  uint64_t value = word >> shift;
  if (shift + width_ > 64) value |= static_cast<uint64_t>(packed_[byte + 8]) << (64 - shift);
  return value & mask;
}

template <class T>
bool IntSequenceReader::Next(size_t count, T* out) {
  if (coding_ == IntCoding::kRunLength) {
    while (count > 0) {
      if (run_left_ == 0) run_left_ = run_lengths_[++run_];
      const size_t take = static_cast<size_t>(std::min<uint64_t>(run_left_, count));
      std::fill(out, out + take, static_cast<T>(run_values_[run_]));
      out += take;
      count -= take;
      run_left_ -= take;
    }
    return true;
  }
  bool in_range = true;
  if (width_ == 0) {
    const auto value = static_cast<int64_t>(base_);
    std::fill(out, out + count, static_cast<T>(value));
    in_range = count == 0 || (value >= lo_ && value <= hi_);
  } else {
    for (size_t i = 0; i < count; ++i) {
      const auto value = static_cast<int64_t>(base_ + stride_ * Unpack(next_ + i));
      in_range &= value >= lo_ && value <= hi_;
      out[i] = static_cast<T>(value);
    }
  }
  next_ += count;
  return in_range;
}

template bool IntSequenceReader::Next<int64_t>(size_t, int64_t*);
template bool IntSequenceReader::Next<int32_t>(size_t, int32_t*);
template bool IntSequenceReader::Next<uint32_t>(size_t, uint32_t*);
template bool IntSequenceReader::Next<uint8_t>(size_t, uint8_t*);

}  // namespace lake::store
