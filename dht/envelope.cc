#include "dht/envelope.h"

#include <string>

#include "common/msgpack_util.h"

namespace lake::dht {

void PackEnvelopeHead(msgpack::packer<msgpack::sbuffer>& pk, std::string_view protocol,
                      uint8_t kind, uint64_t request_id) {
  pk.pack_map(4);
  pk.pack("p");
  pk.pack(protocol);
  pk.pack("k");
  pk.pack(kind);
  pk.pack("r");
  pk.pack(request_id);
  pk.pack("b");
}

Result<Envelope> ReadEnvelope(const msgpack::object& root, std::string_view protocol,
                              uint64_t max_kind, std::string_view what) {
  Envelope envelope;
  const msgpack::object* p = FindField(root, "p");
  const msgpack::object* k = FindField(root, "k");
  const msgpack::object* r = FindField(root, "r");
  envelope.body = FindField(root, "b");
  if (p == nullptr || !ReadStr(*p, &envelope.protocol) || k == nullptr ||
      !ReadUint(*k, &envelope.kind) || r == nullptr || !ReadUint(*r, &envelope.request_id) ||
      envelope.body == nullptr || envelope.body->type != msgpack::type::MAP) {
    return Status::Corruption(std::string(what) + ": bad envelope");
  }
  if (envelope.protocol != protocol) {
    return Status::Corruption(std::string(what) + ": unknown protocol " +
                              std::string(envelope.protocol));
  }
  if (envelope.kind < 1 || envelope.kind > max_kind) {
    return Status::Corruption(std::string(what) + ": unknown kind");
  }
  return envelope;
}

std::optional<std::string_view> PeekProtocol(ByteView bytes) {
  // fixmap(4), fixstr(1) "p", then the protocol id as a fixstr (ids are short).
  if (bytes.size() < 4 || bytes[0] != 0x84 || bytes[1] != 0xa1 || bytes[2] != 'p' ||
      (bytes[3] & 0xe0) != 0xa0) {
    return std::nullopt;
  }
  const size_t length = bytes[3] & 0x1f;
  if (bytes.size() < 4 + length) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(bytes.data()) + 4, length);
}

}  // namespace lake::dht
