// A hostile peer against a real `p2plake node` ("a malformed, oversized or
// unauthenticated frame closes that session and is counted; the node keeps serving everyone
// else"). The test speaks to the node's p2p port over raw POSIX sockets, using dht::SecureSession
// as the initiator where it needs the real protocol, and checks after each attack that the node
// closed the connection, counted the dropped session and still answers /api/health.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "common/bytes.h"
#include "common/hash.h"
#include "common/id.h"
#include "dht/identity.h"
#include "dht/messages.h"
#include "dht/secure_session.h"
#include "tests/net/node_process.h"
#include "tests/net/raw_peer.h"

namespace lake::nettest {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// The node all attacks in this file target, started once: it must survive all of them.
NodeProcess& TargetNode() {
  static std::unique_ptr<NodeProcess> node;
  if (!node) {
    node = std::make_unique<NodeProcess>(FreshTestDir("hostile") + "/target");
    const bool started = node->Start();
    INFO(node->error());
    REQUIRE(started);
  }
  REQUIRE(node->running());
  return *node;
}

// The AUTH frame body of the wire protocol: msgpack {"sig": bin(64)}.
Bytes AuthFrame(const dht::Identity::Signature& signature) {
  Bytes body{0x81, 0xa3, 's', 'i', 'g', 0xc4, 0x40};
  body.insert(body.end(), signature.begin(), signature.end());
  return Frame(body);
}

// Reads DATA frames until one decrypts to a PONG for `request_id`.
bool AwaitPong(RawPeer& peer, dht::SecureSession& session, uint64_t request_id) {
  return AwaitPayload(peer, session, [&](const Bytes& payload) {
           Result<dht::Message> message = dht::DecodeMessage(payload);
           return message.ok() && message->kind == dht::MessageKind::kPong &&
                  message->request_id == request_id;
         }).has_value();
}

dht::Message Ping(uint64_t request_id) {
  dht::Message ping;
  ping.kind = dht::MessageKind::kPing;
  ping.request_id = request_id;
  ping.source_address = "127.0.0.1:1";  // nobody listens there
  return ping;
}

TEST_CASE("A peer sending malformed or oversized frames is disconnected and counted", "[net]") {
  NodeProcess& node = TargetNode();
  const uint64_t dropped_before = DroppedNow(node);
  RawPeer peer(node.p2p_port());
  REQUIRE(peer.connected());

  SECTION("a frame of random bytes instead of a HELLO") {
    std::mt19937 rng(7);
    Bytes noise(4092);
    for (uint8_t& b : noise) b = static_cast<uint8_t>(rng());
    noise[0] = 0xc1;  // never used in msgpack: the body cannot parse as a HELLO by chance
    REQUIRE(peer.Send(Frame(noise)));
    CHECK(peer.WaitClosed(kIoTimeout));
  }

  SECTION("unframed random garbage") {
    std::mt19937 rng(11);
    Bytes noise(16 << 10);
    for (uint8_t& b : noise) b = static_cast<uint8_t>(rng());
    noise[0] = 0x9e;         // the first "length" is about 2.6 GiB: over the limit at once
    (void)peer.Send(noise);  // the node may reset the connection before it has all of it
    CHECK(peer.WaitClosed(kIoTimeout));
  }

  SECTION("a length prefix of 0xFFFFFFFF is refused before any body arrives") {
    std::optional<json> status = GetJson(node.http_port(), "/api/status");
    REQUIRE(status);
    const uint64_t rss_before = (*status)["memoryUsage"]["rss"];
    const Bytes prefix{0xff, 0xff, 0xff, 0xff};
    REQUIRE(peer.Send(prefix));
    CHECK(peer.WaitClosed(kIoTimeout));
    std::optional<json> after = GetJson(node.http_port(), "/api/status");
    REQUIRE(after);
    const uint64_t rss_after = (*after)["memoryUsage"]["rss"];
    CHECK(rss_after < rss_before + (64 << 20));  // nothing near 4 GiB was reserved
  }

  SECTION("a HELLO of an unknown protocol version") {
    // {"v": 2, "eph": bin(32), "pk": bin(32)}
    Bytes body{0x83, 0xa1, 'v', 0x02, 0xa3, 'e', 'p', 'h', 0xc4, 0x20};
    body.insert(body.end(), 32, 0x11);
    body.insert(body.end(), {0xa2, 'p', 'k', 0xc4, 0x20});
    body.insert(body.end(), 32, 0x22);
    REQUIRE(peer.Send(Frame(body)));
    CHECK(peer.WaitClosed(kIoTimeout));
  }

  CheckStillServingAndCounted(node, dropped_before);
}

TEST_CASE("A peer that cannot prove the identity it claims is disconnected and counted", "[net]") {
  NodeProcess& node = TargetNode();
  const uint64_t dropped_before = DroppedNow(node);
  RawPeer peer(node.p2p_port());
  REQUIRE(peer.connected());
  const dht::Identity attacker = TestIdentity(0xa1);

  SECTION("a genuine HELLO followed by an AUTH whose signature was tampered with") {
    dht::SecureSession session(dht::SecureSession::Role::kInitiator, attacker, EphemeralSeed(),
                               NodeIdOf(node));
    REQUIRE(peer.Send(session.TakeOutput()));
    const std::optional<Bytes> node_hello = peer.ReadFrame(kIoTimeout);
    REQUIRE(node_hello);
    REQUIRE(session.OnBytes(*node_hello).ok());  // the node's HELLO proves the id it printed
    Bytes auth = session.TakeOutput();
    REQUIRE(auth.size() == 4 + 7 + 64);
    auth.back() ^= 0x01;  // the last byte of the Ed25519 signature
    REQUIRE(peer.Send(auth));
    CHECK(peer.WaitClosed(kIoTimeout));
  }

  SECTION("a HELLO claiming someone else's key, signed with our own") {
    const dht::Identity victim = TestIdentity(0xb2);
    dht::SecureSession claim(dht::SecureSession::Role::kInitiator, victim, EphemeralSeed(),
                             NodeIdOf(node));
    const Bytes hello = claim.TakeOutput();  // carries the victim's public key
    REQUIRE(peer.Send(hello));
    const std::optional<Bytes> node_hello = peer.ReadFrame(kIoTimeout);
    REQUIRE(node_hello);
    // The transcript signature an initiator owes: BLAKE2b-256(label || our HELLO || its HELLO).
    Blake2bHasher hasher;
    hasher.Update(dht::SecureSession::kTranscriptLabel);
    hasher.Update(hello);
    hasher.Update(*node_hello);
    const Id transcript = hasher.Finish();
    Bytes signed_message(transcript.bytes().begin(), transcript.bytes().end());
    signed_message.push_back(dht::SecureSession::kInitiatorRoleByte);
    // Control: signed with the victim's key, our AUTH is byte for byte the genuine one.
    REQUIRE(claim.OnBytes(*node_hello).ok());
    REQUIRE(claim.TakeOutput() == AuthFrame(victim.Sign(signed_message)));
    REQUIRE(peer.Send(AuthFrame(attacker.Sign(signed_message))));
    CHECK(peer.WaitClosed(kIoTimeout));
  }

  SECTION("the node's own HELLO reflected back to it") {
    const std::optional<Bytes> node_hello = peer.ReadFrame(kIoTimeout);
    REQUIRE(node_hello);
    REQUIRE(peer.Send(*node_hello));
    CHECK(peer.WaitClosed(kIoTimeout));
  }

  CheckStillServingAndCounted(node, dropped_before);
}

TEST_CASE("A replayed DATA frame closes an authenticated session", "[net]") {
  NodeProcess& node = TargetNode();
  const uint64_t dropped_before = DroppedNow(node);
  RawPeer peer(node.p2p_port());
  REQUIRE(peer.connected());
  const dht::Identity self = TestIdentity(0xc3);
  dht::SecureSession session(dht::SecureSession::Role::kInitiator, self, EphemeralSeed(),
                             NodeIdOf(node));
  REQUIRE(Handshake(peer, session));

  REQUIRE(session.Send(dht::EncodeMessage(Ping(42))).ok());
  const Bytes frame = session.TakeOutput();
  REQUIRE(peer.Send(frame));
  REQUIRE(AwaitPong(peer, session, 42));  // the genuine frame was accepted and answered

  REQUIRE(peer.Send(frame));  // the same bytes again: nonce 0 where the node expects 1
  CHECK(peer.WaitClosed(kIoTimeout));
  CheckStillServingAndCounted(node, dropped_before);
}

TEST_CASE("A peer stalling in the middle of a frame blocks nobody and is timed out", "[net]") {
  NodeProcess& node = TargetNode();
  const uint64_t dropped_before = DroppedNow(node);
  RawPeer staller(node.p2p_port());
  REQUIRE(staller.connected());
  const Bytes half{0x00, 0x00, 0x00, 0x64, 0x83, 0xa1, 'v', 0x01};  // 4 of 100 body bytes
  REQUIRE(staller.Send(half));

  // HTTP clients are served at once.
  for (int i = 0; i < 5; ++i) {
    const auto asked = Clock::now();
    std::optional<json> health = GetJson(node.http_port(), "/api/health");
    REQUIRE(health);
    CHECK((*health)["status"] == "healthy");
    CHECK(Clock::now() - asked < seconds(2));  // blocked, it would wait for the 5 s timeout
  }
  // So are other peers: a full handshake and a ping round trip on another connection.
  RawPeer other(node.p2p_port());
  REQUIRE(other.connected());
  const dht::Identity self = TestIdentity(0xd4);
  dht::SecureSession session(dht::SecureSession::Role::kInitiator, self, EphemeralSeed(),
                             NodeIdOf(node));
  REQUIRE(Handshake(other, session));
  REQUIRE(session.Send(dht::EncodeMessage(Ping(7))).ok());
  REQUIRE(other.Send(session.TakeOutput()));
  CHECK(AwaitPong(other, session, 7));
  // ... all while the stalled connection was still open.
  CHECK(staller.StillOpen());

  // The stalled handshake is dropped after the transport's handshake timeout (5 s, swept every
  // second), not held forever.
  CHECK(staller.WaitClosed(seconds(8)));
  CheckStillServingAndCounted(node, dropped_before);
}

}  // namespace
}  // namespace lake::nettest
