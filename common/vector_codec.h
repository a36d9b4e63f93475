// A Vector's buffers in msgpack, for the partial results that query fragments return
// (sql/fragment_codec.h):
//   "valid": bin ceil(rows/8) LSB-first bitmap | nil (no NULLs)
//   "data":  bin (fixed width: rows values little-endian; VARCHAR: the concatenated UTF-8)
//   "offs":  bin (VARCHAR only: rows+1 uint32 LE offsets)
// PackVectorBuffers writes these key/value pairs into a map the caller opens (with
// VectorBufferFields(v) of its entries); ReadVectorBuffers reads them back from untrusted bytes,
// validating every size, offset, boolean and UTF-8 sequence. PackVector/UnpackVector frame a
// standalone Vector as the map {"type", "rows", <buffers>}.
// Thread-safety: pure functions.
#pragma once

#include <msgpack.hpp>

#include <cstddef>

#include "common/logical_type.h"
#include "common/result.h"
#include "common/vector.h"

namespace lake {

// How many key/value pairs PackVectorBuffers writes for `v` (2, or 3 for VARCHAR).
size_t VectorBufferFields(const Vector& v);
void PackVectorBuffers(msgpack::packer<msgpack::sbuffer>& pk, const Vector& v);
// Corruption (naming `what`) unless `map` holds valid buffers for `rows` values of `type`.
Result<Vector> ReadVectorBuffers(const msgpack::object& map, LogicalType type, size_t rows,
                                 std::string_view what);

void PackVector(msgpack::packer<msgpack::sbuffer>& pk, const Vector& v);
// Corruption if malformed or longer than `max_rows`.
Result<Vector> UnpackVector(const msgpack::object& object, size_t max_rows);

}  // namespace lake
