#include "store/column_encoding.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

#include "store/int_sequence.h"

namespace lake::store {
namespace {

using Ints = std::vector<int64_t>;


// value(row) for every row, each NULL row taking the previous row's value (the first non-NULL
// value for leading NULLs; zero if every row is NULL).
template <class ValueAt>
Ints FilledForward(const Vector& v, ValueAt value) {
  Ints out(v.size());
  size_t first = 0;
  while (first < v.size() && !v.IsValid(first)) ++first;
  int64_t previous = first < v.size() ? value(first) : 0;
  const bool has_nulls = v.null_count() != 0;
  for (size_t row = 0; row < v.size(); ++row) {
    if (!has_nulls || v.IsValid(row)) previous = value(row);
    out[row] = previous;
  }
  return out;
}

Ints IntegerValues(const Vector& v) {
  switch (v.type()) {
    case LogicalType::kDate:
      return FilledForward(v, [&](size_t r) { return int64_t{v.data<int32_t>()[r]}; });
    case LogicalType::kBoolean:
      return FilledForward(v, [&](size_t r) { return int64_t{v.data<uint8_t>()[r]}; });
    default:  // BIGINT, TIMESTAMP; DOUBLE as its bits
      return FilledForward(v, [&](size_t r) { return v.Get<int64_t>(r); });
  }
}

// n with n / 10^exponent == value exactly (bit for bit), if there is one within range.
std::optional<int64_t> DecimalDigits(double value, int exponent) {
  const double scaled = value * kDecimalScale[exponent];
  if (!(std::fabs(scaled) <= static_cast<double>(kMaxDecimalDigits))) return std::nullopt;
  const auto n = static_cast<int64_t>(std::llround(scaled));
  const double back = static_cast<double>(n) / kDecimalScale[exponent];
  if (std::memcmp(&back, &value, sizeof value) != 0) return std::nullopt;  // -0.0 stays out
  return n;
}

// The smallest exponent at which every non-NULL value is an exact decimal, and the integers.
std::optional<std::pair<int, Ints>> DecimalValues(const Vector& v) {
  int exponent = 0;
  for (size_t row = 0; row < v.size(); ++row) {
    if (!v.IsValid(row)) continue;
    while (!DecimalDigits(v.Get<double>(row), exponent)) {
      if (++exponent > kMaxDecimalExponent) return std::nullopt;
    }
  }
  bool exact = true;
  Ints digits = FilledForward(v, [&](size_t r) {
    const std::optional<int64_t> n = DecimalDigits(v.Get<double>(r), exponent);
    exact &= n.has_value();
    return n.value_or(0);
  });
  if (!exact) return std::nullopt;
  return std::make_pair(exponent, std::move(digits));
}

// A VARCHAR column as distinct entries (ascending) and a code per row (filled forward).
struct Dictionary {
  std::vector<std::string_view> entries;
  Ints codes;
};

// Nullopt once more than `max_entries` distinct strings turn up. Strings are found by hash in an
// open-addressing table of entry indexes (+1; 0 is empty) that doubles when half full.
std::optional<Dictionary> CollectDistinct(const Vector& v, size_t max_entries) {
  Dictionary d;
  std::vector<uint32_t> slots(64, 0);
  std::vector<size_t> hashes;
  Ints first_codes(v.size(), 0);
  const std::hash<std::string_view> hash;
  for (size_t row = 0; row < v.size(); ++row) {
    if (!v.IsValid(row)) continue;
    const std::string_view text = v.GetString(row);
    const size_t h = hash(text);
    size_t mask = slots.size() - 1, at = h & mask;
    while (slots[at] != 0 && (hashes[slots[at] - 1] != h || d.entries[slots[at] - 1] != text)) {
      at = (at + 1) & mask;
    }
    if (slots[at] != 0) {
      first_codes[row] = slots[at] - 1;
      continue;
    }
    if (d.entries.size() == max_entries) return std::nullopt;
    first_codes[row] = static_cast<int64_t>(d.entries.size());
    d.entries.push_back(text);
    hashes.push_back(h);
    slots[at] = static_cast<uint32_t>(d.entries.size());
    if (2 * d.entries.size() > slots.size()) {
      slots.assign(2 * slots.size(), 0);
      mask = slots.size() - 1;
      for (size_t e = 0; e < hashes.size(); ++e) {
        size_t to = hashes[e] & mask;
        while (slots[to] != 0) to = (to + 1) & mask;
        slots[to] = static_cast<uint32_t>(e + 1);
      }
    }
  }
  // Entries in ascending byte order: the same strings always get the same codes.
  std::vector<uint32_t> order(d.entries.size());
  for (size_t e = 0; e < order.size(); ++e) order[e] = static_cast<uint32_t>(e);
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return d.entries[a] < d.entries[b]; });
  std::vector<int64_t> rank(order.size());
  std::vector<std::string_view> sorted(order.size());
  for (size_t k = 0; k < order.size(); ++k) {
    rank[order[k]] = static_cast<int64_t>(k);
    sorted[k] = d.entries[order[k]];
  }
  d.entries = std::move(sorted);
  d.codes = FilledForward(v, [&](size_t r) { return rank[first_codes[r]]; });
  return d;
}

Ints StringLengths(const Vector& v) {
  Ints lengths(v.size());
  for (size_t row = 0; row < v.size(); ++row) lengths[row] = v.GetString(row).size();
  return lengths;
}

Ints EntryLengths(const Dictionary& d) {
  Ints lengths;
  for (std::string_view entry : d.entries) lengths.push_back(entry.size());
  return lengths;
}

EncodedValues PlainStrings(const Vector& v, const IntSequenceWriter& lengths) {
  EncodedValues out{ColumnEncoding::kPlain, {}};
  out.body.reserve(lengths.SequenceSize() + v.chars().size());
  lengths.PutSequence(&out.body);
  out.body.insert(out.body.end(), v.chars().begin(), v.chars().end());
  return out;
}

// A dictionary body, and its size before it is written.
class DictionaryWriter {
 public:
  explicit DictionaryWriter(Dictionary d)
      : d_(std::move(d)),
        entry_lengths_(EntryLengths(d_)),
        lengths_(entry_lengths_.data(), entry_lengths_.size()),
        codes_(d_.codes.data(), d_.codes.size()) {}

  size_t Size() const {
    size_t bytes = UvarintSize(d_.entries.size()) + lengths_.SequenceSize() + codes_.SequenceSize();
    for (std::string_view entry : d_.entries) bytes += entry.size();
    return bytes;
  }

  EncodedValues Encode() const {
    EncodedValues out{ColumnEncoding::kDictionary, {}};
    out.body.reserve(Size());
    PutUvarint(d_.entries.size(), &out.body);
    lengths_.PutSequence(&out.body);
    for (std::string_view entry : d_.entries) {
      out.body.insert(out.body.end(), entry.begin(), entry.end());
    }
    codes_.PutSequence(&out.body);
    return out;
  }

 private:
  const Dictionary d_;
  const Ints entry_lengths_;
  const IntSequenceWriter lengths_, codes_;
};

EncodedValues IntBlock(ColumnEncoding encoding, const IntSequenceWriter& values) {
  EncodedValues out{encoding, {}};
  values.PutBlock(static_cast<IntCoding>(encoding), &out.body);
  return out;
}

EncodedValues Decimal(int exponent, const IntSequenceWriter& digits) {
  EncodedValues out{ColumnEncoding::kDecimal, {}};
  PutU8(static_cast<uint8_t>(exponent), &out.body);
  digits.PutSequence(&out.body);
  return out;
}

EncodedValues Plain(const Vector& v) {
  const ByteView bytes = v.fixed_bytes();
  return EncodedValues{ColumnEncoding::kPlain, Bytes(bytes.begin(), bytes.end())};
}

// Strings repeat enough for a dictionary to be worth trying while they are at most half the rows.
size_t DictionaryLimit(size_t rows) { return std::max<size_t>(rows / 2, 1); }

EncodedValues EncodeStrings(const Vector& v) {
  const Ints lengths = StringLengths(v);
  const IntSequenceWriter length_writer(lengths.data(), lengths.size());
  if (std::optional<Dictionary> d = CollectDistinct(v, DictionaryLimit(v.size()))) {
    const DictionaryWriter dictionary(std::move(*d));
    if (dictionary.Size() < length_writer.SequenceSize() + v.chars().size()) {
      return dictionary.Encode();
    }
  }
  return PlainStrings(v, length_writer);
}

// Plain doubles decode with one copy: another encoding must save an eighth of that to be chosen.
EncodedValues EncodeDouble(const Vector& v) {
  const Ints bits = IntegerValues(v);
  const IntSequenceWriter bit_writer(bits.data(), bits.size());
  const size_t worth = v.size() * sizeof(double) * 7 / 8;
  const size_t runs = bit_writer.BlockSize(IntCoding::kRunLength);
  if (std::optional<std::pair<int, Ints>> decimal = DecimalValues(v)) {
    const IntSequenceWriter digits(decimal->second.data(), decimal->second.size());
    const size_t size = 1 + digits.SequenceSize();
    if (size <= worth && size <= runs) return Decimal(decimal->first, digits);
  }
  if (runs <= worth) return IntBlock(ColumnEncoding::kRunLength, bit_writer);
  return Plain(v);
}

EncodedValues EncodeIntegers(const Vector& v) {
  const Ints values = IntegerValues(v);
  const IntSequenceWriter writer(values.data(), values.size());
  const size_t plain = v.size() * FixedWidth(v.type());
  const size_t packed = writer.BlockSize(IntCoding::kBitPacked);
  const size_t runs = writer.BlockSize(IntCoding::kRunLength);
  if (plain <= packed && plain <= runs) return Plain(v);
  return IntBlock(packed <= runs ? ColumnEncoding::kBitPacked : ColumnEncoding::kRunLength, writer);
}

}  // namespace

EncodedValues EncodeValues(const Vector& v) {
  if (v.type() == LogicalType::kVarchar) return EncodeStrings(v);
  if (v.type() == LogicalType::kDouble) return EncodeDouble(v);
  return EncodeIntegers(v);
}

std::optional<EncodedValues> EncodeValuesAs(const Vector& v, ColumnEncoding encoding) {
  const bool strings = v.type() == LogicalType::kVarchar;
  const bool doubles = v.type() == LogicalType::kDouble;
  switch (encoding) {
    case ColumnEncoding::kPlain: {
      if (!strings) return Plain(v);
      const Ints lengths = StringLengths(v);
      return PlainStrings(v, IntSequenceWriter(lengths.data(), lengths.size()));
    }
    case ColumnEncoding::kBitPacked:
    case ColumnEncoding::kRunLength: {
      if (strings || (doubles && encoding == ColumnEncoding::kBitPacked)) return std::nullopt;
      const Ints values = IntegerValues(v);
      return IntBlock(encoding, IntSequenceWriter(values.data(), values.size()));
    }
    case ColumnEncoding::kDictionary:
      if (!strings) return std::nullopt;
      return DictionaryWriter(*CollectDistinct(v, v.size())).Encode();
    case ColumnEncoding::kDecimal: {
      if (!doubles) return std::nullopt;
      std::optional<std::pair<int, Ints>> decimal = DecimalValues(v);
      if (!decimal) return std::nullopt;
      return Decimal(decimal->first,
                     IntSequenceWriter(decimal->second.data(), decimal->second.size()));
    }
  }
  return std::nullopt;
}

}  // namespace lake::store
