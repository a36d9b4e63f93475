// The chunk format: one row group, stored column by column in msgpack, named by the BLAKE2b-256
// of its bytes (so equal data always gets the same id, and any reader can verify what it got).
//
//   {"v": 1, "rows": N, "cols": [{"name": str, "type": LogicalType code,
//                                 "valid": bin ceil(N/8) LSB-first bitmap | nil (no NULLs),
//                                 "data": bin (fixed width: N values little-endian;
//                                              VARCHAR: the concatenated UTF-8 bytes),
//                                 "offs": bin (VARCHAR only: N+1 uint32 LE offsets)}, ...]}
//
// Encoding is deterministic: the same RowGroup always gives the same bytes. Decoding treats the
// bytes as untrusted and returns Corruption for anything malformed, never crashing.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <vector>

#include "common/bytes.h"
#include "common/id.h"
#include "common/logical_type.h"
#include "common/result.h"
#include "common/vector.h"

namespace lake::store {

inline constexpr uint64_t kChunkFormatVersion = 1;
inline constexpr uint64_t kMaxChunkRows = 1 << 24;

// A chunk's content: one Vector per schema column, all of the same length.
struct RowGroup {
  Schema schema;
  std::vector<Vector> columns;
  size_t rows() const { return columns.empty() ? 0 : columns[0].size(); }
};

Bytes EncodeChunk(const RowGroup& group);
inline ChunkId ChunkIdOf(ByteView encoded);

// Decodes every column.
Result<RowGroup> DecodeChunk(ByteView encoded);
// Decodes only the columns at `column_indexes` (in that order); the result's schema is likewise
// projected. Skipped columns cost no copying. Corruption if an index is out of range.
Result<RowGroup> DecodeChunkColumns(ByteView encoded, const std::vector<size_t>& column_indexes);

// Column parts: a chunk cut at its column boundaries, so that a store can keep each column apart
// and read only some of them. The encoded bytes are exactly prefix ++ columns[0] ++ columns[1]
// ++ ...: the prefix is the header ({"v": 1, "rows": N, "cols": and the array's header), each
// column part one column's msgpack map. Views point into the bytes that were split.
struct ChunkParts {
  ByteView prefix;
  std::vector<ByteView> columns;
};

// Cuts `encoded` into its parts. Checks the header as DecodeChunkPrefix does and that each part
// is one well-formed msgpack value, but not what the columns hold (DecodeColumnPart does).
// Corruption unless the bytes have EncodeChunk's layout: a 3-field map with "v", "rows", "cols"
// in that order, and nothing after the last column. A chunk DecodeChunk accepts may still fail
// here (its fields in another order, say); keep such bytes whole.
Result<ChunkParts> SplitChunkColumns(ByteView encoded);

// What a chunk's prefix says.
struct ChunkHeader {
  uint64_t rows = 0;
  size_t columns = 0;
};
// Reads a prefix as SplitChunkColumns cuts it; Corruption for anything else (a header of an
// unsupported version or over kMaxChunkRows included).
Result<ChunkHeader> DecodeChunkPrefix(ByteView prefix);

struct DecodedColumn {
  Column column;
  Vector vector;
};
// Decodes one column part (as SplitChunkColumns cuts it) of a chunk of `rows` rows, with the
// same checks as DecodeChunk applies to each column.
Result<DecodedColumn> DecodeColumnPart(ByteView part, uint64_t rows);

}  // namespace lake::store

#include "common/hash.h"

inline lake::ChunkId lake::store::ChunkIdOf(ByteView encoded) { return Blake2b256(encoded); }
