// DecodeValues (column_encoding.h): column bodies from untrusted bytes straight into pieces.
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "common/utf8.h"
#include "store/column_encoding.h"
#include "store/int_sequence.h"

namespace lake::store {
namespace {


// A bound on the strings a dictionary column may expand to, so that a few bytes naming a long
// entry many times are refused rather than exhausting memory (a real chunk holds ~1 MiB).
constexpr uint64_t kMaxDictionaryStringBytes = uint64_t{1} << 30;

Status Corrupt(std::string_view problem) {
  return Status::Corruption("chunk: " + std::string(problem));
}

// The validity words of rows [start, start + count). REQUIRES: start a multiple of 64.
std::vector<uint64_t> PieceValidity(const std::vector<uint64_t>& validity, size_t start,
                                    size_t count) {
  const auto first = validity.begin() + static_cast<ptrdiff_t>(start / 64);
  return std::vector<uint64_t>(first, first + static_cast<ptrdiff_t>((count + 63) / 64));
}

// Fixed-width pieces whose values `fill(start, count, bytes)` writes (false: corrupt values).
template <class Fill>
Result<ColumnPieces> FixedPieces(LogicalType type, const std::vector<uint64_t>& validity,
                                 size_t rows, size_t piece_rows, Fill fill) {
  ColumnPieces pieces;
  pieces.reserve((rows + piece_rows - 1) / piece_rows);
  const size_t width = FixedWidth(type);
  for (size_t start = 0; start < rows; start += piece_rows) {
    const size_t count = std::min(piece_rows, rows - start);
    Bytes fixed(count * width);
    if (!fill(start, count, fixed.data())) return Corrupt("column value out of range");
    pieces.push_back(Vector::FromBuffers(type, count, PieceValidity(validity, start, count),
                                         std::move(fixed), {}, {}));
    if (pieces.back().null_count() != 0) pieces.back().RecountNulls();  // zeroes NULL slots
  }
  return pieces;
}

// The range of values a type's integer encodings may hold.
std::pair<int64_t, int64_t> IntegerRange(LogicalType type) {
  switch (type) {
    case LogicalType::kDate:
      return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    case LogicalType::kBoolean:
      return {0, 1};
    default:
      return {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  }
}

Result<ColumnPieces> DecodeIntegers(LogicalType type, IntCoding coding, ByteReader* in,
                                    const std::vector<uint64_t>& validity, size_t rows,
                                    size_t piece_rows) {
  const auto [lo, hi] = IntegerRange(type);
  LAKE_ASSIGN_OR_RETURN(IntSequenceReader reader,
                        IntSequenceReader::Open(in, coding, rows, lo, hi, "column values"));
  return FixedPieces(type, validity, rows, piece_rows, [&](size_t, size_t count, uint8_t* out) {
    switch (type) {
      case LogicalType::kDate:
        return reader.Next(count, reinterpret_cast<int32_t*>(out));
      case LogicalType::kBoolean:
        return reader.Next(count, out);
      default:  // BIGINT, TIMESTAMP; DOUBLE as its bits
        return reader.Next(count, reinterpret_cast<int64_t*>(out));
    }
  });
}

Result<ColumnPieces> DecodePlainFixed(LogicalType type, ByteReader* in,
                                      const std::vector<uint64_t>& validity, size_t rows,
                                      size_t piece_rows) {
  const size_t width = FixedWidth(type);
  ByteView values;
  if (!in->Take(static_cast<uint64_t>(rows) * width, &values)) {
    return Corrupt("data buffer of the wrong size");
  }
  return FixedPieces(type, validity, rows, piece_rows, [&](size_t start, size_t count, uint8_t* out) {
    std::memcpy(out, values.data() + start * width, count * width);
    if (type != LogicalType::kBoolean) return true;
    uint8_t any = 0;
    for (size_t i = 0; i < count; ++i) any |= out[i];
    return any <= 1;
  });
}

Result<ColumnPieces> DecodeDecimal(ByteReader* in, const std::vector<uint64_t>& validity,
                                   size_t rows, size_t piece_rows) {
  uint8_t exponent;
  if (!in->ReadU8(&exponent) || exponent > kMaxDecimalExponent) {
    return Corrupt("bad decimal exponent");
  }
  LAKE_ASSIGN_OR_RETURN(IntSequenceReader reader,
                        IntSequenceReader::OpenNested(in, rows, -kMaxDecimalDigits,
                                                      kMaxDecimalDigits, "decimal digits"));
  const double scale = kDecimalScale[exponent];
  return FixedPieces(LogicalType::kDouble, validity, rows, piece_rows,
                     [&](size_t, size_t count, uint8_t* out) {
                       auto* digits = reinterpret_cast<int64_t*>(out);
                       if (!reader.Next(count, digits)) return false;
                       for (size_t i = 0; i < count; ++i) {
                         const double value = static_cast<double>(digits[i]) / scale;
                         std::memcpy(out + i * sizeof(double), &value, sizeof value);
                       }
                       return true;
                     });
}

bool BitAt(const std::vector<uint64_t>& words, size_t i) { return (words[i / 64] >> (i % 64)) & 1; }

// String pieces: `lengths(count, valid, out)` gives the next `count` rows' byte lengths (rows
// whose bit in `valid` is clear must get zero), `copy(count, offsets, chars)` their bytes, and
// `finish(piece)` completes each piece.
template <class Lengths, class Copy, class Finish>
Result<ColumnPieces> StringPieces(const std::vector<uint64_t>& validity, size_t rows,
                                  size_t piece_rows, uint64_t max_chars, Lengths lengths,
                                  Copy copy, Finish finish) {
  ColumnPieces pieces;
  pieces.reserve((rows + piece_rows - 1) / piece_rows);
  std::vector<uint32_t> row_lengths;
  uint64_t chars_left = max_chars;
  for (size_t start = 0; start < rows; start += piece_rows) {
    const size_t count = std::min(piece_rows, rows - start);
    std::vector<uint64_t> valid = PieceValidity(validity, start, count);
    row_lengths.resize(count);
    LAKE_RETURN_IF_ERROR(lengths(count, valid, row_lengths.data()));
    std::vector<uint32_t> offsets(count + 1);
    uint64_t total = 0;
    for (size_t i = 0; i < count; ++i) {
      if (row_lengths[i] != 0 && !BitAt(valid, i)) return Corrupt("a NULL string with bytes");
      total += row_lengths[i];
      if (total > chars_left) return Corrupt("string lengths past the string data");
      offsets[i + 1] = static_cast<uint32_t>(total);
    }
    chars_left -= total;
    std::string chars(total, '\0');
    LAKE_RETURN_IF_ERROR(copy(count, offsets.data(), chars.data()));
    pieces.push_back(Vector::FromBuffers(LogicalType::kVarchar, count, std::move(valid), {},
                                         std::move(offsets), std::move(chars)));
    finish(&pieces.back());
  }
  return pieces;
}

Result<ColumnPieces> DecodePlainStrings(ByteReader* in, const std::vector<uint64_t>& validity,
                                        size_t rows, size_t piece_rows) {
  LAKE_ASSIGN_OR_RETURN(IntSequenceReader reader,
                        IntSequenceReader::OpenNested(in, rows, 0, UINT32_MAX, "string lengths"));
  ByteView data;
  in->Take(in->remaining(), &data);
  size_t at = 0;
  LAKE_ASSIGN_OR_RETURN(
      ColumnPieces pieces,
      StringPieces(
          validity, rows, piece_rows, data.size(),
          [&](size_t count, const std::vector<uint64_t>&, uint32_t* out) {
            return reader.Next(count, out) ? Status::OK() : Corrupt("string length out of range");
          },
          [&](size_t count, const uint32_t* offsets, char* chars) {
            std::memcpy(chars, data.data() + at, offsets[count]);
            if (!IsValidUtf8(std::string_view(chars, offsets[count]))) {
              return Corrupt("string data is not UTF-8");
            }
            at += offsets[count];
            return Status::OK();
          },
          [](Vector*) {}));
  if (at != data.size()) return Corrupt("string data longer than its strings");
  return pieces;
}

// The dictionary entries: K, their lengths, their bytes (each UTF-8, strictly ascending).
Result<Vector> ReadDictionary(ByteReader* in, size_t rows) {
  uint64_t entries;
  if (!in->ReadUvarint(&entries) || entries > rows) return Corrupt("bad dictionary size");
  LAKE_ASSIGN_OR_RETURN(
      IntSequenceReader reader,
      IntSequenceReader::OpenNested(in, entries, 0, UINT32_MAX, "dictionary entry lengths"));
  std::vector<uint32_t> lengths(entries);
  if (!reader.Next(entries, lengths.data())) return Corrupt("bad dictionary entry length");
  Vector dictionary(LogicalType::kVarchar);
  dictionary.Reserve(entries);
  for (uint32_t length : lengths) {
    ByteView bytes;
    if (!in->Take(length, &bytes)) return Corrupt("truncated dictionary");
    const std::string_view entry = AsChars(bytes);
    if (!IsValidUtf8(entry)) return Corrupt("dictionary entry is not UTF-8");
    if (dictionary.size() > 0 && !(dictionary.GetString(dictionary.size() - 1) < entry)) {
      return Corrupt("dictionary entries not distinct and ascending");
    }
    dictionary.AppendString(entry);
  }
  return dictionary;
}

Result<ColumnPieces> DecodeDictionary(ByteReader* in, const std::vector<uint64_t>& validity,
                                      size_t rows, size_t piece_rows) {
  LAKE_ASSIGN_OR_RETURN(const Vector dictionary, ReadDictionary(in, rows));
  const size_t entries = dictionary.size();
  const int64_t max_code = entries == 0 ? 0 : static_cast<int64_t>(entries) - 1;
  LAKE_ASSIGN_OR_RETURN(IntSequenceReader reader,
                        IntSequenceReader::OpenNested(in, rows, 0, max_code, "dictionary codes"));
  const uint32_t* entry_offsets = dictionary.offsets().data();
  const char* entry_chars = dictionary.chars().data();
  std::vector<uint32_t> codes;
  return StringPieces(
      validity, rows, piece_rows, kMaxDictionaryStringBytes,
      [&](size_t count, const std::vector<uint64_t>& valid, uint32_t* out) {
        codes.resize(count);
        if (!reader.Next(count, codes.data())) return Corrupt("dictionary code out of range");
        for (size_t i = 0; i < count; ++i) {
          if (!BitAt(valid, i)) {
            out[i] = 0;
          } else if (entries == 0) {
            return Corrupt("a non-NULL string in a column without dictionary entries");
          } else {
            out[i] = entry_offsets[codes[i] + 1] - entry_offsets[codes[i]];
          }
        }
        return Status::OK();
      },
      [&](size_t count, const uint32_t* offsets, char* chars) {
        for (size_t i = 0; i < count; ++i) {
          std::memcpy(chars + offsets[i], entry_chars + entry_offsets[codes[i]],
                      offsets[i + 1] - offsets[i]);
        }
        return Status::OK();
      },
      [&](Vector* piece) {
        if (entries == 0 || entries > kMaxPieceDictionary) return;
        auto coded = std::make_shared<StringDictionary>();
        coded->values = dictionary;
        coded->codes.assign(codes.begin(), codes.end());  // every code < entries <= 256
        piece->SetDictionary(std::move(coded));
      });
}

Result<ColumnPieces> DecodeBody(LogicalType type, ColumnEncoding encoding, ByteReader* in,
                                const std::vector<uint64_t>& validity, size_t rows,
                                size_t piece_rows) {
  const bool strings = type == LogicalType::kVarchar;
  const bool doubles = type == LogicalType::kDouble;
  switch (encoding) {
    case ColumnEncoding::kPlain:
      if (strings) return DecodePlainStrings(in, validity, rows, piece_rows);
      return DecodePlainFixed(type, in, validity, rows, piece_rows);
    case ColumnEncoding::kBitPacked:
      if (strings || doubles) break;
      return DecodeIntegers(type, IntCoding::kBitPacked, in, validity, rows, piece_rows);
    case ColumnEncoding::kRunLength:
      if (strings) break;
      return DecodeIntegers(type, IntCoding::kRunLength, in, validity, rows, piece_rows);
    case ColumnEncoding::kDictionary:
      if (!strings) break;
      return DecodeDictionary(in, validity, rows, piece_rows);
    case ColumnEncoding::kDecimal:
      if (!doubles) break;
      return DecodeDecimal(in, validity, rows, piece_rows);
  }
  return Corrupt("encoding " + std::to_string(static_cast<int>(encoding)) +
                 " does not apply to type " + std::string(TypeName(type)));
}

}  // namespace

Result<ColumnPieces> DecodeValues(LogicalType type, ColumnEncoding encoding, ByteView body,
                                  const std::vector<uint64_t>& validity, size_t rows,
                                  size_t piece_rows) {
  ByteReader in(body);
  LAKE_ASSIGN_OR_RETURN(ColumnPieces pieces,
                        DecodeBody(type, encoding, &in, validity, rows, piece_rows));
  if (in.remaining() != 0) return Corrupt("trailing bytes after the column values");
  return pieces;
}

}  // namespace lake::store
