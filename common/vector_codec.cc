#include "common/vector_codec.h"

#include <bit>
#include <cstring>
#include <string>

#include "common/msgpack_util.h"
#include "common/utf8.h"

namespace lake {

static_assert(std::endian::native == std::endian::little,
              "vector buffers are little-endian; add byte swapping for big-endian hosts");

size_t VectorBufferFields(const Vector& v) { return v.type() == LogicalType::kVarchar ? 3 : 2; }

void PackVectorBuffers(msgpack::packer<msgpack::sbuffer>& pk, const Vector& v) {
  pk.pack("valid");
  if (v.null_count() == 0) {
    pk.pack_nil();
  } else {
    PackBin(pk, v.validity_words().data(), (v.size() + 7) / 8);
  }
  pk.pack("data");
  if (v.type() == LogicalType::kVarchar) {
    PackBin(pk, v.chars().data(), v.chars().size());
    pk.pack("offs");
    PackBin(pk, v.offsets().data(), v.offsets().size() * sizeof(uint32_t));
  } else {
    PackBin(pk, v.fixed_bytes().data(), v.fixed_bytes().size());
  }
}

Result<Vector> ReadVectorBuffers(const msgpack::object& map, LogicalType type, size_t rows,
                                 std::string_view what) {
  const auto corrupt = [&](std::string_view problem) {
    return Status::Corruption(std::string(what) + ": " + std::string(problem));
  };
  std::vector<uint64_t> validity((rows + 63) / 64, ~uint64_t{0});
  const msgpack::object* valid_obj = FindField(map, "valid");
  if (valid_obj == nullptr) return corrupt("column without validity");
  if (valid_obj->type != msgpack::type::NIL) {
    ByteView bits;
    if (!ReadBin(*valid_obj, &bits) || bits.size() != (rows + 7) / 8) {
      return corrupt("validity bitmap of the wrong size");
    }
    std::memcpy(validity.data(), bits.data(), bits.size());
  }
  ByteView data;
  const msgpack::object* data_obj = FindField(map, "data");
  if (data_obj == nullptr || !ReadBin(*data_obj, &data)) return corrupt("column without data");

  if (type != LogicalType::kVarchar) {
    if (data.size() != rows * FixedWidth(type)) return corrupt("data buffer of the wrong size");
    if (type == LogicalType::kBoolean) {
      for (uint8_t b : data) {
        if (b > 1) return corrupt("boolean value other than 0 or 1");
      }
    }
    return Vector::FromBuffers(type, rows, std::move(validity), Bytes(data.begin(), data.end()), {},
                               {});
  }
  ByteView offs_bytes;
  const msgpack::object* offs_obj = FindField(map, "offs");
  if (offs_obj == nullptr || !ReadBin(*offs_obj, &offs_bytes) ||
      offs_bytes.size() != (rows + 1) * sizeof(uint32_t)) {
    return corrupt("string offsets of the wrong size");
  }
  std::vector<uint32_t> offsets(rows + 1);
  std::memcpy(offsets.data(), offs_bytes.data(), offs_bytes.size());
  if (offsets[0] != 0 || offsets[rows] != data.size()) {
    return corrupt("string offsets out of range");
  }
  for (size_t i = 0; i < rows; ++i) {
    if (offsets[i] > offsets[i + 1]) return corrupt("string offsets not ascending");
  }
  std::string chars(AsChars(data));
  if (!IsValidUtf8(chars)) return corrupt("string data is not UTF-8");
  return Vector::FromBuffers(type, rows, std::move(validity), {}, std::move(offsets),
                             std::move(chars));
}

void PackVector(msgpack::packer<msgpack::sbuffer>& pk, const Vector& v) {
  pk.pack_map(static_cast<uint32_t>(2 + VectorBufferFields(v)));
  pk.pack("type");
  pk.pack(static_cast<uint8_t>(v.type()));
  pk.pack("rows");
  pk.pack(static_cast<uint64_t>(v.size()));
  PackVectorBuffers(pk, v);
}

Result<Vector> UnpackVector(const msgpack::object& object, size_t max_rows) {
  uint64_t code, rows;
  const msgpack::object* type_obj = FindField(object, "type");
  const msgpack::object* rows_obj = FindField(object, "rows");
  if (type_obj == nullptr || !ReadUint(*type_obj, &code) || rows_obj == nullptr ||
      !ReadUint(*rows_obj, &rows)) {
    return Status::Corruption("vector: missing type or rows");
  }
  const auto type = TypeFromCode(code);
  if (!type) return Status::Corruption("vector: unknown type " + std::to_string(code));
  if (rows > max_rows) return Status::Corruption("vector: too many rows");
  return ReadVectorBuffers(object, *type, rows, "vector");
}

}  // namespace lake
