// The envelope every peer protocol shares: a msgpack map {"p": protocol id, "k": kind,
// "r": request id, "b": body map}, always written in that order. The transport reads only the
// protocol (PeekProtocol) to hand a payload to the actor that speaks it; each protocol's decoder
// reads the rest with ReadEnvelope.
// Thread-safety: pure functions.
#pragma once

#include <msgpack.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/bytes.h"
#include "common/result.h"

namespace lake::dht {

// Packs the envelope's head up to and including the "b" key: the caller packs the body next.
void PackEnvelopeHead(msgpack::packer<msgpack::sbuffer>& pk, std::string_view protocol,
                      uint8_t kind, uint64_t request_id);

struct Envelope {
  std::string_view protocol;
  uint64_t kind = 0;
  uint64_t request_id = 0;
  const msgpack::object* body = nullptr;  // a map
};
// Reads the envelope of an unpacked message, which must name `protocol` and a kind in
// [1, max_kind]; Corruption (prefixed with `what`) if it is malformed or does not.
Result<Envelope> ReadEnvelope(const msgpack::object& root, std::string_view protocol,
                              uint64_t max_kind, std::string_view what);

// The protocol id of an envelope as PackEnvelopeHead writes it, read from the first bytes
// without unpacking the rest; nullopt for anything else.
std::optional<std::string_view> PeekProtocol(ByteView bytes);

}  // namespace lake::dht
