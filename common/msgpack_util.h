// Safe msgpack reading for untrusted bytes: bounded unpacking that never throws past this file,
// and typed field accessors that report a mismatch instead of throwing msgpack::type_error.
// Objects produced by UnpackUntrusted reference the input bytes for str/bin payloads (no copy):
// the input must outlive the object handle.
// Thread-safety: pure functions.
#pragma once

#include <msgpack.hpp>

#include <cstdint>
#include <string_view>

#include "common/bytes.h"
#include "common/id.h"
#include "common/result.h"

namespace lake {

struct UnpackLimits {
  size_t max_array = 1 << 20;
  size_t max_map = 1 << 16;
  size_t max_str = 64u << 20;
  size_t max_bin = 512u << 20;
  size_t max_depth = 16;
  // Values in all (every scalar, array and map counts one). Set, a first pass over the bytes
  // counts them without building anything, so a frame of many tiny values (each one byte on the
  // wire, a 24-byte object once unpacked, plus its zone) is refused before any allocation.
  size_t max_objects = SIZE_MAX;
};

// Parses exactly one msgpack value spanning all of `bytes`; Corruption if malformed, truncated,
// followed by trailing bytes, or over a limit.
Status UnpackUntrusted(ByteView bytes, msgpack::object_handle* out,
                       const UnpackLimits& limits = UnpackLimits());
// The same for one value inside a larger buffer: parses the value that starts at `*offset` of
// `bytes` and moves `*offset` past it.
Status UnpackUntrustedAt(ByteView bytes, size_t* offset, msgpack::object_handle* out,
                         const UnpackLimits& limits = UnpackLimits());

// Field of a msgpack map with a string key; nullptr if `map` is not a map or lacks the key.
const msgpack::object* FindField(const msgpack::object& map, std::string_view key);

// Typed reads: false when the object has another type (or a negative value for an unsigned).
bool ReadUint(const msgpack::object& o, uint64_t* out);
bool ReadInt(const msgpack::object& o, int64_t* out);
bool ReadDouble(const msgpack::object& o, double* out);  // integers too (see .cc)
bool ReadBool(const msgpack::object& o, bool* out);
bool ReadStr(const msgpack::object& o, std::string_view* out);
bool ReadBin(const msgpack::object& o, ByteView* out);

// An Id on the wire: a 32-byte bin.
void PackId(msgpack::packer<msgpack::sbuffer>& pk, const Id& id);
// False unless `o` is a 32-byte bin.
bool ReadId(const msgpack::object& o, Id* out);
// ReadId of the field `key` of map `map`; false if absent.
bool ReadIdField(const msgpack::object& map, std::string_view key, Id* out);

// Packs `size` bytes at `data` as one msgpack bin.
inline void PackBin(msgpack::packer<msgpack::sbuffer>& pk, const void* data, size_t size) {
  pk.pack_bin(static_cast<uint32_t>(size));
  pk.pack_bin_body(static_cast<const char*>(data), static_cast<uint32_t>(size));
}

// What a packer wrote, as bytes.
inline Bytes BufferBytes(const msgpack::sbuffer& buffer) {
  return Bytes(buffer.data(), buffer.data() + buffer.size());
}

// Packs `value` into a fresh byte buffer.
template <class T>
Bytes PackToBytes(const T& value) {
  msgpack::sbuffer buffer;
  msgpack::pack(buffer, value);
  return BufferBytes(buffer);
}

}  // namespace lake
