#include "store/chunk_codec.h"

#include <msgpack.hpp>

#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "common/msgpack_util.h"
#include "store/body_compression.h"
#include "store/column_encoding.h"

namespace lake::store {
namespace {

void PackColumn(msgpack::packer<msgpack::sbuffer>& pk, const Column& column, const Vector& v) {
  const EncodedValues values = EncodeValues(v);
  const std::optional<Bytes> compressed = CompressBody(values.body);
  pk.pack_map(compressed ? 7 : 6);
  pk.pack("name");
  pk.pack(column.name);
  pk.pack("type");
  pk.pack(static_cast<uint8_t>(column.type));
  pk.pack("rows");
  pk.pack(static_cast<uint64_t>(v.size()));
  pk.pack("valid");
  if (v.null_count() == 0) {
    pk.pack_nil();
  } else {
    PackBin(pk, v.validity_words().data(), (v.size() + 7) / 8);
  }
  pk.pack("enc");
  pk.pack(static_cast<uint8_t>(values.encoding));
  if (compressed) {
    pk.pack("lz4");
    pk.pack(static_cast<uint64_t>(values.body.size()));
  }
  pk.pack("body");
  const Bytes& body = compressed ? *compressed : values.body;
  PackBin(pk, body.data(), body.size());
}

Status Corrupt(std::string_view what) { return Status::Corruption("chunk: " + std::string(what)); }

Status UnsupportedVersion(uint64_t version) {
  return Corrupt("unsupported chunk format version " + std::to_string(version) +
                 " (this build reads version " + std::to_string(kChunkFormatVersion) +
                 "; import the data again)");
}

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
  if (values[0] != kChunkFormatVersion) return UnsupportedVersion(values[0]);
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

// The validity bitmap of a column of `rows` rows: ceil(rows/64) words, bits past `rows` clear.
Result<std::vector<uint64_t>> ReadValidity(const msgpack::object& col, uint64_t rows) {
  std::vector<uint64_t> validity((rows + 63) / 64, ~uint64_t{0});
  if (rows % 64 != 0) validity.back() = (uint64_t{1} << (rows % 64)) - 1;
  const msgpack::object* valid_obj = FindField(col, "valid");
  if (valid_obj == nullptr) return Corrupt("column without validity");
  if (valid_obj->type == msgpack::type::NIL) return validity;
  ByteView bits;
  if (!ReadBin(*valid_obj, &bits) || bits.size() != (rows + 7) / 8) {
    return Corrupt("validity bitmap of the wrong size");
  }
  std::memcpy(validity.data(), bits.data(), bits.size());
  if (rows % 64 != 0) validity.back() &= (uint64_t{1} << (rows % 64)) - 1;
  return validity;
}

// One column's map, as every decoder reads it.
Result<DecodedPieces> DecodeColumn(const msgpack::object& col, uint64_t rows, size_t piece_rows) {
  LAKE_ASSIGN_OR_RETURN(Column column, ReadColumnHeader(col));
  // A part read against another chunk's header must not decode: not every body's size tells.
  uint64_t column_rows;
  const msgpack::object* rows_obj = FindField(col, "rows");
  if (rows_obj == nullptr || !ReadUint(*rows_obj, &column_rows) || column_rows != rows) {
    return Corrupt("column row count differs from the chunk's");
  }
  LAKE_ASSIGN_OR_RETURN(const std::vector<uint64_t> validity, ReadValidity(col, rows));
  uint64_t encoding;
  ByteView body;
  const msgpack::object* enc_obj = FindField(col, "enc");
  const msgpack::object* body_obj = FindField(col, "body");
  if (enc_obj == nullptr || !ReadUint(*enc_obj, &encoding) || encoding > UINT8_MAX ||
      body_obj == nullptr || !ReadBin(*body_obj, &body)) {
    return Corrupt("column without encoding or body");
  }
  Bytes decompressed;
  if (const msgpack::object* lz4_obj = FindField(col, "lz4")) {
    uint64_t raw_size;
    if (!ReadUint(*lz4_obj, &raw_size)) return Corrupt("bad compressed size");
    LAKE_ASSIGN_OR_RETURN(decompressed, DecompressBody(body, raw_size));
    body = decompressed;
  }
  LAKE_ASSIGN_OR_RETURN(
      ColumnPieces pieces,
      DecodeValues(column.type, static_cast<ColumnEncoding>(encoding), body, validity,
                   static_cast<size_t>(rows), piece_rows));
  return DecodedPieces{std::move(column), std::move(pieces)};
}

// A column decoded in one piece (kWholeColumn), as its vector.
Vector WholeVector(DecodedPieces& decoded) {
  return decoded.pieces.empty() ? Vector(decoded.column.type) : std::move(decoded.pieces[0]);
}

// Shared by the whole-chunk decoders: `column_indexes` null means all columns.
Result<std::vector<DecodedPieces>> Decode(ByteView encoded,
                                          const std::vector<size_t>* column_indexes,
                                          size_t piece_rows) {
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
  if (version != kChunkFormatVersion) return UnsupportedVersion(version);
  if (rows > kMaxChunkRows) return Corrupt("too many rows");
  const msgpack::object_array& cols = cols_obj->via.array;

  std::vector<size_t> all;
  if (column_indexes == nullptr) {
    for (size_t i = 0; i < cols.size; ++i) all.push_back(i);
    column_indexes = &all;
  }
  std::vector<DecodedPieces> columns;
  for (size_t index : *column_indexes) {
    if (index >= cols.size) return Corrupt("column index out of range");
    LAKE_ASSIGN_OR_RETURN(DecodedPieces decoded, DecodeColumn(cols.ptr[index], rows, piece_rows));
    columns.push_back(std::move(decoded));
  }
  return columns;
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

RowGroup WholeColumnsToRowGroup(std::vector<DecodedPieces> columns) {
  RowGroup group;
  for (DecodedPieces& c : columns) {
    group.columns.push_back(WholeVector(c));
    group.schema.push_back(std::move(c.column));
  }
  return group;
}

Result<RowGroup> DecodeChunk(ByteView encoded) {
  LAKE_ASSIGN_OR_RETURN(std::vector<DecodedPieces> columns,
                        Decode(encoded, nullptr, kWholeColumn));
  return WholeColumnsToRowGroup(std::move(columns));
}

Result<RowGroup> DecodeChunkColumns(ByteView encoded, const std::vector<size_t>& column_indexes) {
  LAKE_ASSIGN_OR_RETURN(std::vector<DecodedPieces> columns,
                        Decode(encoded, &column_indexes, kWholeColumn));
  return WholeColumnsToRowGroup(std::move(columns));
}

Result<std::vector<DecodedPieces>> DecodeChunkColumnPieces(
    ByteView encoded, const std::vector<size_t>& column_indexes, size_t piece_rows) {
  return Decode(encoded, &column_indexes, piece_rows);
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

Result<DecodedPieces> DecodeColumnPartPieces(ByteView part, uint64_t rows, size_t piece_rows) {
  if (rows > kMaxChunkRows) return Corrupt("too many rows");
  msgpack::object_handle handle;
  LAKE_RETURN_IF_ERROR(UnpackUntrusted(part, &handle));
  return DecodeColumn(handle.get(), rows, piece_rows);
}

Result<DecodedColumn> DecodeColumnPart(ByteView part, uint64_t rows) {
  LAKE_ASSIGN_OR_RETURN(DecodedPieces decoded, DecodeColumnPartPieces(part, rows, kWholeColumn));
  Vector vector = WholeVector(decoded);
  return DecodedColumn{std::move(decoded.column), std::move(vector)};
}

}  // namespace lake::store
