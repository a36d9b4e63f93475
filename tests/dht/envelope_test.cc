// The envelope every peer protocol shares: PeekProtocol finds the protocol of both protocols'
// messages from their first bytes and nothing else; ReadEnvelope reads what PackEnvelopeHead
// wrote.
#include "dht/envelope.h"

#include <catch2/catch.hpp>

#include <msgpack.hpp>

#include <string>
#include <vector>

#include "common/msgpack_util.h"
#include "common/rng.h"
#include "dht/chunk_messages.h"
#include "dht/messages.h"

namespace lake::dht {
namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;

// An envelope with an empty body, its head written by PackEnvelopeHead.
Bytes EmptyEnvelope(std::string_view protocol) {
  msgpack::sbuffer buffer;
  Packer pk(buffer);
  PackEnvelopeHead(pk, protocol, 1, 1);
  pk.pack_map(0);
  return BufferBytes(buffer);
}

std::vector<ChunkMessage> SomeChunkMessages() {
  Rng rng(5);
  std::vector<ChunkMessage> out;
  for (int kind = 1; kind <= 7; ++kind) {
    ChunkMessage m;
    m.kind = static_cast<ChunkMessageKind>(kind);
    m.request_id = rng.Next();
    m.id = rng.NextId();
    if (kind == 1 || kind == 4) m.data = Bytes(100, 7);
    out.push_back(m);
  }
  return out;
}

TEST_CASE("PeekProtocol reads both protocols' envelopes", "[dht][envelope]") {
  for (const ChunkMessage& m : SomeChunkMessages()) {
    INFO("chunk kind " << static_cast<int>(m.kind));
    CHECK(PeekProtocol(EncodeChunkMessage(m)) == std::string_view(kChunkProtocol));
  }
  for (int kind = 1; kind <= 8; ++kind) {
    INFO("kad kind " << kind);
    Message m;
    m.kind = static_cast<MessageKind>(kind);
    m.request_id = UINT64_MAX;
    m.source_address = "127.0.0.1:1";
    CHECK(PeekProtocol(EncodeMessage(m)) == std::string_view(kKadProtocol));
  }
  // Any short protocol id is read back, for the transport to judge.
  CHECK(PeekProtocol(EmptyEnvelope("/other/9")) == std::string_view("/other/9"));
  CHECK(PeekProtocol(EmptyEnvelope("")) == std::string_view(""));
  const std::string longest(31, 'x');  // the longest fixstr
  CHECK(PeekProtocol(EmptyEnvelope(longest)) == std::string_view(longest));
}

TEST_CASE("PeekProtocol refuses bytes that are not an envelope's head", "[dht][envelope]") {
  const Bytes chunk = EncodeChunkMessage(SomeChunkMessages()[0]);
  const size_t head = 4 + std::string_view(kChunkProtocol).size();
  CHECK(PeekProtocol(ByteView(chunk.data(), head)) == std::string_view(kChunkProtocol));
  CHECK_FALSE(PeekProtocol(Bytes{}).has_value());
  CHECK_FALSE(PeekProtocol(ByteView(chunk.data(), 3)).has_value());
  CHECK_FALSE(PeekProtocol(ByteView(chunk.data(), head - 1)).has_value());  // cut in the id
  const auto with_byte = [&](size_t index, uint8_t value) {
    Bytes altered = chunk;
    altered[index] = value;
    return altered;
  };
  CHECK_FALSE(PeekProtocol(with_byte(0, 0x83)).has_value());  // a map of 3 entries
  CHECK_FALSE(PeekProtocol(with_byte(0, 0xde)).has_value());  // map16
  CHECK_FALSE(PeekProtocol(with_byte(1, 0xa2)).has_value());  // a longer first key
  CHECK_FALSE(PeekProtocol(with_byte(2, 'k')).has_value());   // another first key
  CHECK_FALSE(PeekProtocol(with_byte(3, 0xc4)).has_value());  // the id as bin8
  CHECK_FALSE(PeekProtocol(with_byte(3, 0xd9)).has_value());  // the id as str8
  // The same map with "p" written second: valid for ReadEnvelope, not for the peek.
  msgpack::sbuffer buffer;
  Packer pk(buffer);
  pk.pack_map(4);
  pk.pack("k");
  pk.pack(1);
  pk.pack("p");
  pk.pack(std::string(kChunkProtocol));
  pk.pack("r");
  pk.pack(1);
  pk.pack("b");
  pk.pack_map(0);
  CHECK_FALSE(PeekProtocol(BufferBytes(buffer)).has_value());
  Rng rng(9);
  for (int i = 0; i < 1000; ++i) {
    Bytes noise(1 + rng.Uniform(40));
    for (uint8_t& b : noise) b = static_cast<uint8_t>(rng.Next());
    if (noise[0] == 0x84) noise[0] = 0x85;
    CHECK_FALSE(PeekProtocol(noise).has_value());
  }
}

TEST_CASE(
    "ReadEnvelope reads what PackEnvelopeHead wrote, checks protocol and kind, and names the "
    "caller in its errors",
    "[dht][envelope]") {
  msgpack::sbuffer buffer;
  Packer pk(buffer);
  PackEnvelopeHead(pk, "/some/1", 200, UINT64_MAX);
  pk.pack_map(1);
  pk.pack("x");
  pk.pack(5);
  const Bytes bytes = BufferBytes(buffer);
  msgpack::object_handle handle;
  REQUIRE(UnpackUntrusted(bytes, &handle).ok());
  Result<Envelope> envelope = ReadEnvelope(handle.get(), "/some/1", 200, "test");
  REQUIRE(envelope.ok());
  CHECK(envelope->protocol == "/some/1");
  CHECK(envelope->kind == 200);
  CHECK(envelope->request_id == UINT64_MAX);
  REQUIRE(envelope->body != nullptr);
  CHECK(envelope->body->type == msgpack::type::MAP);
  CHECK(envelope->body->via.map.size == 1);

  const Bytes array = PackToBytes(std::vector<int>{1, 2});
  REQUIRE(UnpackUntrusted(array, &handle).ok());
  Result<Envelope> bad = ReadEnvelope(handle.get(), "/some/1", 200, "test thing");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().IsCorruption());
  CHECK(bad.status().message().find("test thing") != std::string::npos);

  // Another protocol, or a kind past the last, is refused too.
  REQUIRE(UnpackUntrusted(bytes, &handle).ok());
  CHECK(ReadEnvelope(handle.get(), "/other/1", 200, "test").status().IsCorruption());
  CHECK(ReadEnvelope(handle.get(), "/some/1", 199, "test").status().IsCorruption());
}

}  // namespace
}  // namespace lake::dht
