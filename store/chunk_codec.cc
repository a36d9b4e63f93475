#include "store/chunk_codec.h"

#include <msgpack.hpp>

#include <bit>
#include <cstring>

#include "common/msgpack_util.h"
#include "common/utf8.h"

namespace lake::store {
namespace {

static_assert(std::endian::native == std::endian::little,
              "chunk buffers are little-endian; add byte swapping for big-endian hosts");

void PackBin(msgpack::packer<msgpack::sbuffer>& pk, const void* data, size_t size) {
  pk.pack_bin(static_cast<uint32_t>(size));
  pk.pack_bin_body(static_cast<const char*>(data), static_cast<uint32_t>(size));
}

void PackColumn(msgpack::packer<msgpack::sbuffer>& pk, const Column& column, const Vector& v) {
  const bool varchar = column.type == LogicalType::kVarchar;
  pk.pack_map(varchar ? 5 : 4);
  pk.pack("name");
  pk.pack(column.name);
  pk.pack("type");
  pk.pack(static_cast<uint8_t>(column.type));
  pk.pack("valid");
  if (v.null_count() == 0) {
    pk.pack_nil();
  } else {
    PackBin(pk, v.validity_words().data(), (v.size() + 7) / 8);
  }
  pk.pack("data");
  if (varchar) {
    PackBin(pk, v.chars().data(), v.chars().size());
    pk.pack("offs");
    PackBin(pk, v.offsets().data(), v.offsets().size() * sizeof(uint32_t));
  } else {
    PackBin(pk, v.fixed_bytes().data(), v.fixed_bytes().size());
  }
}

Status Corrupt(std::string_view what) { return Status::Corruption("chunk: " + std::string(what)); }

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

Result<Vector> ReadColumnData(const msgpack::object& col, LogicalType type, size_t rows) {
  std::vector<uint64_t> validity((rows + 63) / 64, ~uint64_t{0});
  const msgpack::object* valid_obj = FindField(col, "valid");
  if (valid_obj == nullptr) return Corrupt("column without validity");
  if (valid_obj->type != msgpack::type::NIL) {
    ByteView bits;
    if (!ReadBin(*valid_obj, &bits) || bits.size() != (rows + 7) / 8) {
      return Corrupt("validity bitmap of the wrong size");
    }
    std::memcpy(validity.data(), bits.data(), bits.size());
  }
  ByteView data;
  const msgpack::object* data_obj = FindField(col, "data");
  if (data_obj == nullptr || !ReadBin(*data_obj, &data)) return Corrupt("column without data");

  if (type != LogicalType::kVarchar) {
    if (data.size() != rows * FixedWidth(type)) return Corrupt("data buffer of the wrong size");
    if (type == LogicalType::kBoolean) {
      for (uint8_t b : data) {
        if (b > 1) return Corrupt("boolean value other than 0 or 1");
      }
    }
    return Vector::FromBuffers(type, rows, std::move(validity), Bytes(data.begin(), data.end()), {},
                               {});
  }
  ByteView offs_bytes;
  const msgpack::object* offs_obj = FindField(col, "offs");
  if (offs_obj == nullptr || !ReadBin(*offs_obj, &offs_bytes) ||
      offs_bytes.size() != (rows + 1) * sizeof(uint32_t)) {
    return Corrupt("string offsets of the wrong size");
  }
  std::vector<uint32_t> offsets(rows + 1);
  std::memcpy(offsets.data(), offs_bytes.data(), offs_bytes.size());
  if (offsets[0] != 0 || offsets[rows] != data.size())
    return Corrupt("string offsets out of range");
  for (size_t i = 0; i < rows; ++i) {
    if (offsets[i] > offsets[i + 1]) return Corrupt("string offsets not ascending");
  }
  std::string chars(AsChars(data));
  if (!IsValidUtf8(chars)) return Corrupt("string data is not UTF-8");
  return Vector::FromBuffers(type, rows, std::move(validity), {}, std::move(offsets),
                             std::move(chars));
}

// Shared by both decoders: `column_indexes` null means all columns.
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
    LAKE_ASSIGN_OR_RETURN(Column column, ReadColumnHeader(cols.ptr[index]));
    LAKE_ASSIGN_OR_RETURN(Vector vector, ReadColumnData(cols.ptr[index], column.type, rows));
    group.schema.push_back(std::move(column));
    group.columns.push_back(std::move(vector));
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
  return Bytes(buffer.data(), buffer.data() + buffer.size());
}

Result<RowGroup> DecodeChunk(ByteView encoded) { return Decode(encoded, nullptr); }

Result<RowGroup> DecodeChunkColumns(ByteView encoded, const std::vector<size_t>& column_indexes) {
  return Decode(encoded, &column_indexes);
}

}  // namespace lake::store
