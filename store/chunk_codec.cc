#include "store/chunk_codec.h"

#include <msgpack.hpp>

#include <string>
#include <string_view>

#include "common/msgpack_util.h"
#include "common/vector_codec.h"

namespace lake::store {
namespace {

void PackColumn(msgpack::packer<msgpack::sbuffer>& pk, const Column& column, const Vector& v) {
  pk.pack_map(static_cast<uint32_t>(2 + VectorBufferFields(v)));
  pk.pack("name");
  pk.pack(column.name);
  pk.pack("type");
  pk.pack(static_cast<uint8_t>(column.type));
  PackVectorBuffers(pk, v);
}

Status Corrupt(std::string_view what) { return Status::Corruption("chunk: " + std::string(what)); }

// Reads the header at the start of `bytes` as EncodeChunk writes it: a map of 3 fields, "v",
// "rows" and last "cols", up to and including the header of the "cols" array. Sets `*size` to
// the header's length in bytes.
Result<ChunkHeader> ReadHeader(ByteView bytes, size_t* size) {
  constexpr uint8_t kFixMap3 = 0x83;
  if (bytes.empty() || bytes[0] != kFixMap3) return Corrupt("header is not a map of 3 fields");
  size_t offset = 1;
  uint64_t values[2] = {0, 0};  // "v", "rows"
  constexpr std::string_view kKeys[] = {"v", "rows", "cols"};
  for (size_t i = 0; i < 3; ++i) {
    msgpack::object_handle key;
    LAKE_RETURN_IF_ERROR(UnpackUntrustedAt(bytes, &offset, &key));
    std::string_view name;
    if (!ReadStr(key.get(), &name) || name != kKeys[i]) {
      return Corrupt("header fields are not v, rows, cols");
    }
    if (i == 2) break;
    msgpack::object_handle value;
    LAKE_RETURN_IF_ERROR(UnpackUntrustedAt(bytes, &offset, &value));
    if (!ReadUint(value.get(), &values[i])) return Corrupt("missing header fields");
  }
  if (values[0] != kChunkFormatVersion) {
    return Corrupt("unsupported format version " + std::to_string(values[0]));
  }
  if (values[1] > kMaxChunkRows) return Corrupt("too many rows");

  // The array header: fixarray, array 16 or array 32 (big-endian length).
  if (offset >= bytes.size()) return Corrupt("truncated header");
  const uint8_t tag = bytes[offset];
  size_t length = 1;
  uint64_t columns = 0;
  if ((tag & 0xf0) == 0x90) {
    columns = tag & 0x0f;
  } else if (tag == 0xdc || tag == 0xdd) {
    length = tag == 0xdc ? 3 : 5;
    if (bytes.size() - offset < length) return Corrupt("truncated header");
    for (size_t i = 1; i < length; ++i) columns = columns << 8 | bytes[offset + i];
  } else {
    return Corrupt("cols is not an array");
  }
  if (columns > UnpackLimits().max_array) return Corrupt("too many columns");
  *size = offset + length;
  return ChunkHeader{values[1], static_cast<size_t>(columns)};
}

Result<Column> ReadColumnHeader(const msgpack::object& col) {
  std::string_view name;
  uint64_t code;
  const msgpack::object* name_obj = FindField(col, "name");
  const msgpack::object* type_obj = FindField(col, "type");
  if (name_obj == nullptr || !ReadStr(*name_obj, &name) || type_obj == nullptr ||
      !ReadUint(*type_obj, &code)) {
    return Corrupt("column without name or type");
  }
  const auto type = TypeFromCode(code);
  if (!type) return Corrupt("unknown column type " + std::to_string(code));
  return Column{std::string(name), *type};
}

// One column's map, as every decoder reads it.
Result<DecodedColumn> DecodeColumn(const msgpack::object& col, uint64_t rows) {
  LAKE_ASSIGN_OR_RETURN(Column column, ReadColumnHeader(col));
  LAKE_ASSIGN_OR_RETURN(Vector vector, ReadVectorBuffers(col, column.type, rows, "chunk"));
  return DecodedColumn{std::move(column), std::move(vector)};
}

// Shared by both whole-chunk decoders: `column_indexes` null means all columns.
Result<RowGroup> Decode(ByteView encoded, const std::vector<size_t>* column_indexes) {
  msgpack::object_handle handle;
  LAKE_RETURN_IF_ERROR(UnpackUntrusted(encoded, &handle));
  const msgpack::object& root = handle.get();
  uint64_t version, rows;
  const msgpack::object* version_obj = FindField(root, "v");
  const msgpack::object* rows_obj = FindField(root, "rows");
  const msgpack::object* cols_obj = FindField(root, "cols");
  if (version_obj == nullptr || !ReadUint(*version_obj, &version) || rows_obj == nullptr ||
      !ReadUint(*rows_obj, &rows) || cols_obj == nullptr ||
      cols_obj->type != msgpack::type::ARRAY) {
    return Corrupt("missing header fields");
  }
  if (version != kChunkFormatVersion) {
    return Corrupt("unsupported format version " + std::to_string(version));
  }
  if (rows > kMaxChunkRows) return Corrupt("too many rows");
  const msgpack::object_array& cols = cols_obj->via.array;

  std::vector<size_t> all;
  if (column_indexes == nullptr) {
    for (size_t i = 0; i < cols.size; ++i) all.push_back(i);
    column_indexes = &all;
  }
  RowGroup group;
  for (size_t index : *column_indexes) {
    if (index >= cols.size) return Corrupt("column index out of range");
    LAKE_ASSIGN_OR_RETURN(DecodedColumn decoded, DecodeColumn(cols.ptr[index], rows));
    group.schema.push_back(std::move(decoded.column));
    group.columns.push_back(std::move(decoded.vector));
  }
  return group;
}

}  // namespace

Bytes EncodeChunk(const RowGroup& group) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_map(3);
  pk.pack("v");
  pk.pack(kChunkFormatVersion);
  pk.pack("rows");
  pk.pack(static_cast<uint64_t>(group.rows()));
  pk.pack("cols");
  pk.pack_array(static_cast<uint32_t>(group.schema.size()));
  for (size_t i = 0; i < group.schema.size(); ++i)
    PackColumn(pk, group.schema[i], group.columns[i]);
  return BufferBytes(buffer);
}

Result<RowGroup> DecodeChunk(ByteView encoded) { return Decode(encoded, nullptr); }

Result<RowGroup> DecodeChunkColumns(ByteView encoded, const std::vector<size_t>& column_indexes) {
  return Decode(encoded, &column_indexes);
}

Result<ChunkParts> SplitChunkColumns(ByteView encoded) {
  size_t offset = 0;
  LAKE_ASSIGN_OR_RETURN(const ChunkHeader header, ReadHeader(encoded, &offset));
  // Every column takes at least one byte: bounds the reservation below.
  if (header.columns > encoded.size() - offset) return Corrupt("more columns than bytes");
  ChunkParts parts;
  parts.prefix = encoded.first(offset);
  parts.columns.reserve(header.columns);
  for (size_t i = 0; i < header.columns; ++i) {
    const size_t start = offset;
    msgpack::object_handle column;
    LAKE_RETURN_IF_ERROR(UnpackUntrustedAt(encoded, &offset, &column));
    if (column.get().type != msgpack::type::MAP) return Corrupt("column is not a map");
    parts.columns.push_back(encoded.subspan(start, offset - start));
  }
  if (offset != encoded.size()) return Corrupt("trailing bytes after the last column");
  return parts;
}

Result<ChunkHeader> DecodeChunkPrefix(ByteView prefix) {
  size_t size = 0;
  LAKE_ASSIGN_OR_RETURN(const ChunkHeader header, ReadHeader(prefix, &size));
  if (size != prefix.size()) return Corrupt("trailing bytes after the header");
  return header;
}

Result<DecodedColumn> DecodeColumnPart(ByteView part, uint64_t rows) {
  if (rows > kMaxChunkRows) return Corrupt("too many rows");
  msgpack::object_handle handle;
  LAKE_RETURN_IF_ERROR(UnpackUntrusted(part, &handle));
  return DecodeColumn(handle.get(), rows);
}

}  // namespace lake::store
