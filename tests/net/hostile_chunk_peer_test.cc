// A hostile peer of the chunk protocol against a real `p2plake node` holding one large chunk:
// pushes whose bytes are not what their id names are refused with a PUSH_ACK (the session stays
// up); a frame of a protocol the node does not speak, or a chunk message that does not decode,
// closes the session and is counted; a peer that asks for the large chunk again and again
// without reading is dropped while the node's memory stays bounded. The test authenticates with
// dht::SecureSession over raw sockets (tests/net/raw_peer.h).
#include <catch2/catch.hpp>

#include <msgpack.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/hash.h"
#include "common/msgpack_util.h"
#include "dht/chunk_messages.h"
#include "dht/envelope.h"
#include "tests/net/node_process.h"
#include "tests/net/raw_peer.h"

namespace lake::nettest {
namespace {

using dht::ChunkMessage;
using dht::ChunkMessageKind;
using dht::ObjectKind;
using nlohmann::json;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

struct ChunkTarget {
  std::unique_ptr<NodeProcess> node;
  ChunkId big_chunk;
  uint64_t big_bytes = 0;
};

// A CSV of `rows` rows of 96 random base64 characters each: barely compressible, so its chunks
// are as large as the chunk size asks.
std::string IncompressibleCsv(int rows) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::mt19937 rng(5);
  std::string csv = "id,blob\n";
  for (int i = 0; i < rows; ++i) {
    csv += std::to_string(i) + ",";
    for (int c = 0; c < 96; ++c) csv += kAlphabet[rng() % 64];
    csv += "\n";
  }
  return csv;
}

// The node every test in this file targets, started once on a data directory where `p2plake
// import` left a dataset whose largest chunk is about 2.7 MB.
ChunkTarget& Target() {
  static ChunkTarget target;
  if (!target.node) {
    const std::string dir = FreshTestDir("hostile-chunk");
    const std::string csv = WriteFile(dir + "/big.csv", IncompressibleCsv(30'000));
    const RunResult import = RunP2plake({"import", "--data-dir", dir + "/node", "--name", "big",
                                         "--chunk-size", "3000000", "--json", csv});
    INFO(import.out << import.err);
    REQUIRE(import.exit_code == 0);
    const json summary = json::parse(import.out);
    for (const json& chunk : summary["chunks"]) {
      if (chunk["bytes"].get<uint64_t>() > target.big_bytes) {
        target.big_bytes = chunk["bytes"].get<uint64_t>();
        const std::optional<ChunkId> id = ChunkId::FromHex(chunk["id"].get<std::string>());
        REQUIRE(id);
        target.big_chunk = *id;
      }
    }
    REQUIRE(target.big_bytes > (2 << 20));
    target.node = std::make_unique<NodeProcess>(dir + "/node");
    const bool started = target.node->Start();
    INFO(target.node->error());
    REQUIRE(started);
  }
  REQUIRE(target.node->running());
  return target;
}

bool SendChunkMessage(RawPeer& peer, dht::SecureSession& session, const ChunkMessage& message) {
  return SendPayload(peer, session, dht::EncodeChunkMessage(message));
}

// The node's reply of `kind` to our request `request_id` (other payloads are skipped).
std::optional<ChunkMessage> AwaitReply(RawPeer& peer, dht::SecureSession& session,
                                       ChunkMessageKind kind, uint64_t request_id) {
  std::optional<Bytes> payload = AwaitPayload(peer, session, [&](const Bytes& bytes) {
    Result<ChunkMessage> m = dht::DecodeChunkMessage(bytes);
    return m.ok() && m->kind == kind && m->request_id == request_id;
  });
  if (!payload) return std::nullopt;
  return *dht::DecodeChunkMessage(*payload);
}

ChunkMessage Fetch(uint64_t request_id, ObjectKind object, const Id& id) {
  ChunkMessage fetch;
  fetch.kind = ChunkMessageKind::kFetch;
  fetch.request_id = request_id;
  fetch.object = object;
  fetch.id = id;
  return fetch;
}

ChunkMessage Push(uint64_t request_id, ObjectKind object, const Id& id, Bytes data) {
  ChunkMessage push;
  push.kind = ChunkMessageKind::kPush;
  push.request_id = request_id;
  push.object = object;
  push.id = id;
  push.data = std::move(data);
  return push;
}

// replication.pushesRefused from /api/status, where the node reports it.
std::optional<uint64_t> PushesRefused(const NodeProcess& node) {
  std::optional<json> status = GetJson(node.http_port(), "/api/status");
  if (!status || !status->contains("replication") ||
      !(*status)["replication"]["pushesRefused"].is_number_unsigned()) {
    return std::nullopt;
  }
  return (*status)["replication"]["pushesRefused"].get<uint64_t>();
}

TEST_CASE("Pushes whose bytes are not what their id names are refused with an ack", "[net]") {
  ChunkTarget& target = Target();
  NodeProcess& node = *target.node;
  const uint64_t dropped_before = DroppedNow(node);
  const std::optional<uint64_t> refused_before = PushesRefused(node);
  RawPeer peer(node.p2p_port());
  REQUIRE(peer.connected());
  dht::SecureSession session(dht::SecureSession::Role::kInitiator, TestIdentity(0xe1),
                             EphemeralSeed(), NodeIdOf(node));
  REQUIRE(Handshake(peer, session));

  // Genuine chunk bytes, fetched from the node.
  REQUIRE(SendChunkMessage(peer, session, Fetch(1, ObjectKind::kChunk, target.big_chunk)));
  std::optional<ChunkMessage> fetched =
      AwaitReply(peer, session, ChunkMessageKind::kFetchReply, 1);
  REQUIRE(fetched);
  REQUIRE(fetched->ok);
  REQUIRE(fetched->data.size() == target.big_bytes);
  REQUIRE(Blake2b256(fetched->data) == target.big_chunk);

  std::mt19937 rng(21);
  Bytes junk(5000);
  for (uint8_t& b : junk) b = static_cast<uint8_t>(rng());
  std::array<uint8_t, 32> wrong_bytes = target.big_chunk.bytes();
  wrong_bytes[31] ^= 0x01;
  const Id wrong_id(wrong_bytes);
  const std::vector<ChunkMessage> refused{
      // A real chunk under an id one bit off.
      Push(10, ObjectKind::kChunk, wrong_id, fetched->data),
      // Bytes under their own hash, but no chunk and no manifest.
      Push(11, ObjectKind::kChunk, Blake2b256(junk), junk),
      Push(12, ObjectKind::kManifest, Blake2b256(junk), junk),
  };
  for (const ChunkMessage& push : refused) {
    INFO("push " << push.request_id);
    REQUIRE(SendChunkMessage(peer, session, push));
    std::optional<ChunkMessage> ack = AwaitReply(peer, session, ChunkMessageKind::kPushAck,
                                                 push.request_id);
    REQUIRE(ack);
    CHECK_FALSE(ack->ok);
    CHECK_FALSE(ack->error.empty());
  }
  // Control: the same chunk under its true id is acked.
  REQUIRE(SendChunkMessage(peer, session,
                           Push(13, ObjectKind::kChunk, target.big_chunk, fetched->data)));
  std::optional<ChunkMessage> ack = AwaitReply(peer, session, ChunkMessageKind::kPushAck, 13);
  REQUIRE(ack);
  CHECK(ack->ok);
  // Nothing refused was stored, and the session still serves us.
  for (const ChunkMessage& push : refused) {
    const uint64_t request = 100 + push.request_id;
    REQUIRE(SendChunkMessage(peer, session, Fetch(request, push.object, push.id)));
    std::optional<ChunkMessage> reply =
        AwaitReply(peer, session, ChunkMessageKind::kFetchReply, request);
    REQUIRE(reply);
    CHECK_FALSE(reply->ok);
  }
  CHECK(peer.StillOpen());
  CHECK(DroppedNow(node) == dropped_before);  // a refusal is no protocol violation
  // The keeper counts refusals; /api/status reports them once it shows replication counters.
  if (refused_before) CHECK(PushesRefused(node) == *refused_before + refused.size());
}

TEST_CASE("A frame of no protocol the node speaks closes the session and is counted", "[net]") {
  NodeProcess& node = *Target().node;
  const uint64_t dropped_before = DroppedNow(node);
  RawPeer peer(node.p2p_port());
  REQUIRE(peer.connected());
  dht::SecureSession session(dht::SecureSession::Role::kInitiator, TestIdentity(0xe2),
                             EphemeralSeed(), NodeIdOf(node));
  REQUIRE(Handshake(peer, session));
  // Control: a well-formed request on this session is answered.
  REQUIRE(SendChunkMessage(peer, session, Fetch(1, ObjectKind::kManifest, Id())));
  REQUIRE(AwaitReply(peer, session, ChunkMessageKind::kFetchReply, 1));

  const auto envelope = [](std::string_view protocol, uint8_t kind) {
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> pk(buffer);
    dht::PackEnvelopeHead(pk, protocol, kind, 2);
    pk.pack_map(0);
    return BufferBytes(buffer);
  };
  SECTION("an envelope of an unknown protocol") {
    REQUIRE(SendPayload(peer, session, envelope("/lake/evil/1", 1)));
  }
  SECTION("a payload that is no envelope") {
    REQUIRE(SendPayload(peer, session, Bytes{0xc1, 0x00, 0x01}));
  }
  SECTION("a chunk message of an unknown kind") {
    REQUIRE(SendPayload(peer, session, envelope(dht::kChunkProtocol, 99)));
  }
  CHECK(peer.WaitClosed(kIoTimeout));
  CheckStillServingAndCounted(node, dropped_before);
}

TEST_CASE("A peer that fetches a large chunk over and over without reading is dropped",
          "[net]") {
  ChunkTarget& target = Target();
  NodeProcess& node = *target.node;
  const uint64_t dropped_before = DroppedNow(node);
  const uint64_t rss_before = ResidentBytes(node.pid());
  REQUIRE(rss_before > 0);
  RawPeer peer(node.p2p_port());
  REQUIRE(peer.connected());
  dht::SecureSession session(dht::SecureSession::Role::kInitiator, TestIdentity(0xe3),
                             EphemeralSeed(), NodeIdOf(node));
  REQUIRE(Handshake(peer, session));

  // 400 requests in one burst (under the per-peer frame rate): about 1 GB of replies.
  const int kRequests = 400;
  for (int i = 0; i < kRequests; ++i) {
    REQUIRE(session.Send(dht::EncodeChunkMessage(
                             Fetch(1000 + i, ObjectKind::kChunk, target.big_chunk)))
                .ok());
  }
  REQUIRE(peer.Send(session.TakeOutput()));

  // Read nothing; watch the node drop us and its memory meanwhile.
  uint64_t rss_peak = rss_before;
  std::optional<uint64_t> dropped;
  const bool was_dropped = Eventually(
      [&] {
        rss_peak = std::max(rss_peak, ResidentBytes(node.pid()));
        dropped = SessionsDropped(node);
        return dropped && *dropped > dropped_before;
      },
      seconds(15), std::chrono::milliseconds(20));
  // Memory settles once the replies meant for us are gone.
  for (int i = 0; i < 25; ++i) {
    rss_peak = std::max(rss_peak, ResidentBytes(node.pid()));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  INFO("RSS " << (rss_before >> 20) << " MB before, peak " << (rss_peak >> 20) << " MB");
  CHECK(was_dropped);
  CHECK(rss_peak < (300u << 20));

  // Reading now gets what the node had sent before it dropped us, then the end of the stream.
  uint64_t drained = 0;
  bool closed = false;
  const auto deadline = Clock::now() + seconds(10);
  while (!closed && Clock::now() < deadline) {
    Bytes in;
    switch (peer.ReadSome(&in, std::chrono::milliseconds(500))) {
      case RawPeer::ReadEnd::kData:
        drained += in.size();
        break;
      case RawPeer::ReadEnd::kClosed:
        closed = true;
        break;
      case RawPeer::ReadEnd::kTimeout:
        break;
    }
  }
  INFO("drained " << (drained >> 20) << " MB of " << ((kRequests * target.big_bytes) >> 20)
                  << " MB asked for");
  CHECK(closed);
  CHECK(drained < kRequests * target.big_bytes / 4);
  CheckStillServingAndCounted(node, dropped_before);
}

}  // namespace
}  // namespace lake::nettest
