// General-purpose compression on top of a column's encoding (chunk_codec.h): LZ4's block format,
// kept only where it saves at least an eighth of the body, so that reading pays for
// decompression only where the bytes shrank. Encoded bytes must stay the same for the same
// input: LZ4's block compressor is deterministic for a given input and library version.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>

#include "common/bytes.h"
#include "common/result.h"

namespace lake::store {

// LZ4 of `body` if that is at most 7/8 of its size, else nullopt (the body stays as it is).
std::optional<Bytes> CompressBody(ByteView body);
// The body `compressed` holds; Corruption unless it decompresses to exactly `raw_size` bytes.
Result<Bytes> DecompressBody(ByteView compressed, uint64_t raw_size);

}  // namespace lake::store
