// Kademlia messages on the wire: every kind survives EncodeMessage/DecodeMessage unchanged, the
// decoder refuses malformed or over-limit input with Corruption, and no byte string (truncated,
// random or mutated) makes it crash or return anything but Corruption or a well-formed message.
#include "dht/messages.h"

#include <catch2/catch.hpp>

#include <msgpack.hpp>

#include <functional>
#include <string>
#include <vector>

#include "common/rng.h"
#include "dht/chunk_messages.h"
#include "dht/envelope.h"
#include "tests/support/random_data.h"

namespace lake::dht {
namespace {

using testing::RandomBytes;

std::vector<Contact> RandomContacts(Rng& rng, size_t n) {
  std::vector<Contact> out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(Contact{rng.NextId(),
                          "10.0.0." + std::to_string(i % 250) + ":" + std::to_string(4000 + i)});
  }
  return out;
}

// One realistic message of every kind (fields a kind does not carry keep their defaults, since
// they are not on the wire).
std::vector<Message> SampleMessages() {
  Rng rng(42);
  std::vector<Message> out;

  Message ping;
  ping.kind = MessageKind::kPing;
  ping.request_id = 0x0123456789abcdefull;
  ping.source_address = "192.168.1.20:7401";
  out.push_back(ping);

  Message pong;
  pong.kind = MessageKind::kPong;
  pong.request_id = ping.request_id;
  out.push_back(pong);

  Message find_node;
  find_node.kind = MessageKind::kFindNode;
  find_node.request_id = UINT64_MAX;
  find_node.source_address = "sim:17";
  find_node.target = rng.NextId();
  out.push_back(find_node);

  Message nodes;
  nodes.kind = MessageKind::kNodes;
  nodes.request_id = 7;
  nodes.nodes = RandomContacts(rng, 20);
  out.push_back(nodes);

  Message empty_nodes;
  empty_nodes.kind = MessageKind::kNodes;
  empty_nodes.request_id = 8;
  out.push_back(empty_nodes);

  Message find_value;
  find_value.kind = MessageKind::kFindValue;
  find_value.request_id = 99;
  find_value.source_address = "[2001:db8::1]:7401";
  find_value.target = rng.NextId();
  out.push_back(find_value);

  Message value;
  value.kind = MessageKind::kValue;
  value.request_id = 100;
  value.values = {RandomBytes(rng, 32), RandomBytes(rng, 300), Bytes{}};
  value.nodes = RandomContacts(rng, 3);
  out.push_back(value);

  Message value_without_values;
  value_without_values.kind = MessageKind::kValue;
  value_without_values.request_id = 101;
  value_without_values.nodes = RandomContacts(rng, 20);
  out.push_back(value_without_values);

  Message store;
  store.kind = MessageKind::kStore;
  store.request_id = 1;
  store.source_address = "sim:3";
  store.target = rng.NextId();
  store.values = {RandomBytes(rng, 64)};
  store.ttl_s = 7200;
  out.push_back(store);

  Message store_max_ttl = store;
  store_max_ttl.ttl_s = UINT32_MAX;
  out.push_back(store_max_ttl);

  Message ack;
  ack.kind = MessageKind::kStoreAck;
  ack.request_id = 2;
  ack.ok = true;
  out.push_back(ack);

  Message nack = ack;
  nack.ok = false;
  out.push_back(nack);
  return out;
}

// Packs an arbitrary envelope by hand: `body` is written by the caller's function.
template <class BodyFn>
Bytes Envelope(const std::string& protocol, uint64_t kind, uint64_t request_id, BodyFn body) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_map(4);
  pk.pack("p");
  pk.pack(protocol);
  pk.pack("k");
  pk.pack(kind);
  pk.pack("r");
  pk.pack(request_id);
  pk.pack("b");
  body(pk);
  return Bytes(buffer.data(), buffer.data() + buffer.size());
}

void PackBin(msgpack::packer<msgpack::sbuffer>& pk, const Bytes& bytes) {
  pk.pack_bin(static_cast<uint32_t>(bytes.size()));
  pk.pack_bin_body(reinterpret_cast<const char*>(bytes.data()),
                   static_cast<uint32_t>(bytes.size()));
}

// A decoded message must respect the limits it was decoded under, and encode back to itself.
void CheckWellFormed(const Message& m, const MessageLimits& limits) {
  CHECK(m.protocol == kKadProtocol);
  CHECK(static_cast<int>(m.kind) >= 1);
  CHECK(static_cast<int>(m.kind) <= 8);
  CHECK(m.nodes.size() <= limits.max_nodes);
  CHECK(m.values.size() <= limits.max_values);
  for (const Bytes& v : m.values) CHECK(v.size() <= limits.max_value_bytes);
  for (const Contact& c : m.nodes) CHECK(c.address.size() <= limits.max_address_bytes);
  if (m.kind == MessageKind::kStore) CHECK(m.values.size() == 1);
  Result<Message> again = DecodeMessage(EncodeMessage(m), limits);
  REQUIRE(again.ok());
  CHECK(*again == m);
}

TEST_CASE("Every message kind survives an encode/decode round trip unchanged", "[dht][messages]") {
  const std::vector<Message> samples = SampleMessages();
  std::vector<bool> seen(9, false);
  for (const Message& m : samples) {
    INFO("kind " << static_cast<int>(m.kind));
    Result<Message> decoded = DecodeMessage(EncodeMessage(m));
    REQUIRE(decoded.ok());
    CHECK(*decoded == m);
    seen[static_cast<int>(m.kind)] = true;
  }
  for (int kind = 1; kind <= 8; ++kind) CHECK(seen[kind]);
}

TEST_CASE("Kademlia messages are written in the shared envelope, protocol first",
          "[dht][messages]") {
  // Byte for byte what a node that packs the envelope by hand sends: older nodes still read it.
  Message ping = SampleMessages()[0];
  const Bytes by_hand = Envelope(kKadProtocol, 1, ping.request_id, [&](auto& pk) {
    pk.pack_map(1);
    pk.pack("src");
    pk.pack(ping.source_address);
  });
  CHECK(EncodeMessage(ping) == by_hand);
  // So the transport routes every kind to the router by its first bytes.
  for (const Message& m : SampleMessages()) {
    INFO("kind " << static_cast<int>(m.kind));
    CHECK(PeekProtocol(EncodeMessage(m)) == std::string_view(kKadProtocol));
  }
}

TEST_CASE("The Kademlia and chunk decoders refuse each other's messages", "[dht][messages]") {
  for (const Message& m : SampleMessages()) {
    INFO("kind " << static_cast<int>(m.kind));
    CHECK(DecodeChunkMessage(EncodeMessage(m)).status().IsCorruption());
  }
  ChunkMessage have;
  have.kind = ChunkMessageKind::kHave;
  have.ids = {Id(std::array<uint8_t, 32>{1})};
  CHECK(DecodeMessage(EncodeChunkMessage(have)).status().IsCorruption());
  ChunkMessage ack;  // kind 2 is PONG in Kademlia, whose body is empty: only the protocol differs
  ack.kind = ChunkMessageKind::kPushAck;
  CHECK(DecodeMessage(EncodeChunkMessage(ack)).status().IsCorruption());
}

TEST_CASE("IsRequest names exactly ping, find-node, find-value and store", "[dht][messages]") {
  CHECK(IsRequest(MessageKind::kPing));
  CHECK(IsRequest(MessageKind::kFindNode));
  CHECK(IsRequest(MessageKind::kFindValue));
  CHECK(IsRequest(MessageKind::kStore));
  CHECK_FALSE(IsRequest(MessageKind::kPong));
  CHECK_FALSE(IsRequest(MessageKind::kNodes));
  CHECK_FALSE(IsRequest(MessageKind::kValue));
  CHECK_FALSE(IsRequest(MessageKind::kStoreAck));
}

TEST_CASE("DecodeMessage rejects another protocol", "[dht][messages]") {
  Message m = SampleMessages()[0];
  m.protocol = "/lake/kad/2";
  Result<Message> decoded = DecodeMessage(EncodeMessage(m));
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.status().IsCorruption());

  m.protocol = "";
  CHECK(DecodeMessage(EncodeMessage(m)).status().IsCorruption());
}

TEST_CASE("DecodeMessage rejects unknown message kinds", "[dht][messages]") {
  for (uint64_t kind : {0ull, 9ull, 200ull, 255ull, 256ull, 1ull << 40}) {
    INFO("kind " << kind);
    // The body carries every field any kind could want, so only the kind is wrong.
    Bytes bytes = Envelope(kKadProtocol, kind, 1, [](auto& pk) {
      pk.pack_map(1);
      pk.pack("src");
      pk.pack("sim:1");
    });
    Result<Message> decoded = DecodeMessage(bytes);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.status().IsCorruption());
  }
  // The same envelope with a known kind decodes: the test above fails for the right reason.
  Bytes ping = Envelope(kKadProtocol, 1, 1, [](auto& pk) {
    pk.pack_map(1);
    pk.pack("src");
    pk.pack("sim:1");
  });
  CHECK(DecodeMessage(ping).ok());
}

TEST_CASE("DecodeMessage rejects envelopes and bodies missing required fields", "[dht][messages]") {
  const Bytes id(32, 0xab);
  const Bytes short_id(31, 0xab);
  auto expect_corrupt = [](const Bytes& bytes) {
    Result<Message> decoded = DecodeMessage(bytes);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.status().IsCorruption());
  };

  SECTION("an envelope without a body") {
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> pk(buffer);
    pk.pack_map(3);
    pk.pack("p");
    pk.pack(std::string(kKadProtocol));
    pk.pack("k");
    pk.pack(2);
    pk.pack("r");
    pk.pack(5);
    expect_corrupt(Bytes(buffer.data(), buffer.data() + buffer.size()));
  }
  SECTION("an envelope without a request id") {
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> pk(buffer);
    pk.pack_map(3);
    pk.pack("p");
    pk.pack(std::string(kKadProtocol));
    pk.pack("k");
    pk.pack(2);
    pk.pack("b");
    pk.pack_map(0);
    expect_corrupt(Bytes(buffer.data(), buffer.data() + buffer.size()));
  }
  SECTION("a body that is not a map") {
    expect_corrupt(Envelope(kKadProtocol, 2, 5, [](auto& pk) { pk.pack_array(0); }));
  }
  SECTION("a negative request id") {
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> pk(buffer);
    pk.pack_map(4);
    pk.pack("p");
    pk.pack(std::string(kKadProtocol));
    pk.pack("k");
    pk.pack(2);
    pk.pack("r");
    pk.pack(-5);
    pk.pack("b");
    pk.pack_map(0);
    expect_corrupt(Bytes(buffer.data(), buffer.data() + buffer.size()));
  }
  SECTION("a ping without its source address") {
    expect_corrupt(Envelope(kKadProtocol, 1, 5, [](auto& pk) { pk.pack_map(0); }));
  }
  SECTION("a find-node without a target") {
    expect_corrupt(Envelope(kKadProtocol, 3, 5, [](auto& pk) {
      pk.pack_map(1);
      pk.pack("src");
      pk.pack("sim:1");
    }));
  }
  SECTION("a find-value whose target is 31 bytes") {
    expect_corrupt(Envelope(kKadProtocol, 5, 5, [&](auto& pk) {
      pk.pack_map(2);
      pk.pack("src");
      pk.pack("sim:1");
      pk.pack("t");
      PackBin(pk, short_id);
    }));
  }
  SECTION("a nodes reply without nodes") {
    expect_corrupt(Envelope(kKadProtocol, 4, 5, [](auto& pk) { pk.pack_map(0); }));
  }
  SECTION("a nodes reply whose contact lacks an address") {
    expect_corrupt(Envelope(kKadProtocol, 4, 5, [&](auto& pk) {
      pk.pack_map(1);
      pk.pack("n");
      pk.pack_array(1);
      pk.pack_array(1);
      PackBin(pk, id);
    }));
  }
  SECTION("a value reply without values") {
    expect_corrupt(Envelope(kKadProtocol, 6, 5, [](auto& pk) {
      pk.pack_map(1);
      pk.pack("n");
      pk.pack_array(0);
    }));
  }
  SECTION("a store without a ttl") {
    expect_corrupt(Envelope(kKadProtocol, 7, 5, [&](auto& pk) {
      pk.pack_map(3);
      pk.pack("src");
      pk.pack("sim:1");
      pk.pack("t");
      PackBin(pk, id);
      pk.pack("v");
      pk.pack_array(1);
      PackBin(pk, Bytes{1, 2, 3});
    }));
  }
  SECTION("a store whose ttl does not fit 32 bits") {
    expect_corrupt(Envelope(kKadProtocol, 7, 5, [&](auto& pk) {
      pk.pack_map(4);
      pk.pack("src");
      pk.pack("sim:1");
      pk.pack("t");
      PackBin(pk, id);
      pk.pack("v");
      pk.pack_array(1);
      PackBin(pk, Bytes{1, 2, 3});
      pk.pack("ttl");
      pk.pack(uint64_t{1} << 32);
    }));
  }
  SECTION("a store ack without ok") {
    expect_corrupt(Envelope(kKadProtocol, 8, 5, [](auto& pk) { pk.pack_map(0); }));
  }
  SECTION("a store ack whose ok is a number") {
    expect_corrupt(Envelope(kKadProtocol, 8, 5, [](auto& pk) {
      pk.pack_map(1);
      pk.pack("ok");
      pk.pack(1);
    }));
  }
}

TEST_CASE("DecodeMessage rejects a store carrying zero or two values", "[dht][messages]") {
  Message store;
  store.kind = MessageKind::kStore;
  store.request_id = 3;
  store.source_address = "sim:1";
  store.target = Id(std::array<uint8_t, 32>{1, 2, 3});
  store.ttl_s = 60;

  store.values = {Bytes{1}};
  REQUIRE(DecodeMessage(EncodeMessage(store)).ok());

  store.values.clear();
  CHECK(DecodeMessage(EncodeMessage(store)).status().IsCorruption());
  store.values = {Bytes{1}, Bytes{2}};
  CHECK(DecodeMessage(EncodeMessage(store)).status().IsCorruption());
}

TEST_CASE("DecodeMessage rejects contact lists longer than max_nodes", "[dht][messages]") {
  Rng rng(5);
  Message reply;
  reply.kind = GENERATE(MessageKind::kNodes, MessageKind::kValue);
  reply.request_id = 11;

  SECTION("default limits") {
    MessageLimits limits;
    reply.nodes = RandomContacts(rng, limits.max_nodes);
    CHECK(DecodeMessage(EncodeMessage(reply), limits).ok());
    reply.nodes = RandomContacts(rng, limits.max_nodes + 1);
    CHECK(DecodeMessage(EncodeMessage(reply), limits).status().IsCorruption());
  }
  SECTION("a smaller max_nodes than max_values") {
    MessageLimits limits;
    limits.max_nodes = 5;
    reply.nodes = RandomContacts(rng, 5);
    CHECK(DecodeMessage(EncodeMessage(reply), limits).ok());
    reply.nodes = RandomContacts(rng, 6);
    CHECK(DecodeMessage(EncodeMessage(reply), limits).status().IsCorruption());
  }
}

TEST_CASE("DecodeMessage rejects values and addresses over their limits", "[dht][messages]") {
  Rng rng(6);
  MessageLimits limits;

  SECTION("a stored value one byte over max_value_bytes") {
    Message store;
    store.kind = MessageKind::kStore;
    store.source_address = "sim:1";
    store.ttl_s = 10;
    store.values = {RandomBytes(rng, limits.max_value_bytes)};
    CHECK(DecodeMessage(EncodeMessage(store), limits).ok());
    store.values = {RandomBytes(rng, limits.max_value_bytes + 1)};
    CHECK(DecodeMessage(EncodeMessage(store), limits).status().IsCorruption());
  }
  SECTION("one value in a reply over a custom max_value_bytes") {
    limits.max_value_bytes = 100;
    Message value;
    value.kind = MessageKind::kValue;
    value.values = {RandomBytes(rng, 10), RandomBytes(rng, 100)};
    CHECK(DecodeMessage(EncodeMessage(value), limits).ok());
    value.values.push_back(RandomBytes(rng, 101));
    CHECK(DecodeMessage(EncodeMessage(value), limits).status().IsCorruption());
  }
  SECTION("more values than max_values") {
    Message value;
    value.kind = MessageKind::kValue;
    value.values.assign(limits.max_values, Bytes{7});
    CHECK(DecodeMessage(EncodeMessage(value), limits).ok());
    value.values.push_back(Bytes{8});
    CHECK(DecodeMessage(EncodeMessage(value), limits).status().IsCorruption());
  }
  SECTION("a contact address over max_address_bytes") {
    Message nodes;
    nodes.kind = MessageKind::kNodes;
    nodes.nodes = {Contact{rng.NextId(), std::string(limits.max_address_bytes, 'a')}};
    CHECK(DecodeMessage(EncodeMessage(nodes), limits).ok());
    nodes.nodes[0].address.push_back('a');
    CHECK(DecodeMessage(EncodeMessage(nodes), limits).status().IsCorruption());
  }
}

TEST_CASE("DecodeMessage rejects trailing bytes after a valid message", "[dht][messages]") {
  Bytes bytes = EncodeMessage(SampleMessages()[0]);
  REQUIRE(DecodeMessage(bytes).ok());
  bytes.push_back(0xc0);  // msgpack nil
  CHECK(DecodeMessage(bytes).status().IsCorruption());
}

TEST_CASE("Every truncation of a valid message is Corruption", "[dht][messages]") {
  // msgpack is prefix-free: no proper prefix of one value is itself a complete value.
  for (const Message& m : SampleMessages()) {
    const Bytes bytes = EncodeMessage(m);
    for (size_t n = 0; n < bytes.size(); ++n) {
      Result<Message> decoded = DecodeMessage(ByteView(bytes.data(), n));
      if (decoded.ok() || !decoded.status().IsCorruption()) {
        FAIL("kind " << static_cast<int>(m.kind) << " truncated to " << n << " of " << bytes.size()
                     << " bytes: " << decoded.status().ToString());
      }
    }
  }
}

TEST_CASE("Random byte strings decode to Corruption or a well-formed message", "[dht][messages]") {
  Rng rng(20240601);
  MessageLimits limits;
  size_t valid = 0;
  for (int i = 0; i < 3000; ++i) {
    const size_t size = rng.Uniform(300);
    Bytes bytes = RandomBytes(rng, size);
    // A third start like a real envelope (a 4-entry map), so the decoder gets past byte one.
    if (i % 3 == 0 && !bytes.empty()) bytes[0] = 0x84;
    Result<Message> decoded = DecodeMessage(bytes, limits);
    if (decoded.ok()) {
      ++valid;
      CheckWellFormed(*decoded, limits);
    } else {
      CHECK(decoded.status().IsCorruption());
    }
  }
  // Random bytes are almost never a Kademlia message.
  CHECK(valid < 10);
}

TEST_CASE("Single-byte mutations of valid messages decode to Corruption or a well-formed message",
          "[dht][messages]") {
  Rng rng(77);
  MessageLimits limits;
  const std::vector<Message> samples = SampleMessages();
  size_t valid = 0;
  size_t changed = 0;
  for (int i = 0; i < 3000; ++i) {
    const Message& original = samples[rng.Uniform(samples.size())];
    Bytes bytes = EncodeMessage(original);
    const size_t pos = rng.Uniform(bytes.size());
    const uint8_t old_byte = bytes[pos];
    bytes[pos] = static_cast<uint8_t>(old_byte ^ (1 + rng.Uniform(255)));  // always differs
    Result<Message> decoded = DecodeMessage(bytes, limits);
    if (decoded.ok()) {
      ++valid;
      CheckWellFormed(*decoded, limits);
      changed += !(*decoded == original);
    } else {
      CHECK(decoded.status().IsCorruption());
    }
  }
  // Flipping a payload byte (an id, a value, an address) keeps the message valid but different;
  // the fuzz must have exercised both outcomes.
  CHECK(valid > 0);
  CHECK(valid < 3000);
  CHECK(changed > 0);
}

// A ping whose body carries, besides its source address, a field "x" no decoder reads, written
// by `pack_ignored`.
Bytes PingWithIgnoredField(
    const std::function<void(msgpack::packer<msgpack::sbuffer>&)>& pack_ignored) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  PackEnvelopeHead(pk, kKadProtocol, static_cast<uint8_t>(MessageKind::kPing), 7);
  pk.pack_map(2);
  pk.pack("src");
  pk.pack("10.0.0.1:4000");
  pk.pack("x");
  pack_ignored(pk);
  return Bytes(buffer.data(), buffer.data() + buffer.size());
}

TEST_CASE("DecodeMessage refuses a frame of ignored nils before building any of them",
          "[dht][messages]") {
  // 16 nested arrays of 64 (within every per-container limit and the depth limit) holding ~4 MiB
  // of nils, one byte each on the wire and a 24-byte object each if unpacked.
  const Bytes hostile = PingWithIgnoredField([](msgpack::packer<msgpack::sbuffer>& pk) {
    pk.pack_array(16);
    for (int a = 0; a < 16; ++a) {
      pk.pack_array(64);
      for (int b = 0; b < 64; ++b) {
        pk.pack_array(64);
        for (int c = 0; c < 64; ++c) {
          pk.pack_array(64);
          for (int d = 0; d < 64; ++d) pk.pack_nil();
        }
      }
    }
  });
  REQUIRE(hostile.size() > (4u << 20));
  // Unpacked, it would be over four million objects (about 100 MB with their zone); the decoder
  // counts values first and stops at the bound an honest message can reach.
  const Result<Message> decoded = DecodeMessage(hostile);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.status().IsCorruption());
  CHECK_THAT(decoded.status().ToString(), Catch::Contains("too many elements"));
  // A few ignored values (a field a newer peer might add) are still read past.
  const Bytes small = PingWithIgnoredField([](msgpack::packer<msgpack::sbuffer>& pk) {
    pk.pack_array(8);
    for (int i = 0; i < 8; ++i) pk.pack_nil();
  });
  const Result<Message> tolerant = DecodeMessage(small);
  REQUIRE(tolerant.ok());
  CHECK(tolerant->source_address == "10.0.0.1:4000");
}

TEST_CASE("DecodeMessage still reads the largest honest reply under the element bound",
          "[dht][messages]") {
  Rng rng(77);
  const MessageLimits limits;
  Message reply;
  reply.kind = MessageKind::kValue;
  reply.request_id = UINT64_MAX;
  for (size_t i = 0; i < limits.max_nodes; ++i) {
    reply.nodes.push_back(Contact{rng.NextId(), std::string(limits.max_address_bytes, 'a')});
  }
  for (size_t i = 0; i < limits.max_values; ++i) reply.values.push_back(RandomBytes(rng, 16));
  const Result<Message> decoded = DecodeMessage(EncodeMessage(reply), limits);
  REQUIRE(decoded.ok());
  CHECK(*decoded == reply);
}

}  // namespace
}  // namespace lake::dht
