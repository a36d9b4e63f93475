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

}  // namespace lake::store

#include "common/hash.h"

inline lake::ChunkId lake::store::ChunkIdOf(ByteView encoded) { return Blake2b256(encoded); }
