#include "dht/chunk_messages.h"

#include <msgpack.hpp>

#include <algorithm>

#include "common/msgpack_util.h"
#include "dht/envelope.h"

namespace lake::dht {
namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;

Status Corrupt(std::string_view what) {
  return Status::Corruption("chunk message: " + std::string(what));
}

bool NamesObject(ChunkMessageKind kind) {
  return kind == ChunkMessageKind::kPush || kind == ChunkMessageKind::kFetch;
}
bool HasOutcome(ChunkMessageKind kind) {
  return kind == ChunkMessageKind::kPushAck || kind == ChunkMessageKind::kFetchReply;
}
bool CarriesData(const ChunkMessage& m) {
  return m.kind == ChunkMessageKind::kPush || (m.kind == ChunkMessageKind::kFetchReply && m.ok);
}

void PackBody(Packer& pk, const ChunkMessage& m) {
  const bool outcome = HasOutcome(m.kind);
  const uint32_t fields = (NamesObject(m.kind) ? 2 : 0) + (CarriesData(m) ? 1 : 0) +
                          (outcome ? (m.ok ? 1 : 2) : 0) +
                          (m.kind == ChunkMessageKind::kHave ? 1 : 0) +
                          (m.kind == ChunkMessageKind::kHaveReply ? 1 : 0) +
                          (m.kind == ChunkMessageKind::kCatalog ? (m.full ? 4 : 2) : 0);
  pk.pack_map(fields);
  if (NamesObject(m.kind)) {
    pk.pack("o");
    pk.pack(static_cast<uint8_t>(m.object));
    pk.pack("id");
    PackId(pk, m.id);
  }
  if (CarriesData(m)) {
    pk.pack("data");
    PackBin(pk, m.data.data(), m.data.size());
  }
  if (outcome) {
    pk.pack("ok");
    pk.pack(m.ok);
    if (!m.ok) {
      pk.pack("err");
      pk.pack(m.error);
    }
  }
  if (m.kind == ChunkMessageKind::kHave) {
    pk.pack("ids");
    pk.pack_array(static_cast<uint32_t>(m.ids.size()));
    for (const Id& id : m.ids) PackId(pk, id);
  }
  if (m.kind == ChunkMessageKind::kHaveReply) {
    pk.pack("have");
    pk.pack_array(static_cast<uint32_t>(m.have.size()));
    for (bool have : m.have) pk.pack(have);
  }
  if (m.kind == ChunkMessageKind::kCatalog) {
    pk.pack("full");
    pk.pack(m.full);
    if (m.full) {
      pk.pack("lo");
      pk.pack(m.range_low);
      pk.pack("hi");
      pk.pack(m.range_high);
    }
    pk.pack("ptrs");
    pk.pack_array(static_cast<uint32_t>(m.pointers.size()));
    for (const Bytes& p : m.pointers) PackBin(pk, p.data(), p.size());
  }
}

const msgpack::object* ArrayField(const msgpack::object& body, std::string_view key, size_t max) {
  const msgpack::object* array = FindField(body, key);
  if (array == nullptr || array->type != msgpack::type::ARRAY || array->via.array.size > max) {
    return nullptr;
  }
  return array;
}

Status ReadBody(const msgpack::object& body, const ChunkMessageLimits& limits, ChunkMessage* m) {
  if (NamesObject(m->kind)) {
    const msgpack::object* o = FindField(body, "o");
    uint64_t object = 0;
    if (o == nullptr || !ReadUint(*o, &object) || object < 1 || object > 2) {
      return Corrupt("bad object kind");
    }
    m->object = static_cast<ObjectKind>(object);
    if (!ReadIdField(body, "id", &m->id)) return Corrupt("missing id");
  }
  if (HasOutcome(m->kind)) {
    const msgpack::object* ok = FindField(body, "ok");
    if (ok == nullptr || !ReadBool(*ok, &m->ok)) return Corrupt("missing outcome");
    if (!m->ok) {
      const msgpack::object* err = FindField(body, "err");
      std::string_view error;
      if (err == nullptr || !ReadStr(*err, &error) || error.size() > limits.max_error_bytes) {
        return Corrupt("bad error");
      }
      m->error = std::string(error);
    }
  }
  if (CarriesData(*m)) {
    const msgpack::object* data = FindField(body, "data");
    ByteView bytes;
    if (data == nullptr || !ReadBin(*data, &bytes) || bytes.size() > limits.max_data_bytes) {
      return Corrupt("bad data");
    }
    m->data.assign(bytes.begin(), bytes.end());
  }
  if (m->kind == ChunkMessageKind::kHave) {
    const msgpack::object* ids = ArrayField(body, "ids", limits.max_ids);
    if (ids == nullptr) return Corrupt("bad ids");
    m->ids.resize(ids->via.array.size);
    for (uint32_t i = 0; i < ids->via.array.size; ++i) {
      if (!ReadId(ids->via.array.ptr[i], &m->ids[i])) return Corrupt("bad id");
    }
  }
  if (m->kind == ChunkMessageKind::kHaveReply) {
    const msgpack::object* have = ArrayField(body, "have", limits.max_ids);
    if (have == nullptr) return Corrupt("bad have");
    for (uint32_t i = 0; i < have->via.array.size; ++i) {
      bool held = false;
      if (!ReadBool(have->via.array.ptr[i], &held)) return Corrupt("bad have");
      m->have.push_back(held);
    }
  }
  if (m->kind == ChunkMessageKind::kCatalog) {
    const msgpack::object* full = FindField(body, "full");
    if (full == nullptr || !ReadBool(*full, &m->full)) return Corrupt("bad catalog");
    if (m->full) {
      const msgpack::object* low = FindField(body, "lo");
      const msgpack::object* high = FindField(body, "hi");
      std::string_view low_name, high_name;
      if (low == nullptr || !ReadStr(*low, &low_name) || high == nullptr ||
          !ReadStr(*high, &high_name) || low_name.size() > limits.max_name_bytes ||
          high_name.size() > limits.max_name_bytes) {
        return Corrupt("bad catalog range");
      }
      m->range_low = std::string(low_name);
      m->range_high = std::string(high_name);
    }
    const msgpack::object* pointers = ArrayField(body, "ptrs", limits.max_pointers);
    if (pointers == nullptr) return Corrupt("bad pointers");
    for (uint32_t i = 0; i < pointers->via.array.size; ++i) {
      ByteView pointer;
      if (!ReadBin(pointers->via.array.ptr[i], &pointer) ||
          pointer.size() > limits.max_pointer_bytes) {
        return Corrupt("bad pointer");
      }
      m->pointers.emplace_back(pointer.begin(), pointer.end());
    }
  }
  return Status::OK();
}

}  // namespace

Bytes EncodeChunkMessage(const ChunkMessage& m) {
  msgpack::sbuffer buffer;
  Packer pk(buffer);
  PackEnvelopeHead(pk, kChunkProtocol, static_cast<uint8_t>(m.kind), m.request_id);
  PackBody(pk, m);
  return BufferBytes(buffer);
}

Result<ChunkMessage> DecodeChunkMessage(ByteView bytes, const ChunkMessageLimits& limits) {
  UnpackLimits unpack_limits;
  unpack_limits.max_array = std::max(limits.max_ids, limits.max_pointers);
  unpack_limits.max_map = 16;
  unpack_limits.max_str = std::max<size_t>({limits.max_error_bytes, limits.max_name_bytes, 64});
  unpack_limits.max_bin = std::max(limits.max_data_bytes, Id::kBytes);  // ids are bins too
  unpack_limits.max_depth = 4;
  msgpack::object_handle handle;
  LAKE_RETURN_IF_ERROR(UnpackUntrusted(bytes, &handle, unpack_limits));
  const msgpack::object& root = handle.get();

  LAKE_ASSIGN_OR_RETURN(
      const Envelope envelope,
      ReadEnvelope(root, kChunkProtocol, static_cast<uint64_t>(ChunkMessageKind::kCatalog),
                   "chunk message"));
  ChunkMessage m;
  m.kind = static_cast<ChunkMessageKind>(envelope.kind);
  m.request_id = envelope.request_id;
  LAKE_RETURN_IF_ERROR(ReadBody(*envelope.body, limits, &m));
  return m;
}

}  // namespace lake::dht
