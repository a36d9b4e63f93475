#include "common/msgpack_util.h"

#include <exception>

namespace lake {
namespace {

bool ReferencePayloads(msgpack::type::object_type, std::size_t, void*) { return true; }

// Counts values and nesting without materialising them; stops (returns false) at a limit, before
// the parser pushes a deeper level onto its stack.
class CountingVisitor : public msgpack::null_visitor {
 public:
  explicit CountingVisitor(const UnpackLimits& limits) : limits_(limits) {}
  bool visit_nil() { return Count(); }
  bool visit_boolean(bool) { return Count(); }
  bool visit_positive_integer(uint64_t) { return Count(); }
  bool visit_negative_integer(int64_t) { return Count(); }
  bool visit_float32(float) { return Count(); }
  bool visit_float64(double) { return Count(); }
  bool visit_str(const char*, uint32_t) { return Count(); }
  bool visit_bin(const char*, uint32_t) { return Count(); }
  bool visit_ext(const char*, uint32_t) { return Count(); }
  bool start_array(uint32_t) { return Nest(); }
  bool end_array() { return Unnest(); }
  bool start_map(uint32_t) { return Nest(); }
  bool end_map() { return Unnest(); }
  bool over_limit() const { return over_limit_; }

 private:
  bool Count() {
    over_limit_ = ++objects_ > limits_.max_objects;
    return !over_limit_;
  }
  bool Nest() {
    if (++depth_ > limits_.max_depth) over_limit_ = true;
    return !over_limit_ && Count();
  }
  bool Unnest() {
    --depth_;
    return true;
  }

  const UnpackLimits& limits_;
  size_t objects_ = 0;
  size_t depth_ = 0;
  bool over_limit_ = false;
};

// The first pass of a bounded unpack: Corruption past max_objects or max_depth. Malformed bytes
// pass here and are reported by the unpack that follows.
Status CheckObjectCount(ByteView bytes, size_t offset, const UnpackLimits& limits) {
  if (limits.max_objects == SIZE_MAX) return Status::OK();
  CountingVisitor visitor(limits);
  try {
    (void)msgpack::parse(reinterpret_cast<const char*>(bytes.data()), bytes.size(), offset,
                             visitor);
  } catch (const std::exception&) {
    // Malformed: the unpack reports it.
  }
  if (visitor.over_limit()) return Status::Corruption("msgpack value has too many elements");
  return Status::OK();
}

}  // namespace

Status UnpackUntrustedAt(ByteView bytes, size_t* offset, msgpack::object_handle* out,
                         const UnpackLimits& limits) {
  LAKE_RETURN_IF_ERROR(CheckObjectCount(bytes, *offset, limits));
  const msgpack::unpack_limit limit(limits.max_array, limits.max_map, limits.max_str,
                                    limits.max_bin, /*ext=*/0, limits.max_depth);
  try {
    *out = msgpack::unpack(reinterpret_cast<const char*>(bytes.data()), bytes.size(), *offset,
                           ReferencePayloads, nullptr, limit);
    return Status::OK();
  } catch (const std::bad_alloc&) {
    return Status::Corruption("msgpack value too large");
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("malformed msgpack: ") + e.what());
  }
}

Status UnpackUntrusted(ByteView bytes, msgpack::object_handle* out, const UnpackLimits& limits) {
  size_t offset = 0;
  LAKE_RETURN_IF_ERROR(UnpackUntrustedAt(bytes, &offset, out, limits));
  if (offset != bytes.size()) return Status::Corruption("trailing bytes after msgpack value");
  return Status::OK();
}

const msgpack::object* FindField(const msgpack::object& map, std::string_view key) {
  if (map.type != msgpack::type::MAP) return nullptr;
  for (uint32_t i = 0; i < map.via.map.size; ++i) {
    const msgpack::object_kv& kv = map.via.map.ptr[i];
    if (kv.key.type == msgpack::type::STR &&
        std::string_view(kv.key.via.str.ptr, kv.key.via.str.size) == key) {
      return &kv.val;
    }
  }
  return nullptr;
}

bool ReadUint(const msgpack::object& o, uint64_t* out) {
  if (o.type != msgpack::type::POSITIVE_INTEGER) return false;
  *out = o.via.u64;
  return true;
}

bool ReadInt(const msgpack::object& o, int64_t* out) {
  if (o.type == msgpack::type::NEGATIVE_INTEGER) {
    *out = o.via.i64;
    return true;
  }
  if (o.type == msgpack::type::POSITIVE_INTEGER && o.via.u64 <= INT64_MAX) {
    *out = static_cast<int64_t>(o.via.u64);
    return true;
  }
  return false;
}

bool ReadDouble(const msgpack::object& o, double* out) {
  // msgpack-c packs an integral double (2.0) as an integer, so integers read back as doubles.
  switch (o.type) {
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      *out = o.via.f64;
      return true;
    case msgpack::type::POSITIVE_INTEGER:
      *out = static_cast<double>(o.via.u64);
      return true;
    case msgpack::type::NEGATIVE_INTEGER:
      *out = static_cast<double>(o.via.i64);
      return true;
    default:
      return false;
  }
}

bool ReadBool(const msgpack::object& o, bool* out) {
  if (o.type != msgpack::type::BOOLEAN) return false;
  *out = o.via.boolean;
  return true;
}

bool ReadStr(const msgpack::object& o, std::string_view* out) {
  if (o.type != msgpack::type::STR) return false;
  *out = std::string_view(o.via.str.ptr, o.via.str.size);
  return true;
}

bool ReadBin(const msgpack::object& o, ByteView* out) {
  if (o.type != msgpack::type::BIN) return false;
  *out = ByteView(reinterpret_cast<const uint8_t*>(o.via.bin.ptr), o.via.bin.size);
  return true;
}

void PackId(msgpack::packer<msgpack::sbuffer>& pk, const Id& id) {
  pk.pack_bin(Id::kBytes);
  pk.pack_bin_body(reinterpret_cast<const char*>(id.bytes().data()), Id::kBytes);
}

bool ReadId(const msgpack::object& o, Id* out) {
  ByteView bytes;
  if (!ReadBin(o, &bytes)) return false;
  std::optional<Id> id = Id::FromBytes(bytes);
  if (!id) return false;
  *out = *id;
  return true;
}

bool ReadIdField(const msgpack::object& map, std::string_view key, Id* out) {
  const msgpack::object* o = FindField(map, key);
  return o != nullptr && ReadId(*o, out);
}

}  // namespace lake
