// Column encodings of the chunk format (chunk_codec.h): how one column's values are laid out in
// its "body", chosen at import from the data (the smallest candidate for the column's type, ties
// to the lower code; for DOUBLE, whose plain form decodes with one copy, another encoding only
// if it saves an eighth), and decoded straight into the kVectorSize-row pieces scans read.
// Bodies (integers little-endian; sequences as in int_sequence.h, "seq" a nested one):
//   plain       fixed width: rows values of the type's width. VARCHAR: seq of rows lengths, then
//               the concatenated UTF-8 bytes
//   bit-packed  BIGINT, TIMESTAMP, DATE, BOOLEAN: one bit-packed block of rows values
//   run-length  those types and DOUBLE (its IEEE bits): one run-length block of rows values
//   dictionary  VARCHAR: K uvarint, seq of K entry lengths, the entries' bytes (distinct, UTF-8,
//               in ascending byte order), then seq of rows codes (entry indexes)
//   decimal     DOUBLE: exponent e u8 (0..18), then seq of rows integers n (|n| <= 2^53), each
//               value being exactly n / 10^e
// A NULL row's slot holds the previous row's value (the first non-NULL value for leading NULLs)
// in bit-packed, run-length, dictionary and decimal bodies, so it never widens a frame or
// breaks a run; in plain bodies it holds zero or the empty string. Decoders give NULL rows zero
// or the empty string whatever the body holds.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/batch.h"
#include "common/bytes.h"
#include "common/logical_type.h"
#include "common/result.h"
#include "common/vector.h"

namespace lake::store {

// Disk format: never renumber.
enum class ColumnEncoding : uint8_t {
  kPlain = 0,
  kBitPacked = 1,
  kRunLength = 2,
  kDictionary = 3,
  kDecimal = 4,
};

// Decimal bodies: value = n / kDecimalScale[e], for e <= kMaxDecimalExponent and |n| <=
// kMaxDecimalDigits (every such integer is exactly a double).
inline constexpr int kMaxDecimalExponent = 18;
inline constexpr int64_t kMaxDecimalDigits = int64_t{1} << 53;
inline constexpr double kDecimalScale[kMaxDecimalExponent + 1] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18};

// Dictionaries of at most this many entries reach the engine with the decoded pieces
// (Vector::dictionary(), whose codes are one byte).
inline constexpr size_t kMaxPieceDictionary = 256;

struct EncodedValues {
  ColumnEncoding encoding = ColumnEncoding::kPlain;
  Bytes body;
};

// The values of `v` (validity aside) in the encoding that takes the fewest bytes.
EncodedValues EncodeValues(const Vector& v);
// The values of `v` in `encoding`, or nullopt where it cannot hold them (a type it does not
// apply to; decimal for a value that is not an exact decimal). For tests of every encoding.
std::optional<EncodedValues> EncodeValuesAs(const Vector& v, ColumnEncoding encoding);

// Decodes a body of `rows` values of `type` into pieces of `piece_rows` rows (the last may be
// shorter; none for zero rows), each with its slice of `validity` (a bitmap of ceil(rows/64)
// words, bits past `rows` clear). VARCHAR pieces of a dictionary of 1..kMaxPieceDictionary
// entries carry it as their StringDictionary (its values are the whole dictionary, ascending).
// Corruption for anything malformed. REQUIRES: piece_rows a positive multiple of 64.
Result<ColumnPieces> DecodeValues(LogicalType type, ColumnEncoding encoding, ByteView body,
                                  const std::vector<uint64_t>& validity, size_t rows,
                                  size_t piece_rows);

}  // namespace lake::store
