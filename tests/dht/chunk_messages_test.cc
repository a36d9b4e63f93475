// The chunk protocol's messages on the wire: every kind survives
// EncodeChunkMessage/DecodeChunkMessage unchanged, and the decoder refuses malformed or
// over-limit input with Corruption. A seeded fuzz loop mutates valid messages: nothing crashes, and whatever
// decodes re-encodes to a message that decodes equal.
#include "dht/chunk_messages.h"

#include <catch2/catch.hpp>

#include <msgpack.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "common/msgpack_util.h"
#include "common/rng.h"
#include "tests/support/random_data.h"

namespace lake::dht {
namespace {

using testing::RandomBytes;

using Packer = msgpack::packer<msgpack::sbuffer>;

// One realistic message of every kind, and the variants of each (fields a kind does not carry
// keep their defaults, since they are not on the wire).
std::vector<ChunkMessage> SampleMessages() {
  Rng rng(1234);
  std::vector<ChunkMessage> out;

  ChunkMessage push;
  push.kind = ChunkMessageKind::kPush;
  push.request_id = 0x0123456789abcdefull;
  push.object = ObjectKind::kChunk;
  push.id = rng.NextId();
  push.data = RandomBytes(rng, 300);
  out.push_back(push);

  ChunkMessage push_manifest = push;
  push_manifest.object = ObjectKind::kManifest;
  push_manifest.request_id = UINT64_MAX;
  push_manifest.data = RandomBytes(rng, 40);
  out.push_back(push_manifest);

  ChunkMessage push_empty = push;
  push_empty.request_id = 0;
  push_empty.data.clear();
  out.push_back(push_empty);

  ChunkMessage ack;
  ack.kind = ChunkMessageKind::kPushAck;
  ack.request_id = 17;
  ack.ok = true;
  out.push_back(ack);

  ChunkMessage nack = ack;
  nack.ok = false;
  nack.error = "bytes do not match their id";
  out.push_back(nack);

  ChunkMessage fetch;
  fetch.kind = ChunkMessageKind::kFetch;
  fetch.request_id = 18;
  fetch.object = ObjectKind::kChunk;
  fetch.id = rng.NextId();
  out.push_back(fetch);

  ChunkMessage fetch_manifest = fetch;
  fetch_manifest.object = ObjectKind::kManifest;
  out.push_back(fetch_manifest);

  ChunkMessage reply;
  reply.kind = ChunkMessageKind::kFetchReply;
  reply.request_id = 18;
  reply.ok = true;
  reply.data = RandomBytes(rng, 200);
  out.push_back(reply);

  ChunkMessage reply_empty = reply;
  reply_empty.data.clear();
  out.push_back(reply_empty);

  ChunkMessage reply_failed;
  reply_failed.kind = ChunkMessageKind::kFetchReply;
  reply_failed.request_id = 19;
  reply_failed.ok = false;
  reply_failed.error = "not held here";
  out.push_back(reply_failed);

  ChunkMessage have;
  have.kind = ChunkMessageKind::kHave;
  have.request_id = 20;
  for (int i = 0; i < 5; ++i) have.ids.push_back(rng.NextId());
  out.push_back(have);

  ChunkMessage have_none;
  have_none.kind = ChunkMessageKind::kHave;
  have_none.request_id = 21;
  out.push_back(have_none);

  ChunkMessage have_reply;
  have_reply.kind = ChunkMessageKind::kHaveReply;
  have_reply.request_id = 20;
  have_reply.have = {true, false, false, true, true};
  out.push_back(have_reply);

  ChunkMessage catalog;
  catalog.kind = ChunkMessageKind::kCatalog;
  catalog.full = true;
  catalog.range_low = "events";
  catalog.range_high = "products";
  catalog.pointers = {RandomBytes(rng, 180), RandomBytes(rng, 1), Bytes{}};
  out.push_back(catalog);

  ChunkMessage gossip;
  gossip.kind = ChunkMessageKind::kCatalog;
  gossip.full = false;
  gossip.pointers = {RandomBytes(rng, 200)};
  out.push_back(gossip);

  ChunkMessage empty_catalog;
  empty_catalog.kind = ChunkMessageKind::kCatalog;
  empty_catalog.full = true;
  out.push_back(empty_catalog);
  return out;
}

// An envelope packed by hand: `body` writes the body.
Bytes Envelope(const std::string& protocol, uint64_t kind, uint64_t request_id,
               const std::function<void(Packer&)>& body) {
  msgpack::sbuffer buffer;
  Packer pk(buffer);
  pk.pack_map(4);
  pk.pack("p");
  pk.pack(protocol);
  pk.pack("k");
  pk.pack(kind);
  pk.pack("r");
  pk.pack(request_id);
  pk.pack("b");
  body(pk);
  return BufferBytes(buffer);
}

void PackBytes(Packer& pk, const Bytes& bytes) { PackBin(pk, bytes.data(), bytes.size()); }

void ExpectCorrupt(const Bytes& bytes, const ChunkMessageLimits& limits = ChunkMessageLimits()) {
  Result<ChunkMessage> decoded = DecodeChunkMessage(bytes, limits);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.status().IsCorruption());
}

// A decoded message must respect the limits it was decoded under, and encode back to itself.
void CheckWellFormed(const ChunkMessage& m, const ChunkMessageLimits& limits) {
  CHECK(static_cast<int>(m.kind) >= 1);
  CHECK(static_cast<int>(m.kind) <= 7);
  CHECK((m.object == ObjectKind::kChunk || m.object == ObjectKind::kManifest));
  CHECK(m.data.size() <= limits.max_data_bytes);
  CHECK(m.error.size() <= limits.max_error_bytes);
  CHECK(m.ids.size() <= limits.max_ids);
  CHECK(m.have.size() <= limits.max_ids);
  CHECK(m.pointers.size() <= limits.max_pointers);
  for (const Bytes& p : m.pointers) CHECK(p.size() <= limits.max_pointer_bytes);
  Result<ChunkMessage> again = DecodeChunkMessage(EncodeChunkMessage(m), limits);
  REQUIRE(again.ok());
  CHECK(*again == m);
}

TEST_CASE("Every chunk message kind survives an encode/decode round trip unchanged",
          "[dht][chunk_messages]") {
  std::vector<bool> seen(8, false);
  for (const ChunkMessage& m : SampleMessages()) {
    INFO("kind " << static_cast<int>(m.kind));
    Result<ChunkMessage> decoded = DecodeChunkMessage(EncodeChunkMessage(m));
    REQUIRE(decoded.ok());
    CHECK(*decoded == m);
    seen[static_cast<int>(m.kind)] = true;
  }
  for (int kind = 1; kind <= 7; ++kind) CHECK(seen[kind]);
}

TEST_CASE("Chunk messages decode at exactly their limits", "[dht][chunk_messages]") {
  Rng rng(3);
  const ChunkMessageLimits limits;

  ChunkMessage push;
  push.kind = ChunkMessageKind::kPush;
  push.id = rng.NextId();
  push.data = RandomBytes(rng, limits.max_data_bytes);
  Result<ChunkMessage> decoded = DecodeChunkMessage(EncodeChunkMessage(push), limits);
  REQUIRE(decoded.ok());
  CHECK(*decoded == push);

  ChunkMessage have;
  have.kind = ChunkMessageKind::kHave;
  for (size_t i = 0; i < limits.max_ids; ++i) have.ids.push_back(rng.NextId());
  decoded = DecodeChunkMessage(EncodeChunkMessage(have), limits);
  REQUIRE(decoded.ok());
  CHECK(*decoded == have);

  ChunkMessage have_reply;
  have_reply.kind = ChunkMessageKind::kHaveReply;
  have_reply.have.assign(limits.max_ids, true);
  decoded = DecodeChunkMessage(EncodeChunkMessage(have_reply), limits);
  REQUIRE(decoded.ok());
  CHECK(*decoded == have_reply);

  ChunkMessage catalog;
  catalog.kind = ChunkMessageKind::kCatalog;
  catalog.pointers.assign(limits.max_pointers, RandomBytes(rng, limits.max_pointer_bytes));
  decoded = DecodeChunkMessage(EncodeChunkMessage(catalog), limits);
  REQUIRE(decoded.ok());
  CHECK(*decoded == catalog);

  ChunkMessage nack;
  nack.kind = ChunkMessageKind::kPushAck;
  nack.ok = false;
  nack.error = std::string(limits.max_error_bytes, 'e');
  decoded = DecodeChunkMessage(EncodeChunkMessage(nack), limits);
  REQUIRE(decoded.ok());
  CHECK(*decoded == nack);
}

TEST_CASE("Chunk messages one past a limit are Corruption", "[dht][chunk_messages]") {
  Rng rng(4);
  ChunkMessageLimits limits;

  SECTION("data one byte over max_data_bytes, in a push and in a fetch reply") {
    limits.max_data_bytes = 1000;
    ChunkMessage push;
    push.kind = ChunkMessageKind::kPush;
    push.id = rng.NextId();
    push.data = RandomBytes(rng, 1000);
    REQUIRE(DecodeChunkMessage(EncodeChunkMessage(push), limits).ok());
    push.data.push_back(0);
    ExpectCorrupt(EncodeChunkMessage(push), limits);

    ChunkMessage reply;
    reply.kind = ChunkMessageKind::kFetchReply;
    reply.data = RandomBytes(rng, 1001);
    ExpectCorrupt(EncodeChunkMessage(reply), limits);
  }
  SECTION("data one byte over the default max_data_bytes") {
    ChunkMessage push;
    push.kind = ChunkMessageKind::kPush;
    push.data.assign(limits.max_data_bytes + 1, 0x5a);
    ExpectCorrupt(EncodeChunkMessage(push), limits);
  }
  SECTION("more ids than max_ids, and a have reply longer than max_ids") {
    limits.max_ids = 10;
    ChunkMessage have;
    have.kind = ChunkMessageKind::kHave;
    for (int i = 0; i < 10; ++i) have.ids.push_back(rng.NextId());
    REQUIRE(DecodeChunkMessage(EncodeChunkMessage(have), limits).ok());
    have.ids.push_back(rng.NextId());
    ExpectCorrupt(EncodeChunkMessage(have), limits);

    ChunkMessage reply;
    reply.kind = ChunkMessageKind::kHaveReply;
    reply.have.assign(10, false);
    REQUIRE(DecodeChunkMessage(EncodeChunkMessage(reply), limits).ok());
    reply.have.push_back(true);
    ExpectCorrupt(EncodeChunkMessage(reply), limits);
  }
  SECTION("more pointers than max_pointers") {
    limits.max_pointers = 3;
    ChunkMessage catalog;
    catalog.kind = ChunkMessageKind::kCatalog;
    catalog.pointers.assign(3, Bytes{1, 2});
    REQUIRE(DecodeChunkMessage(EncodeChunkMessage(catalog), limits).ok());
    catalog.pointers.push_back(Bytes{3});
    ExpectCorrupt(EncodeChunkMessage(catalog), limits);
  }
  SECTION("a pointer one byte over max_pointer_bytes") {
    ChunkMessage catalog;
    catalog.kind = ChunkMessageKind::kCatalog;
    catalog.pointers = {Bytes{7}, RandomBytes(rng, limits.max_pointer_bytes)};
    REQUIRE(DecodeChunkMessage(EncodeChunkMessage(catalog), limits).ok());
    catalog.pointers.back().push_back(0);
    ExpectCorrupt(EncodeChunkMessage(catalog), limits);
  }
  SECTION("an error one byte over max_error_bytes") {
    ChunkMessage nack;
    nack.kind = GENERATE(ChunkMessageKind::kPushAck, ChunkMessageKind::kFetchReply);
    nack.ok = false;
    nack.error = std::string(limits.max_error_bytes + 1, 'e');
    ExpectCorrupt(EncodeChunkMessage(nack), limits);
  }
}

TEST_CASE("DecodeChunkMessage rejects unknown kinds, objects and protocols",
          "[dht][chunk_messages]") {
  const Bytes id(32, 0xab);
  // A body with every field any kind could want, so only the envelope is wrong.
  const auto full_body = [&](uint64_t object) {
    return [&, object](Packer& pk) {
      pk.pack_map(9);
      pk.pack("o");
      pk.pack(object);
      pk.pack("id");
      PackBytes(pk, id);
      pk.pack("data");
      PackBytes(pk, Bytes{1, 2, 3});
      pk.pack("ok");
      pk.pack(true);
      pk.pack("ids");
      pk.pack_array(0);
      pk.pack("have");
      pk.pack_array(0);
      pk.pack("full");
      pk.pack(false);
      pk.pack("ptrs");
      pk.pack_array(0);
      pk.pack("err");
      pk.pack("x");
    };
  };
  for (uint64_t kind = 1; kind <= 7; ++kind) {
    INFO("kind " << kind);
    CHECK(DecodeChunkMessage(Envelope(kChunkProtocol, kind, 1, full_body(1))).ok());
  }
  for (uint64_t kind : {0ull, 8ull, 255ull, 256ull, 1ull << 40}) {
    INFO("kind " << kind);
    ExpectCorrupt(Envelope(kChunkProtocol, kind, 1, full_body(1)));
  }
  for (uint64_t kind : {1ull, 3ull}) {  // the kinds that name an object
    CHECK(DecodeChunkMessage(Envelope(kChunkProtocol, kind, 1, full_body(2))).ok());
    for (uint64_t object : {0ull, 3ull, 255ull, 1ull << 33}) {
      INFO("kind " << kind << " object " << object);
      ExpectCorrupt(Envelope(kChunkProtocol, kind, 1, full_body(object)));
    }
  }
  for (const char* protocol : {"/lake/kad/1", "/lake/chunk/2", "", "/lake/chunk/1/"}) {
    INFO("protocol " << protocol);
    ExpectCorrupt(Envelope(protocol, 1, 1, full_body(1)));
  }
}

TEST_CASE("DecodeChunkMessage rejects fields of the wrong type or missing",
          "[dht][chunk_messages]") {
  const Bytes id(32, 0xab);
  const Bytes short_id(31, 0xab);
  const auto envelope = [](ChunkMessageKind kind, const std::function<void(Packer&)>& body) {
    return Envelope(kChunkProtocol, static_cast<uint64_t>(kind), 9, body);
  };

  SECTION("an envelope whose body is not a map") {
    ExpectCorrupt(envelope(ChunkMessageKind::kHave, [](Packer& pk) { pk.pack_array(0); }));
  }
  SECTION("an envelope whose request id is a string") {
    msgpack::sbuffer buffer;
    Packer pk(buffer);
    pk.pack_map(4);
    pk.pack("p");
    pk.pack(std::string(kChunkProtocol));
    pk.pack("k");
    pk.pack(5);
    pk.pack("r");
    pk.pack("9");
    pk.pack("b");
    pk.pack_map(1);
    pk.pack("ids");
    pk.pack_array(0);
    ExpectCorrupt(BufferBytes(buffer));
  }
  SECTION("a push whose object kind is a string") {
    ExpectCorrupt(envelope(ChunkMessageKind::kPush, [&](Packer& pk) {
      pk.pack_map(3);
      pk.pack("o");
      pk.pack("chunk");
      pk.pack("id");
      PackBytes(pk, id);
      pk.pack("data");
      PackBytes(pk, Bytes{1});
    }));
  }
  SECTION("a push whose id is 31 bytes") {
    ExpectCorrupt(envelope(ChunkMessageKind::kPush, [&](Packer& pk) {
      pk.pack_map(3);
      pk.pack("o");
      pk.pack(1);
      pk.pack("id");
      PackBytes(pk, short_id);
      pk.pack("data");
      PackBytes(pk, Bytes{1});
    }));
  }
  SECTION("a push whose data is a string") {
    ExpectCorrupt(envelope(ChunkMessageKind::kPush, [&](Packer& pk) {
      pk.pack_map(3);
      pk.pack("o");
      pk.pack(1);
      pk.pack("id");
      PackBytes(pk, id);
      pk.pack("data");
      pk.pack("abc");
    }));
  }
  SECTION("a push without data") {
    ExpectCorrupt(envelope(ChunkMessageKind::kPush, [&](Packer& pk) {
      pk.pack_map(2);
      pk.pack("o");
      pk.pack(1);
      pk.pack("id");
      PackBytes(pk, id);
    }));
  }
  SECTION("a fetch without an id") {
    ExpectCorrupt(envelope(ChunkMessageKind::kFetch, [&](Packer& pk) {
      pk.pack_map(1);
      pk.pack("o");
      pk.pack(1);
    }));
  }
  SECTION("a push ack whose ok is a number") {
    ExpectCorrupt(envelope(ChunkMessageKind::kPushAck, [](Packer& pk) {
      pk.pack_map(1);
      pk.pack("ok");
      pk.pack(1);
    }));
  }
  SECTION("a refusing push ack without its error") {
    ExpectCorrupt(envelope(ChunkMessageKind::kPushAck, [](Packer& pk) {
      pk.pack_map(1);
      pk.pack("ok");
      pk.pack(false);
    }));
  }
  SECTION("a failed fetch reply whose error is bytes") {
    ExpectCorrupt(envelope(ChunkMessageKind::kFetchReply, [](Packer& pk) {
      pk.pack_map(2);
      pk.pack("ok");
      pk.pack(false);
      pk.pack("err");
      PackBytes(pk, Bytes{'n', 'o'});
    }));
  }
  SECTION("a successful fetch reply without data") {
    ExpectCorrupt(envelope(ChunkMessageKind::kFetchReply, [](Packer& pk) {
      pk.pack_map(1);
      pk.pack("ok");
      pk.pack(true);
    }));
  }
  SECTION("a have whose ids are a map") {
    ExpectCorrupt(envelope(ChunkMessageKind::kHave, [](Packer& pk) {
      pk.pack_map(1);
      pk.pack("ids");
      pk.pack_map(0);
    }));
  }
  SECTION("a have with one 31-byte id among good ones") {
    ExpectCorrupt(envelope(ChunkMessageKind::kHave, [&](Packer& pk) {
      pk.pack_map(1);
      pk.pack("ids");
      pk.pack_array(3);
      PackBytes(pk, id);
      PackBytes(pk, short_id);
      PackBytes(pk, id);
    }));
  }
  SECTION("a have reply holding a number") {
    ExpectCorrupt(envelope(ChunkMessageKind::kHaveReply, [](Packer& pk) {
      pk.pack_map(1);
      pk.pack("have");
      pk.pack_array(2);
      pk.pack(true);
      pk.pack(0);
    }));
  }
  SECTION("a catalog without full") {
    ExpectCorrupt(envelope(ChunkMessageKind::kCatalog, [](Packer& pk) {
      pk.pack_map(1);
      pk.pack("ptrs");
      pk.pack_array(0);
    }));
  }
  SECTION("a catalog whose pointer is a string") {
    ExpectCorrupt(envelope(ChunkMessageKind::kCatalog, [](Packer& pk) {
      pk.pack_map(2);
      pk.pack("full");
      pk.pack(true);
      pk.pack("ptrs");
      pk.pack_array(1);
      pk.pack("pointer");
    }));
  }
}

TEST_CASE("Every truncation of a valid chunk message is Corruption", "[dht][chunk_messages]") {
  for (const ChunkMessage& m : SampleMessages()) {
    const Bytes bytes = EncodeChunkMessage(m);
    for (size_t n = 0; n < bytes.size(); ++n) {
      Result<ChunkMessage> decoded = DecodeChunkMessage(ByteView(bytes.data(), n));
      if (decoded.ok() || !decoded.status().IsCorruption()) {
        FAIL("kind " << static_cast<int>(m.kind) << " truncated to " << n << " of " << bytes.size()
                     << " bytes: " << decoded.status().ToString());
      }
    }
    Bytes longer = bytes;
    longer.push_back(0xc0);  // a trailing msgpack nil
    ExpectCorrupt(longer);
  }
}

// Applies one random mutation: flip, overwrite, insert, delete, truncate, or splice bytes from
// another message.
void Mutate(Rng& rng, Bytes* bytes, const std::vector<Bytes>& donors) {
  const size_t size = bytes->size();
  const size_t pos = size == 0 ? 0 : rng.Uniform(size);
  switch (rng.Uniform(6)) {
    case 0:
      if (size > 0) (*bytes)[pos] ^= static_cast<uint8_t>(1u << rng.Uniform(8));
      break;
    case 1:
      if (size > 0) (*bytes)[pos] = static_cast<uint8_t>(rng.Next());
      break;
    case 2:
      bytes->insert(bytes->begin() + static_cast<ptrdiff_t>(pos), static_cast<uint8_t>(rng.Next()));
      break;
    case 3:
      if (size > 0) bytes->erase(bytes->begin() + static_cast<ptrdiff_t>(pos));
      break;
    case 4:
      bytes->resize(pos);
      break;
    default: {
      const Bytes& donor = donors[rng.Uniform(donors.size())];
      const size_t from = rng.Uniform(donor.size());
      const size_t length = 1 + rng.Uniform(std::min<size_t>(16, donor.size() - from));
      bytes->insert(bytes->begin() + static_cast<ptrdiff_t>(pos),
                    donor.begin() + static_cast<ptrdiff_t>(from),
                    donor.begin() + static_cast<ptrdiff_t>(from + length));
      break;
    }
  }
}

TEST_CASE("Mutated chunk messages decode to Corruption or a message that re-encodes to itself",
          "[dht][chunk_messages][fuzz]") {
  Rng rng(20240612);
  ChunkMessageLimits limits;
  limits.max_data_bytes = 256;  // some samples' data is over it: mutations hit the limit too
  limits.max_pointer_bytes = 190;
  limits.max_error_bytes = 20;
  limits.max_ids = 6;
  const std::vector<ChunkMessage> samples = SampleMessages();
  std::vector<Bytes> encoded;
  for (const ChunkMessage& m : samples) encoded.push_back(EncodeChunkMessage(m));
  size_t valid = 0;
  size_t changed = 0;
  const auto started = std::chrono::steady_clock::now();
  const int kIterations = 50000;
  for (int i = 0; i < kIterations; ++i) {
    const size_t which = rng.Uniform(samples.size());
    Bytes bytes = encoded[which];
    const uint64_t mutations = 1 + rng.Uniform(3);
    for (uint64_t n = 0; n < mutations; ++n) Mutate(rng, &bytes, encoded);
    Result<ChunkMessage> decoded = DecodeChunkMessage(bytes, limits);
    if (decoded.ok()) {
      ++valid;
      CheckWellFormed(*decoded, limits);
      changed += !(*decoded == samples[which]);
    } else if (!decoded.status().IsCorruption()) {
      FAIL("iteration " << i << ": " << decoded.status().ToString());
    }
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  INFO("valid " << valid << " changed " << changed << " in "
                << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
                << " ms");
  // Mutating payload bytes (ids, data, pointers) keeps a message valid but different, so the
  // fuzz must have seen both outcomes.
  CHECK(valid > 0);
  CHECK(valid < kIterations);
  CHECK(changed > 0);
}

}  // namespace
}  // namespace lake::dht
