#include "dht/messages.h"

#include <msgpack.hpp>

#include <algorithm>

#include "common/msgpack_util.h"
#include "dht/envelope.h"

namespace lake::dht {
namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;

// Values in a message besides its contacts and records: two maps of at most 16 fields (keys and
// scalar values) and the two arrays.
constexpr size_t kEnvelopeAndBodyObjects = 2 * (1 + 2 * 16) + 2;

Status Corrupt(std::string_view what) {
  return Status::Corruption("kad message: " + std::string(what));
}

bool HasTarget(MessageKind kind) {
  return kind == MessageKind::kFindNode || kind == MessageKind::kFindValue ||
         kind == MessageKind::kStore;
}
bool HasNodes(MessageKind kind) {
  return kind == MessageKind::kNodes || kind == MessageKind::kValue;
}
bool HasValues(MessageKind kind) {
  return kind == MessageKind::kValue || kind == MessageKind::kStore;
}

void PackBody(Packer& pk, const Message& m) {
  const bool request = IsRequest(m.kind);
  const uint32_t fields = (request ? 1 : 0) + (HasTarget(m.kind) ? 1 : 0) +
                          (HasNodes(m.kind) ? 1 : 0) + (HasValues(m.kind) ? 1 : 0) +
                          (m.kind == MessageKind::kStore ? 1 : 0) +
                          (m.kind == MessageKind::kStoreAck ? 1 : 0);
  pk.pack_map(fields);
  if (request) {
    pk.pack("src");
    pk.pack(m.source_address);
  }
  if (HasTarget(m.kind)) {
    pk.pack("t");
    PackId(pk, m.target);
  }
  if (HasNodes(m.kind)) {
    pk.pack("n");
    pk.pack_array(static_cast<uint32_t>(m.nodes.size()));
    for (const Contact& c : m.nodes) {
      pk.pack_array(2);
      PackId(pk, c.id);
      pk.pack(c.address);
    }
  }
  if (HasValues(m.kind)) {
    pk.pack("v");
    pk.pack_array(static_cast<uint32_t>(m.values.size()));
    for (const Bytes& v : m.values) {
      pk.pack_bin(static_cast<uint32_t>(v.size()));
      pk.pack_bin_body(reinterpret_cast<const char*>(v.data()), static_cast<uint32_t>(v.size()));
    }
  }
  if (m.kind == MessageKind::kStore) {
    pk.pack("ttl");
    pk.pack(m.ttl_s);
  }
  if (m.kind == MessageKind::kStoreAck) {
    pk.pack("ok");
    pk.pack(m.ok);
  }
}

Status ReadNodes(const msgpack::object& body, const MessageLimits& limits, Message* m) {
  const msgpack::object* nodes = FindField(body, "n");
  if (nodes == nullptr || nodes->type != msgpack::type::ARRAY) return Corrupt("missing nodes");
  if (nodes->via.array.size > limits.max_nodes) return Corrupt("too many nodes");
  for (uint32_t i = 0; i < nodes->via.array.size; ++i) {
    const msgpack::object& entry = nodes->via.array.ptr[i];
    if (entry.type != msgpack::type::ARRAY || entry.via.array.size != 2) {
      return Corrupt("bad contact");
    }
    Id id;
    std::string_view address;
    if (!ReadId(entry.via.array.ptr[0], &id) || !ReadStr(entry.via.array.ptr[1], &address) ||
        address.size() > limits.max_address_bytes) {
      return Corrupt("bad contact");
    }
    m->nodes.push_back(Contact{id, std::string(address)});
  }
  return Status::OK();
}

Status ReadValues(const msgpack::object& body, const MessageLimits& limits, Message* m) {
  const msgpack::object* values = FindField(body, "v");
  if (values == nullptr || values->type != msgpack::type::ARRAY) return Corrupt("missing values");
  if (values->via.array.size > limits.max_values) return Corrupt("too many values");
  for (uint32_t i = 0; i < values->via.array.size; ++i) {
    ByteView value;
    if (!ReadBin(values->via.array.ptr[i], &value) || value.size() > limits.max_value_bytes) {
      return Corrupt("bad value");
    }
    m->values.emplace_back(value.begin(), value.end());
  }
  if (m->kind == MessageKind::kStore && m->values.size() != 1) {
    return Corrupt("a store carries exactly one value");
  }
  return Status::OK();
}

}  // namespace

bool IsRequest(MessageKind kind) {
  return kind == MessageKind::kPing || kind == MessageKind::kFindNode ||
         kind == MessageKind::kFindValue || kind == MessageKind::kStore;
}

Bytes EncodeMessage(const Message& m) {
  msgpack::sbuffer buffer;
  Packer pk(buffer);
  PackEnvelopeHead(pk, m.protocol, static_cast<uint8_t>(m.kind), m.request_id);
  PackBody(pk, m);
  return BufferBytes(buffer);
}

Result<Message> DecodeMessage(ByteView bytes, const MessageLimits& limits) {
  UnpackLimits unpack_limits;
  unpack_limits.max_array = std::max(limits.max_nodes, limits.max_values);
  unpack_limits.max_map = 16;
  unpack_limits.max_str = limits.max_address_bytes;
  unpack_limits.max_bin = limits.max_value_bytes;
  unpack_limits.max_depth = 6;
  // The largest honest message: the envelope and body maps with their keys and scalars, each
  // contact an array of two, each value one bin. Fields this decoder ignores fit only in the
  // slack, so a frame of millions of nils is refused before anything is built.
  unpack_limits.max_objects = kEnvelopeAndBodyObjects + 3 * limits.max_nodes + limits.max_values;
  msgpack::object_handle handle;
  LAKE_RETURN_IF_ERROR(UnpackUntrusted(bytes, &handle, unpack_limits));
  const msgpack::object& root = handle.get();

  LAKE_ASSIGN_OR_RETURN(const Envelope envelope,
                        ReadEnvelope(root, kKadProtocol,
                                     static_cast<uint64_t>(MessageKind::kStoreAck), "kad message"));
  Message m;
  m.kind = static_cast<MessageKind>(envelope.kind);
  m.request_id = envelope.request_id;
  const msgpack::object* body = envelope.body;
  if (IsRequest(m.kind)) {
    const msgpack::object* src = FindField(*body, "src");
    std::string_view address;
    if (src == nullptr || !ReadStr(*src, &address)) return Corrupt("request without source");
    m.source_address = std::string(address);
  }
  if (HasTarget(m.kind) && !ReadIdField(*body, "t", &m.target)) return Corrupt("missing target");
  if (HasNodes(m.kind)) LAKE_RETURN_IF_ERROR(ReadNodes(*body, limits, &m));
  if (HasValues(m.kind)) LAKE_RETURN_IF_ERROR(ReadValues(*body, limits, &m));
  if (m.kind == MessageKind::kStore) {
    const msgpack::object* ttl = FindField(*body, "ttl");
    uint64_t ttl_s;
    if (ttl == nullptr || !ReadUint(*ttl, &ttl_s) || ttl_s > UINT32_MAX) return Corrupt("bad ttl");
    m.ttl_s = static_cast<uint32_t>(ttl_s);
  }
  if (m.kind == MessageKind::kStoreAck) {
    const msgpack::object* ok = FindField(*body, "ok");
    if (ok == nullptr || !ReadBool(*ok, &m.ok)) return Corrupt("bad store ack");
  }
  return m;
}

}  // namespace lake::dht
