// Fuzz target: the envelope every peer protocol shares and each protocol's message decoder (kad
// messages, chunk transfer and catalog, query fragments). The first byte picks the decoder, the
// rest is the message. Whatever decodes must re-encode to bytes that decode to the same message.
#include <cstdint>

#include "common/msgpack_util.h"
#include "dht/chunk_messages.h"
#include "dht/envelope.h"
#include "dht/messages.h"
#include "dht/query_messages.h"
#include "tests/fuzz/fuzz_check.h"

namespace lake::dht {
namespace {

// Decode(Encode(m)) == m for every message Decode accepted.
template <class Message, class Decode, class Encode>
void CheckDecoder(ByteView bytes, Decode decode, Encode encode) {
  Result<Message> message = decode(bytes);
  if (!message.ok()) return;
  Result<Message> again = decode(ByteView(encode(*message)));
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *message);
}

void CheckEnvelope(ByteView bytes) {
  const std::optional<std::string_view> peeked = PeekProtocol(bytes);
  msgpack::object_handle handle;
  if (!UnpackUntrusted(bytes, &handle).ok()) return;
  for (std::string_view protocol : {kKadProtocol, kChunkProtocol, kQueryProtocol}) {
    Result<Envelope> envelope = ReadEnvelope(handle.get(), protocol, 8, "fuzz");
    if (!envelope.ok()) continue;
    FUZZ_CHECK(envelope->protocol == protocol);
    FUZZ_CHECK(envelope->body != nullptr && envelope->body->type == msgpack::type::MAP);
    // PeekProtocol reads the head PackEnvelopeHead writes; an envelope it names must agree.
    if (peeked.has_value()) FUZZ_CHECK(*peeked == protocol);
  }
}

}  // namespace
}  // namespace lake::dht

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lake::dht;
  lake::fuzz::FuzzInput input(data, size);
  const uint8_t which = input.Byte();
  const lake::ByteView bytes = input.Rest();
  switch (which % 4) {
    case 0:
      CheckEnvelope(bytes);
      break;
    case 1:
      CheckDecoder<Message>(
          bytes, [](lake::ByteView b) { return DecodeMessage(b); }, EncodeMessage);
      break;
    case 2:
      CheckDecoder<ChunkMessage>(
          bytes, [](lake::ByteView b) { return DecodeChunkMessage(b); }, EncodeChunkMessage);
      break;
    case 3:
      CheckDecoder<QueryMessage>(
          bytes, [](lake::ByteView b) { return DecodeQueryMessage(b); }, EncodeQueryMessage);
      break;
  }
  return 0;
}
