#include "store/manifest.h"

#include <msgpack.hpp>

#include "common/hash.h"
#include "common/msgpack_util.h"

namespace lake::store {
namespace {

Status Corrupt(std::string_view what) {
  return Status::Corruption("manifest: " + std::string(what));
}

bool ReadUintField(const msgpack::object& map, std::string_view key, uint64_t* out) {
  const msgpack::object* o = FindField(map, key);
  return o != nullptr && ReadUint(*o, out);
}

Result<Schema> ReadSchema(const msgpack::object* o) {
  if (o == nullptr || o->type != msgpack::type::ARRAY) return Corrupt("missing schema");
  Schema schema;
  for (uint32_t i = 0; i < o->via.array.size; ++i) {
    const msgpack::object& col = o->via.array.ptr[i];
    std::string_view name;
    uint64_t code;
    const msgpack::object* name_obj = FindField(col, "name");
    if (name_obj == nullptr || !ReadStr(*name_obj, &name) || !ReadUintField(col, "type", &code)) {
      return Corrupt("bad schema column");
    }
    auto type = TypeFromCode(code);
    if (!type) return Corrupt("unknown column type");
    schema.push_back(Column{std::string(name), *type});
  }
  return schema;
}

Result<ChunkRef> ReadChunkRef(const msgpack::object& o, const Schema& schema) {
  ChunkRef ref;
  if (!ReadIdField(o, "id", &ref.id) || !ReadUintField(o, "rows", &ref.rows) ||
      !ReadUintField(o, "bytes", &ref.bytes)) {
    return Corrupt("bad chunk entry");
  }
  const msgpack::object* zones = FindField(o, "zones");
  if (zones == nullptr || zones->type != msgpack::type::ARRAY ||
      zones->via.array.size != schema.size()) {
    return Corrupt("chunk entry without one zone map per column");
  }
  for (uint32_t i = 0; i < zones->via.array.size; ++i) {
    LAKE_ASSIGN_OR_RETURN(ZoneMap zone, ReadZoneMap(zones->via.array.ptr[i], schema[i].type));
    ref.zones.push_back(std::move(zone));
  }
  return ref;
}

}  // namespace

Bytes EncodeManifest(const Manifest& m) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_map(9);
  pk.pack("v");
  pk.pack(kManifestFormatVersion);
  pk.pack("name");
  pk.pack(m.name);
  pk.pack("version");
  pk.pack(m.version);
  pk.pack("schema");
  pk.pack_array(static_cast<uint32_t>(m.schema.size()));
  for (const Column& c : m.schema) {
    pk.pack_map(2);
    pk.pack("name");
    pk.pack(c.name);
    pk.pack("type");
    pk.pack(static_cast<uint8_t>(c.type));
  }
  pk.pack("rows");
  pk.pack(m.total_rows);
  pk.pack("bytes");
  pk.pack(m.total_bytes);
  pk.pack("created");
  pk.pack(m.created_at_us);
  pk.pack("uploader");
  PackId(pk, m.uploader);
  pk.pack("chunks");
  pk.pack_array(static_cast<uint32_t>(m.chunks.size()));
  for (const ChunkRef& ref : m.chunks) {
    pk.pack_map(4);
    pk.pack("id");
    PackId(pk, ref.id);
    pk.pack("rows");
    pk.pack(ref.rows);
    pk.pack("bytes");
    pk.pack(ref.bytes);
    pk.pack("zones");
    pk.pack_array(static_cast<uint32_t>(ref.zones.size()));
    for (const ZoneMap& zone : ref.zones) PackZoneMap(pk, zone);
  }
  return BufferBytes(buffer);
}

Result<Manifest> DecodeManifest(ByteView bytes) {
  msgpack::object_handle handle;
  LAKE_RETURN_IF_ERROR(UnpackUntrusted(bytes, &handle));
  const msgpack::object& root = handle.get();
  Manifest m;
  uint64_t format;
  std::string_view name;
  const msgpack::object* name_obj = FindField(root, "name");
  const msgpack::object* created_obj = FindField(root, "created");
  if (!ReadUintField(root, "v", &format) || name_obj == nullptr || !ReadStr(*name_obj, &name) ||
      !ReadUintField(root, "version", &m.version) || !ReadUintField(root, "rows", &m.total_rows) ||
      !ReadUintField(root, "bytes", &m.total_bytes) || created_obj == nullptr ||
      !ReadInt(*created_obj, &m.created_at_us) || !ReadIdField(root, "uploader", &m.uploader)) {
    return Corrupt("missing header fields");
  }
  if (format != kManifestFormatVersion) return Corrupt("unsupported format version");
  m.name = std::string(name);
  LAKE_ASSIGN_OR_RETURN(m.schema, ReadSchema(FindField(root, "schema")));
  const msgpack::object* chunks = FindField(root, "chunks");
  if (chunks == nullptr || chunks->type != msgpack::type::ARRAY) return Corrupt("missing chunks");
  uint64_t rows = 0, total = 0;
  for (uint32_t i = 0; i < chunks->via.array.size; ++i) {
    LAKE_ASSIGN_OR_RETURN(ChunkRef ref, ReadChunkRef(chunks->via.array.ptr[i], m.schema));
    rows += ref.rows;
    total += ref.bytes;
    m.chunks.push_back(std::move(ref));
  }
  if (rows != m.total_rows || total != m.total_bytes) return Corrupt("totals disagree with chunks");
  return m;
}

Id DatasetKey(const std::string& name) { return Blake2b256("dataset/" + name); }

Status ValidateDatasetName(const std::string& name) {
  if (name.empty() || name.size() > kMaxDatasetNameLength) {
    return Status::InvalidArgument("dataset name must be 1 to 128 characters");
  }
  auto is_alpha = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (!is_alpha(name[0])) {
    return Status::InvalidArgument("dataset name '" + name + "' must start with a letter or '_'");
  }
  for (char c : name) {
    if (!is_alpha(c) && !(c >= '0' && c <= '9')) {
      return Status::InvalidArgument("dataset name '" + name +
                                     "' may hold only letters, digits and '_'");
    }
  }
  return Status::OK();
}

std::string DatasetNameFromFileName(std::string_view file_name) {
  const size_t separator = file_name.find_last_of("/\\");
  std::string_view base =
      separator == std::string_view::npos ? file_name : file_name.substr(separator + 1);
  // The stem: a leading dot (".hidden") starts the name rather than an extension.
  const size_t dot = base.rfind('.');
  if (dot != std::string_view::npos && dot > 0) base = base.substr(0, dot);
  std::string name(base.substr(0, kMaxDatasetNameLength));
  for (char& c : name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!keep) c = '_';
  }
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) {
    name.insert(0, "_");
    if (name.size() > kMaxDatasetNameLength) name.pop_back();
  }
  return name;
}

}  // namespace lake::store
