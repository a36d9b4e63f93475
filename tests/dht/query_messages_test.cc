// The query protocol's messages on the wire: every kind survives EncodeQueryMessage /
// DecodeQueryMessage unchanged, a partial result splits into pieces that join back to it, and
// the decoder refuses malformed input with Corruption (a seeded fuzz loop included).
#include "dht/query_messages.h"

#include <catch2/catch.hpp>

#include <vector>

#include "common/rng.h"
#include "dht/chunk_messages.h"
#include "dht/envelope.h"
#include "tests/support/random_data.h"

namespace lake::dht {
namespace {

using testing::RandomBytes;

std::vector<QueryMessage> SampleMessages() {
  Rng rng(77);
  std::vector<QueryMessage> out;
  QueryMessage fragment;
  fragment.kind = QueryMessageKind::kFragment;
  fragment.request_id = 42;
  fragment.manifest_id = rng.NextId();
  fragment.data = RandomBytes(rng, 300);
  out.push_back(fragment);
  for (const QueryMessage& piece : PartialPieces(43, RandomBytes(rng, 1000), 400)) {
    out.push_back(piece);
  }
  QueryMessage error;
  error.kind = QueryMessageKind::kError;
  error.request_id = 44;
  error.error = Status::InvalidArgumentAt("column \"x\" does not exist", 8);
  out.push_back(error);
  QueryMessage timeout = error;
  timeout.error = Status::Timeout("past the deadline");
  out.push_back(timeout);
  QueryMessage cancel;
  cancel.kind = QueryMessageKind::kCancel;
  cancel.request_id = 45;
  out.push_back(cancel);
  QueryMessage ack;
  ack.kind = QueryMessageKind::kAck;
  ack.request_id = 46;
  ack.piece = 3;
  out.push_back(ack);
  return out;
}

TEST_CASE("Every query message kind survives an encode/decode round trip unchanged",
          "[dht][query_messages]") {
  for (const QueryMessage& m : SampleMessages()) {
    const Bytes encoded = EncodeQueryMessage(m);
    CHECK(PeekProtocol(encoded) == std::string_view(kQueryProtocol));
    Result<QueryMessage> decoded = DecodeQueryMessage(encoded);
    REQUIRE(decoded.ok());
    CHECK(*decoded == m);
  }
}

TEST_CASE("A partial result travels in pieces that join back to it", "[dht][query_messages]") {
  Rng rng(5);
  for (size_t size : {size_t{0}, size_t{1}, size_t{399}, size_t{400}, size_t{401}, size_t{1200}}) {
    const Bytes result = RandomBytes(rng, size);
    const std::vector<QueryMessage> pieces = PartialPieces(9, result, 400);
    CHECK(pieces.size() == std::max<size_t>(1, (size + 399) / 400));
    Bytes joined;
    for (size_t i = 0; i < pieces.size(); ++i) {
      CHECK(pieces[i].piece == i);
      CHECK(pieces[i].last == (i + 1 == pieces.size()));
      CHECK(pieces[i].data.size() <= 400);
      joined.insert(joined.end(), pieces[i].data.begin(), pieces[i].data.end());
    }
    CHECK(joined == result);
  }
}

TEST_CASE("DecodeQueryMessage refuses other protocols, unknown kinds and bad errors",
          "[dht][query_messages]") {
  ChunkMessage have;
  have.kind = ChunkMessageKind::kHave;
  CHECK(DecodeQueryMessage(EncodeChunkMessage(have)).status().IsCorruption());

  QueryMessage error;
  error.kind = QueryMessageKind::kError;
  error.error = Status::NotFound("chunk 1234 not held here");
  Bytes encoded = EncodeQueryMessage(error);
  // The kind is the byte after "k" in the envelope's head.
  const size_t kind_at = 4 + std::string_view(kQueryProtocol).size() + 2;
  REQUIRE(encoded[kind_at] == static_cast<uint8_t>(QueryMessageKind::kError));
  encoded[kind_at] = 9;
  CHECK(DecodeQueryMessage(encoded).status().IsCorruption());

  QueryMessageLimits small;
  small.max_data_bytes = 10;
  QueryMessage fragment;
  fragment.kind = QueryMessageKind::kFragment;
  fragment.data = Bytes(11, 1);
  CHECK(DecodeQueryMessage(EncodeQueryMessage(fragment), small).status().IsCorruption());
  fragment.data.resize(10);
  CHECK(DecodeQueryMessage(EncodeQueryMessage(fragment), small).ok());

  // Every truncation of a valid message is refused.
  const Bytes whole = EncodeQueryMessage(error);
  for (size_t n = 0; n < whole.size(); ++n) {
    CHECK(DecodeQueryMessage(ByteView(whole.data(), n)).status().IsCorruption());
  }
}

TEST_CASE("Mutated query messages decode to Corruption or a message that re-encodes to itself",
          "[dht][query_messages][fuzz]") {
  Rng rng(99);
  const std::vector<QueryMessage> samples = SampleMessages();
  size_t valid = 0;
  for (int i = 0; i < 20000; ++i) {
    Bytes bytes = EncodeQueryMessage(samples[rng.Uniform(samples.size())]);
    for (uint64_t n = 1 + rng.Uniform(3); n > 0; --n) {
      const size_t at = rng.Uniform(bytes.size());
      switch (rng.Uniform(3)) {
        case 0:
          bytes[at] = static_cast<uint8_t>(rng.Next());
          break;
        case 1:
          bytes.erase(bytes.begin() + at);
          break;
        default:
          bytes.resize(at + 1);
          break;
      }
      if (bytes.empty()) bytes.push_back(0);
    }
    Result<QueryMessage> decoded = DecodeQueryMessage(bytes);
    if (!decoded.ok()) {
      REQUIRE(decoded.status().IsCorruption());
      continue;
    }
    ++valid;
    Result<QueryMessage> again = DecodeQueryMessage(EncodeQueryMessage(*decoded));
    REQUIRE(again.ok());
    CHECK(*again == *decoded);
  }
  CHECK(valid > 0);
}

}  // namespace
}  // namespace lake::dht
