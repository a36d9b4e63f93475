#include "dht/secure_session.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "common/rng.h"
#include "tests/support/random_data.h"

namespace lake::dht {
namespace {

using testing::RandomBytes;

using Role = SecureSession::Role;
using Seed32 = std::array<uint8_t, 32>;

Seed32 SeedOf(uint8_t fill) {
  Seed32 seed;
  seed.fill(fill);
  return seed;
}

// Delivers `bytes` to `to` in pieces of `piece` bytes (0: random pieces drawn from `rng`).
Status Deliver(SecureSession& to, const Bytes& bytes, size_t piece, Rng* rng = nullptr) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t n = piece != 0 ? piece : 1 + rng->Uniform(std::min<size_t>(bytes.size(), 70000));
    n = std::min(n, bytes.size() - pos);
    LAKE_RETURN_IF_ERROR(to.OnBytes(ByteView(bytes.data() + pos, n)));
    pos += n;
  }
  return Status::OK();
}

// Moves output between `a` and `b` until neither has anything left to say.
void Pump(SecureSession& a, SecureSession& b, size_t piece = 1 << 30, Rng* rng = nullptr) {
  for (int round = 0; round < 10; ++round) {
    Bytes a_out = a.TakeOutput();
    Bytes b_out = b.TakeOutput();
    if (a_out.empty() && b_out.empty()) return;
    REQUIRE(Deliver(b, a_out, piece, rng).ok());
    REQUIRE(Deliver(a, b_out, piece, rng).ok());
  }
  FAIL("sessions kept talking");
}

// Splits a byte stream into its frames (prefix included).
std::vector<Bytes> SplitFrames(const Bytes& stream) {
  std::vector<Bytes> frames;
  size_t pos = 0;
  while (pos + 4 <= stream.size()) {
    const size_t n = size_t{stream[pos]} << 24 | size_t{stream[pos + 1]} << 16 |
                     size_t{stream[pos + 2]} << 8 | stream[pos + 3];
    REQUIRE(pos + 4 + n <= stream.size());
    frames.emplace_back(stream.begin() + pos, stream.begin() + pos + 4 + n);
    pos += 4 + n;
  }
  REQUIRE(pos == stream.size());
  return frames;
}

// Two identities and an established initiator/responder pair between them.
struct Pair {
  Identity alice{SeedOf(1)};
  Identity bob{SeedOf(2)};
  SecureSession initiator{Role::kInitiator, alice, SeedOf(11), bob.node_id()};
  SecureSession responder{Role::kResponder, bob, SeedOf(12), std::nullopt};

  Pair() {
    Pump(initiator, responder);
    REQUIRE(initiator.established());
    REQUIRE(responder.established());
  }
};

TEST_CASE("SecureSession pair establishes and learns each other's NodeId", "[dht][session]") {
  const Identity alice(SeedOf(1));
  const Identity bob(SeedOf(2));
  SecureSession initiator(Role::kInitiator, alice, SeedOf(11), bob.node_id());
  SecureSession responder(Role::kResponder, bob, SeedOf(12), std::nullopt);
  CHECK_FALSE(initiator.established());
  CHECK(initiator.Send(AsBytes("too early")).IsInvalidArgument());

  SECTION("whole buffers at a time") { Pump(initiator, responder); }
  SECTION("one byte at a time") { Pump(initiator, responder, 1); }
  SECTION("three bytes at a time") { Pump(initiator, responder, 3); }

  REQUIRE(initiator.established());
  REQUIRE(responder.established());
  CHECK(initiator.peer_id() == bob.node_id());
  CHECK(responder.peer_id() == alice.node_id());
  CHECK_FALSE(initiator.failed());
  CHECK(initiator.status().ok());

  // A first payload, still byte at a time.
  REQUIRE(initiator.Send(AsBytes("ping")).ok());
  REQUIRE(Deliver(responder, initiator.TakeOutput(), 1).ok());
  const std::vector<Bytes> got = responder.TakeReceived();
  REQUIRE(got.size() == 1);
  CHECK(AsChars(got[0]) == "ping");
}

TEST_CASE("SecureSession carries 100 payloads each way, 0 to 64 KiB, in order", "[dht][session]") {
  Pair pair;
  Rng rng(2024);
  std::vector<Bytes> to_responder;
  std::vector<Bytes> to_initiator;
  for (int i = 0; i < 100; ++i) {
    const size_t size_a = i == 0 ? 0 : i == 1 ? 64 * 1024 : rng.Uniform(64 * 1024 + 1);
    const size_t size_b = i == 0 ? 64 * 1024 : i == 1 ? 0 : rng.Uniform(64 * 1024 + 1);
    to_responder.push_back(RandomBytes(rng, size_a));
    to_initiator.push_back(RandomBytes(rng, size_b));
  }
  std::vector<Bytes> got_by_responder;
  std::vector<Bytes> got_by_initiator;
  // Send in bursts of varying length, delivered in random pieces.
  size_t next = 0;
  while (next < 100) {
    const size_t burst = std::min<size_t>(100 - next, 1 + rng.Uniform(7));
    for (size_t i = next; i < next + burst; ++i) {
      REQUIRE(pair.initiator.Send(to_responder[i]).ok());
      REQUIRE(pair.responder.Send(to_initiator[i]).ok());
    }
    next += burst;
    REQUIRE(Deliver(pair.responder, pair.initiator.TakeOutput(), 0, &rng).ok());
    REQUIRE(Deliver(pair.initiator, pair.responder.TakeOutput(), 0, &rng).ok());
    for (Bytes& b : pair.responder.TakeReceived()) got_by_responder.push_back(std::move(b));
    for (Bytes& b : pair.initiator.TakeReceived()) got_by_initiator.push_back(std::move(b));
  }
  CHECK(got_by_responder == to_responder);
  CHECK(got_by_initiator == to_initiator);
  // The largest payload the limit allows goes through too.
  const Bytes biggest(SecureSession::Options().max_frame_bytes - SecureSession::kTagBytes, 0x5a);
  REQUIRE(pair.initiator.Send(biggest).ok());
  CHECK(pair.initiator.Send(Bytes(biggest.size() + 1)).IsInvalidArgument());
  REQUIRE(pair.responder.OnBytes(pair.initiator.TakeOutput()).ok());
  const std::vector<Bytes> got = pair.responder.TakeReceived();
  REQUIRE(got.size() == 1);
  CHECK(got[0] == biggest);
}

TEST_CASE("SecureSession says how much of a frame is still to come", "[dht][session]") {
  Pair pair;
  REQUIRE(pair.initiator.Send(Bytes(100000, 0x11)).ok());
  const Bytes wire = pair.initiator.TakeOutput();
  CHECK(pair.responder.FrameRemainder() == 0);
  REQUIRE(pair.responder.OnBytes(ByteView(wire.data(), 2)).ok());
  CHECK(pair.responder.FrameRemainder() == 0);  // the length is not known yet
  REQUIRE(pair.responder.OnBytes(ByteView(wire.data() + 2, 1000)).ok());
  CHECK(pair.responder.FrameRemainder() == wire.size() - 1002);
  REQUIRE(pair.responder.OnBytes(ByteView(wire.data() + 1002, wire.size() - 1002)).ok());
  CHECK(pair.responder.FrameRemainder() == 0);
  CHECK(pair.responder.TakeReceived().size() == 1);
}

TEST_CASE("SecureSession encrypts: the payload is not visible on the wire", "[dht][session]") {
  Pair pair;
  const std::string secret = "a very recognisable secret string";
  REQUIRE(pair.initiator.Send(AsBytes(secret)).ok());
  const Bytes wire = pair.initiator.TakeOutput();
  CHECK(wire.size() == 4 + secret.size() + SecureSession::kTagBytes);
  CHECK(AsChars(wire).find("recognisable") == std::string_view::npos);
}

TEST_CASE("SecureSession rejects a peer whose key does not hash to the dialed NodeId",
          "[dht][session]") {
  const Identity alice(SeedOf(1));
  const Identity bob(SeedOf(2));
  const Identity mallory(SeedOf(3));
  // Alice dials Bob's NodeId; Mallory answers with her own key.
  SecureSession initiator(Role::kInitiator, alice, SeedOf(11), bob.node_id());
  SecureSession responder(Role::kResponder, mallory, SeedOf(12), std::nullopt);
  REQUIRE(responder.OnBytes(initiator.TakeOutput()).ok());
  const Status status = initiator.OnBytes(responder.TakeOutput());
  CHECK(status.IsInvalidArgument());
  CHECK(initiator.failed());
  CHECK_FALSE(initiator.established());
  CHECK(initiator.TakeOutput().empty());  // Alice never signs for the wrong peer
}

TEST_CASE("SecureSession rejects a peer presenting our own identity key", "[dht][session]") {
  const Identity alice(SeedOf(1));
  SecureSession initiator(Role::kInitiator, alice, SeedOf(11), std::nullopt);
  SECTION("a reflected HELLO") {
    const Bytes hello = initiator.TakeOutput();
    CHECK(initiator.OnBytes(hello).IsInvalidArgument());
  }
  SECTION("another session of the same key") {
    SecureSession twin(Role::kResponder, alice, SeedOf(12), std::nullopt);
    CHECK(initiator.OnBytes(twin.TakeOutput()).IsInvalidArgument());
  }
}

TEST_CASE("SecureSession detects a man in the middle swapping the ephemeral key",
          "[dht][session]") {
  const Identity alice(SeedOf(1));
  const Identity bob(SeedOf(2));
  SecureSession initiator(Role::kInitiator, alice, SeedOf(11), bob.node_id());
  SecureSession responder(Role::kResponder, bob, SeedOf(12), std::nullopt);
  // The attacker knows the secret of its own ephemeral key and rewrites Alice's HELLO to carry
  // it; everything else (Alice's public identity key) it can copy.
  SecureSession forger(Role::kInitiator, alice, SeedOf(66), bob.node_id());
  const Bytes real_hello = initiator.TakeOutput();
  const Bytes forged_hello = forger.TakeOutput();
  REQUIRE(real_hello.size() == forged_hello.size());
  REQUIRE(real_hello != forged_hello);
  // Only the ephemeral key differs.
  size_t differing = 0;
  for (size_t i = 0; i < real_hello.size(); ++i) differing += real_hello[i] != forged_hello[i];
  CHECK(differing <= 32);

  REQUIRE(responder.OnBytes(forged_hello).ok());  // Bob answers HELLO + AUTH
  const Bytes bob_out = responder.TakeOutput();
  const Status at_alice = initiator.OnBytes(bob_out);
  CHECK(at_alice.IsCorruption());
  CHECK_FALSE(initiator.established());
  // Alice's AUTH (signed over her real HELLO) fails at Bob too, were it to get through.
  SecureSession alice_again(Role::kInitiator, alice, SeedOf(11), bob.node_id());
  alice_again.TakeOutput();
  REQUIRE(alice_again.OnBytes(SplitFrames(bob_out)[0]).ok());  // Bob's HELLO only
  const std::vector<Bytes> alice_frames = SplitFrames(alice_again.TakeOutput());
  REQUIRE(alice_frames.size() == 1);  // her AUTH
  CHECK(responder.OnBytes(alice_frames[0]).IsCorruption());
  CHECK_FALSE(responder.established());
}

TEST_CASE("SecureSession rejects an AUTH whose signature is altered", "[dht][session]") {
  const Identity alice(SeedOf(1));
  const Identity bob(SeedOf(2));
  SecureSession initiator(Role::kInitiator, alice, SeedOf(11), bob.node_id());
  SecureSession responder(Role::kResponder, bob, SeedOf(12), std::nullopt);
  REQUIRE(responder.OnBytes(initiator.TakeOutput()).ok());
  Bytes bob_out = responder.TakeOutput();
  bob_out[bob_out.size() - 5] ^= 0x04;  // inside the signature of the AUTH, the last frame
  CHECK(initiator.OnBytes(bob_out).IsCorruption());
}

TEST_CASE("SecureSession fails on a single bit flip in a data frame", "[dht][session]") {
  const Bytes payload(100, 0x42);
  // Flip one bit at several places: ciphertext start, middle, the tag, and its last byte.
  for (size_t offset : {size_t{4}, size_t{50}, size_t{4 + 100}, size_t{4 + 100 + 15}}) {
    Pair pair;
    REQUIRE(pair.initiator.Send(payload).ok());
    Bytes frame = pair.initiator.TakeOutput();
    frame[offset] ^= 0x01;
    INFO("offset " << offset);
    CHECK(pair.responder.OnBytes(frame).IsCorruption());
    CHECK(pair.responder.TakeReceived().empty());
  }
  SECTION("a shortened length prefix") {
    Pair pair;
    REQUIRE(pair.initiator.Send(payload).ok());
    Bytes frame = pair.initiator.TakeOutput();
    frame[3] ^= 0x01;  // 116 -> 117 waits for a byte; 117 -> 116 cuts the tag
    frame.push_back(0);
    CHECK(pair.responder.OnBytes(frame).IsCorruption());
  }
  SECTION("a frame too short to hold a tag") {
    Pair pair;
    const Bytes frame = {0, 0, 0, 15, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    CHECK(pair.responder.OnBytes(frame).IsCorruption());
  }
}

TEST_CASE("SecureSession rejects a replayed data frame", "[dht][session]") {
  Pair pair;
  REQUIRE(pair.initiator.Send(AsBytes("pay me once")).ok());
  const Bytes frame = pair.initiator.TakeOutput();
  REQUIRE(pair.responder.OnBytes(frame).ok());
  CHECK(pair.responder.TakeReceived().size() == 1);
  CHECK(pair.responder.OnBytes(frame).IsCorruption());
  CHECK(pair.responder.TakeReceived().empty());
}

TEST_CASE("SecureSession rejects data frames delivered out of order", "[dht][session]") {
  Pair pair;
  REQUIRE(pair.initiator.Send(AsBytes("first")).ok());
  const Bytes first = pair.initiator.TakeOutput();
  REQUIRE(pair.initiator.Send(AsBytes("second")).ok());
  const Bytes second = pair.initiator.TakeOutput();
  CHECK(pair.responder.OnBytes(second).IsCorruption());
  CHECK(pair.responder.OnBytes(first).IsCorruption());  // and it stays broken
  CHECK(pair.responder.TakeReceived().empty());

  SECTION("a dropped frame is detected at the next one") {
    Pair fresh;
    REQUIRE(fresh.initiator.Send(AsBytes("lost")).ok());
    fresh.initiator.TakeOutput();
    REQUIRE(fresh.initiator.Send(AsBytes("kept")).ok());
    CHECK(fresh.responder.OnBytes(fresh.initiator.TakeOutput()).IsCorruption());
  }
  SECTION("a frame reflected back to its sender is rejected") {
    Pair fresh;
    REQUIRE(fresh.initiator.Send(AsBytes("echo")).ok());
    CHECK(fresh.initiator.OnBytes(fresh.initiator.TakeOutput()).IsCorruption());
  }
}

TEST_CASE("SecureSession rejects an oversized length prefix before reading the body",
          "[dht][session]") {
  const Identity alice(SeedOf(1));
  SECTION("0xFFFFFFFF during the handshake") {
    SecureSession session(Role::kResponder, alice, SeedOf(12), std::nullopt);
    const Bytes prefix = {0xFF, 0xFF, 0xFF, 0xFF};
    CHECK(session.OnBytes(prefix).IsResourceExhausted());
  }
  SECTION("split across calls") {
    SecureSession session(Role::kResponder, alice, SeedOf(12), std::nullopt);
    const Bytes part1 = {0xFF, 0xFF};
    const Bytes part2 = {0xFF, 0xFF};
    REQUIRE(session.OnBytes(part1).ok());
    CHECK(session.OnBytes(part2).IsResourceExhausted());
  }
  SECTION("over the handshake's limit before the handshake completes") {
    SecureSession session(Role::kResponder, alice, SeedOf(12), std::nullopt);
    const Bytes at_limit = {0, 0, 0x02, 0x00};  // 512: waits for the body
    REQUIRE(session.OnBytes(at_limit).ok());
    SecureSession session2(Role::kResponder, alice, SeedOf(13), std::nullopt);
    const Bytes over_limit = {0, 0, 0x02, 0x01};  // 513
    CHECK(session2.OnBytes(over_limit).IsResourceExhausted());
    // A large DATA frame right behind the AUTH in the same bytes is DATA's to bound.
    const Identity bob(SeedOf(2));
    SecureSession initiator(Role::kInitiator, alice, SeedOf(11), bob.node_id());
    SecureSession responder(Role::kResponder, bob, SeedOf(14), std::nullopt);
    REQUIRE(responder.OnBytes(initiator.TakeOutput()).ok());  // the initiator's HELLO
    REQUIRE(initiator.OnBytes(responder.TakeOutput()).ok());  // HELLO and AUTH back
    REQUIRE(initiator.established());
    REQUIRE(initiator.Send(Bytes(64 << 10, 7)).ok());
    REQUIRE(responder.OnBytes(initiator.TakeOutput()).ok());  // AUTH, then the 64 KiB DATA
    REQUIRE(responder.established());
    const std::vector<Bytes> received = responder.TakeReceived();
    REQUIRE(received.size() == 1);
    CHECK(received[0] == Bytes(64 << 10, 7));
  }
  SECTION("just over a configured limit, after the handshake") {
    SecureSession::Options options;
    options.max_frame_bytes = 1000;
    const Identity bob(SeedOf(2));
    SecureSession initiator(Role::kInitiator, alice, SeedOf(11), bob.node_id(), options);
    SecureSession responder(Role::kResponder, bob, SeedOf(12), std::nullopt, options);
    Pump(initiator, responder);
    REQUIRE(responder.established());
    CHECK(initiator.Send(Bytes(1000 - 16)).ok());
    CHECK(initiator.Send(Bytes(1000 - 15)).IsInvalidArgument());
    REQUIRE(responder.OnBytes(initiator.TakeOutput()).ok());
    const Bytes at_limit = {0, 0, 0x03, 0xE8};  // 1000: waits for the body
    REQUIRE(responder.OnBytes(at_limit).ok());
    SecureSession responder2(Role::kResponder, bob, SeedOf(13), std::nullopt, options);
    const Bytes over_limit = {0, 0, 0x03, 0xE9};  // 1001
    CHECK(responder2.OnBytes(over_limit).IsResourceExhausted());
  }
}

TEST_CASE("SecureSession survives garbage: it fails or keeps waiting, never crashes",
          "[dht][session]") {
  const Identity alice(SeedOf(1));
  const Identity bob(SeedOf(2));
  Rng rng(7);
  // Real HELLO and AUTH frames to mutate, so that garbage also reaches the msgpack parser.
  SecureSession i0(Role::kInitiator, alice, SeedOf(11), std::nullopt);
  SecureSession r0(Role::kResponder, bob, SeedOf(12), std::nullopt);
  REQUIRE(r0.OnBytes(i0.TakeOutput()).ok());
  const Bytes real = r0.TakeOutput();  // Bob's HELLO + AUTH
  size_t failures = 0;
  for (int round = 0; round < 1000; ++round) {
    Bytes input;
    switch (rng.Uniform(3)) {
      case 0:
        input = RandomBytes(rng, rng.Uniform(2000));
        break;
      case 1: {  // a well-formed length prefix around a random body
        const size_t n = rng.Uniform(300);
        input = {0, 0, static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
        const Bytes body = RandomBytes(rng, n);
        input.insert(input.end(), body.begin(), body.end());
        break;
      }
      default: {  // a real handshake with a few bytes changed
        input = real;
        const size_t flips = 1 + rng.Uniform(4);
        for (size_t f = 0; f < flips; ++f) {
          input[rng.Uniform(input.size())] = static_cast<uint8_t>(rng.Next());
        }
        break;
      }
    }
    SecureSession session(Role::kInitiator, alice, SeedOf(11), std::nullopt);
    session.TakeOutput();
    const Status status = Deliver(session, input, 0, &rng);
    INFO("round " << round);
    CHECK(status.ok() == !session.failed());
    CHECK_FALSE(session.TakeOutput().size() > 200);  // at most an AUTH answered
    if (!status.ok()) {
      ++failures;
      CHECK(session.status().code() == status.code());
    }
  }
  CHECK(failures > 500);
}

TEST_CASE("SecureSession stays failed once broken", "[dht][session]") {
  Pair pair;
  REQUIRE(pair.initiator.Send(AsBytes("one")).ok());
  Bytes frame = pair.initiator.TakeOutput();
  frame.back() ^= 0x80;
  const Status first = pair.responder.OnBytes(frame);
  REQUIRE(first.IsCorruption());
  CHECK(pair.responder.failed());
  CHECK_FALSE(pair.responder.established());

  // Valid traffic does not revive it, and every call reports the original error.
  REQUIRE(pair.initiator.Send(AsBytes("two")).ok());
  const Status again = pair.responder.OnBytes(pair.initiator.TakeOutput());
  CHECK(again.code() == first.code());
  CHECK(again.message() == first.message());
  CHECK(pair.responder.OnBytes(Bytes()).message() == first.message());
  CHECK(pair.responder.Send(AsBytes("reply")).message() == first.message());
  CHECK(pair.responder.TakeOutput().empty());
  CHECK(pair.responder.TakeReceived().empty());
  CHECK(pair.responder.status().message() == first.message());
}

TEST_CASE("SecureSession keeps payloads decrypted before a failure", "[dht][session]") {
  Pair pair;
  REQUIRE(pair.initiator.Send(AsBytes("good")).ok());
  Bytes stream = pair.initiator.TakeOutput();
  const Bytes garbage = {0, 0,  0,  20, 1,  2,  3,  4,  5,  6,  7,  8,
                         9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
  stream.insert(stream.end(), garbage.begin(), garbage.end());
  CHECK(pair.responder.OnBytes(stream).IsCorruption());
  const std::vector<Bytes> got = pair.responder.TakeReceived();
  REQUIRE(got.size() == 1);
  CHECK(AsChars(got[0]) == "good");
}

TEST_CASE("SecureSession derives different keys from different ephemeral seeds", "[dht][session]") {
  const Identity alice(SeedOf(1));
  const Identity bob(SeedOf(2));
  Bytes wires[2];
  for (int i = 0; i < 2; ++i) {
    SecureSession initiator(Role::kInitiator, alice, SeedOf(static_cast<uint8_t>(20 + i)),
                            bob.node_id());
    SecureSession responder(Role::kResponder, bob, SeedOf(30), std::nullopt);
    Pump(initiator, responder);
    REQUIRE(initiator.Send(AsBytes("same plaintext")).ok());
    wires[i] = initiator.TakeOutput();
  }
  CHECK(wires[0] != wires[1]);
}

}  // namespace
}  // namespace lake::dht

namespace lake::dht {
namespace {

// Runs a handshake between sessions of two nodes with the given network keys, handing each side's
// output to the other until one side fails or both have nothing more to say.
struct KeyedHandshake {
  Identity alice{SeedOf(1)};
  Identity bob{SeedOf(2)};
  std::optional<SecureSession> initiator;
  std::optional<SecureSession> responder;

  KeyedHandshake(std::optional<Seed32> alice_key, std::optional<Seed32> bob_key) {
    SecureSessionOptions alice_options;
    alice_options.network_key = alice_key;
    SecureSessionOptions bob_options;
    bob_options.network_key = bob_key;
    initiator.emplace(Role::kInitiator, alice, SeedOf(11), bob.node_id(), alice_options);
    responder.emplace(Role::kResponder, bob, SeedOf(12), std::nullopt, bob_options);
    for (int round = 0; round < 10; ++round) {
      const Bytes to_bob = initiator->TakeOutput();
      const Bytes to_alice = responder->TakeOutput();
      if (to_bob.empty() && to_alice.empty()) return;
      if (!responder->failed()) (void)responder->OnBytes(to_bob);
      if (!initiator->failed()) (void)initiator->OnBytes(to_alice);
    }
  }
};

TEST_CASE("Sessions with the same network key complete the handshake and exchange data",
          "[dht][secure_session]") {
  KeyedHandshake h(SeedOf(0x5a), SeedOf(0x5a));
  REQUIRE(h.initiator->established());
  REQUIRE(h.responder->established());
  const Bytes payload = {'k', 'a', 'd'};
  REQUIRE(h.initiator->Send(payload).ok());
  REQUIRE(h.responder->OnBytes(h.initiator->TakeOutput()).ok());
  const std::vector<Bytes> received = h.responder->TakeReceived();
  REQUIRE(received.size() == 1);
  CHECK(received[0] == payload);
}

TEST_CASE("A peer with another network key, or none, cannot complete the handshake",
          "[dht][secure_session]") {
  const auto check_refused = [](KeyedHandshake& h) {
    CHECK_FALSE(h.initiator->established());
    CHECK_FALSE(h.responder->established());
    // Both sides fail on the other's AUTH, saying why in terms of the network key.
    REQUIRE(h.initiator->failed());
    REQUIRE(h.responder->failed());
    CHECK(h.initiator->status().ToString().find("network") != std::string::npos);
    CHECK(h.responder->status().ToString().find("network") != std::string::npos);
    // Nothing can be sent: no DATA frame of one network ever reaches the other.
    CHECK_FALSE(h.initiator->Send(Bytes{1, 2, 3}).ok());
    CHECK(h.initiator->TakeOutput().empty());
  };
  SECTION("different keys") {
    KeyedHandshake h(SeedOf(0x5a), SeedOf(0x5b));
    check_refused(h);
  }
  SECTION("the initiator has a key, the responder none") {
    KeyedHandshake h(SeedOf(0x5a), std::nullopt);
    check_refused(h);
  }
  SECTION("the responder has a key, the initiator none") {
    KeyedHandshake h(std::nullopt, SeedOf(0x5a));
    check_refused(h);
  }
}

TEST_CASE("A network key changes the session keys, not just the signed transcript",
          "[dht][secure_session]") {
  // The same identities and ephemeral seeds with and without a key: the DATA frame for the same
  // payload differs, so a captured keyless session says nothing about keyed traffic.
  KeyedHandshake keyed(SeedOf(0x5a), SeedOf(0x5a));
  KeyedHandshake plain(std::nullopt, std::nullopt);
  REQUIRE(keyed.initiator->established());
  REQUIRE(plain.initiator->established());
  const Bytes payload(64, 0x42);
  REQUIRE(keyed.initiator->Send(payload).ok());
  REQUIRE(plain.initiator->Send(payload).ok());
  CHECK(keyed.initiator->TakeOutput() != plain.initiator->TakeOutput());
}

}  // namespace
}  // namespace lake::dht
