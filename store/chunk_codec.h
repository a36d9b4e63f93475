// The chunk format: one row group, stored column by column, named by the BLAKE2b-256 of its
// bytes (so equal data always gets the same id, and any reader can verify what it got).
//
//   {"v": 2, "rows": N, "cols": [{"name": str, "type": LogicalType code, "rows": N,
//                                 "valid": bin ceil(N/8) LSB-first bitmap | nil (no NULLs),
//                                 "enc": ColumnEncoding code,
//                                 "lz4": uint (only when the body is LZ4-compressed: its size
//                                        before compression),
//                                 "body": bin (the values in that encoding)}, ...]}
//
// Each column's encoding is chosen from its values when the chunk is encoded (column_encoding.h
// lays out the bodies); LZ4 goes on top of a body only where it saves an eighth or more
// (body_compression.h). Version 1 chunks (plain buffers in msgpack) are refused as Corruption
// ("unsupported chunk format version 1"): data imported by an older build is imported again.
// Encoding is deterministic: the same RowGroup always gives the same bytes. Decoding treats the
// bytes as untrusted and returns Corruption for anything malformed, never crashing. Decoders can
// cut columns straight into the pieces scans read, with dictionaries attached (DecodedPieces).
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <vector>

#include "common/batch.h"
#include "common/bytes.h"
#include "common/id.h"
#include "common/logical_type.h"
#include "common/result.h"
#include "common/vector.h"

namespace lake::store {

inline constexpr uint64_t kChunkFormatVersion = 2;
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

// One decoded column cut into pieces of at most `piece_rows` rows (none for zero rows).
struct DecodedPieces {
  Column column;
  ColumnPieces pieces;
};
// Pieces of `piece_rows` rows for "the whole column in one piece".
inline constexpr size_t kWholeColumn = kMaxChunkRows;
// Columns decoded with piece_rows kWholeColumn (each in at most one piece), as a RowGroup.
RowGroup WholeColumnsToRowGroup(std::vector<DecodedPieces> columns);
// Decodes only the columns at `column_indexes` (in that order); the result's schema is likewise
// projected. Skipped columns cost no copying. Corruption if an index is out of range.
Result<RowGroup> DecodeChunkColumns(ByteView encoded, const std::vector<size_t>& column_indexes);
// The same, each column in pieces of `piece_rows` rows. REQUIRES: piece_rows a positive
// multiple of 64.
Result<std::vector<DecodedPieces>> DecodeChunkColumnPieces(
    ByteView encoded, const std::vector<size_t>& column_indexes, size_t piece_rows);

// Column parts: a chunk cut at its column boundaries, so that a store can keep each column apart
// and read only some of them. The encoded bytes are exactly prefix ++ columns[0] ++ columns[1]
// ++ ...: the prefix is the header ({"v": 2, "rows": N, "cols": and the array's header), each
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
// The same, in pieces of `piece_rows` rows. REQUIRES: piece_rows a positive multiple of 64.
Result<DecodedPieces> DecodeColumnPartPieces(ByteView part, uint64_t rows, size_t piece_rows);

}  // namespace lake::store

#include "common/hash.h"

inline lake::ChunkId lake::store::ChunkIdOf(ByteView encoded) { return Blake2b256(encoded); }
