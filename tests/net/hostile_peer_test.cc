// A hostile peer against a real `p2plake node` ("a malformed, oversized or
// unauthenticated frame closes that session and is counted; the node keeps serving everyone
// else"). The test speaks to the node's p2p port over raw POSIX sockets, using dht::SecureSession
// as the initiator where it needs the real protocol, and checks after each attack that the node
// closed the connection, counted the dropped session and still answers /api/health.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
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

namespace lake::nettest {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// How long the node may take to answer or to close a connection: "a few seconds", generous for
// a loaded machine.
constexpr std::chrono::seconds kIoTimeout(5);

// One TCP connection to the node, driven by hand. Bytes read ahead of a frame stay buffered.
class RawPeer {
 public:
  enum class ReadEnd { kData, kTimeout, kClosed };

  explicit RawPeer(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ =
        fd_ >= 0 && ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  }
  RawPeer(const RawPeer&) = delete;
  RawPeer& operator=(const RawPeer&) = delete;
  ~RawPeer() {
    if (fd_ >= 0) ::close(fd_);
  }

  bool connected() const { return connected_; }

  // Writes all of `bytes`; false once the node has closed the connection.
  bool Send(ByteView bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // Appends to *out what arrives (buffered bytes first) within `timeout`. EOF and ECONNRESET
  // both count as closed.
  ReadEnd ReadSome(Bytes* out, std::chrono::milliseconds timeout) {
    if (!buffer_.empty()) {
      out->insert(out->end(), buffer_.begin(), buffer_.end());
      buffer_.clear();
      return ReadEnd::kData;
    }
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd fd{fd_, POLLIN, 0};
      const int ready = ::poll(&fd, 1, static_cast<int>(std::max<int64_t>(left, 0)));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return ReadEnd::kTimeout;
      uint8_t buf[65536];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return ReadEnd::kClosed;
      out->insert(out->end(), buf, buf + n);
      return ReadEnd::kData;
    }
  }

  // One whole frame, 4-byte length prefix included; nullopt on timeout or close.
  std::optional<Bytes> ReadFrame(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    Bytes data;
    for (;;) {
      if (data.size() >= 4) {
        const size_t length =
            size_t{data[0]} << 24 | size_t{data[1]} << 16 | size_t{data[2]} << 8 | size_t{data[3]};
        if (data.size() >= 4 + length) {
          buffer_.assign(data.begin() + static_cast<ptrdiff_t>(4 + length), data.end());
          data.resize(4 + length);
          return data;
        }
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (ReadSome(&data, std::max(left, std::chrono::milliseconds(0))) != ReadEnd::kData) {
        return std::nullopt;
      }
    }
  }

  // True while the node has not closed the connection (what it sent is discarded).
  bool StillOpen() {
    for (;;) {
      Bytes discard;
      switch (ReadSome(&discard, std::chrono::milliseconds(0))) {
        case ReadEnd::kClosed:
          return false;
        case ReadEnd::kTimeout:
          return true;
        case ReadEnd::kData:
          break;
      }
    }
  }

  // True once the node closes the connection within `timeout` (whatever it sends is discarded).
  bool WaitClosed(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      Bytes discard;
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      switch (ReadSome(&discard, std::max(left, std::chrono::milliseconds(0)))) {
        case ReadEnd::kClosed:
          return true;
        case ReadEnd::kTimeout:
          return false;
        case ReadEnd::kData:
          break;
      }
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  Bytes buffer_;
};

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

std::optional<uint64_t> SessionsDropped(const NodeProcess& node) {
  std::optional<json> status = GetJson(node.http_port(), "/api/status");
  if (!status || !(*status)["transport"]["sessionsDropped"].is_number_unsigned()) {
    return std::nullopt;
  }
  return (*status)["transport"]["sessionsDropped"].get<uint64_t>();
}

// The node answers /api/health, and has counted a dropped session since `dropped_before`.
void CheckStillServingAndCounted(const NodeProcess& node, uint64_t dropped_before) {
  INFO("node stderr:\n" << node.Stderr());
  const auto asked = Clock::now();
  std::optional<json> health = GetJson(node.http_port(), "/api/health");
  REQUIRE(health);
  CHECK((*health)["status"] == "healthy");
  CHECK((*health)["nodeId"] == node.node_id());
  CHECK(Clock::now() - asked < seconds(2));
  std::optional<uint64_t> dropped;
  const bool counted = Eventually(
      [&] {
        dropped = SessionsDropped(node);
        return dropped && *dropped > dropped_before;
      },
      kIoTimeout);
  INFO("sessionsDropped " << dropped_before << " -> " << (dropped ? *dropped : 0));
  CHECK(counted);
}

uint64_t DroppedNow(const NodeProcess& node) {
  const std::optional<uint64_t> dropped = SessionsDropped(node);
  REQUIRE(dropped);
  return *dropped;
}

dht::Identity TestIdentity(uint8_t fill) {
  dht::Identity::Seed seed;
  seed.fill(fill);
  return dht::Identity(seed);
}

// A distinct ephemeral seed per session (reusing one would repeat our half of the key exchange).
std::array<uint8_t, 32> EphemeralSeed() {
  static std::mt19937_64 rng(20240611);
  std::array<uint8_t, 32> seed;
  for (uint8_t& b : seed) b = static_cast<uint8_t>(rng());
  return seed;
}

NodeId NodeIdOf(const NodeProcess& node) {
  const std::optional<NodeId> id = NodeId::FromHex(node.node_id());
  REQUIRE(id);
  return *id;
}

Bytes Frame(ByteView body) {
  const auto n = static_cast<uint32_t>(body.size());
  Bytes frame(4 + body.size());
  frame[0] = static_cast<uint8_t>(n >> 24);
  frame[1] = static_cast<uint8_t>(n >> 16);
  frame[2] = static_cast<uint8_t>(n >> 8);
  frame[3] = static_cast<uint8_t>(n);
  std::copy(body.begin(), body.end(), frame.begin() + 4);
  return frame;
}

// The AUTH frame body of the wire protocol: msgpack {"sig": bin(64)}.
Bytes AuthFrame(const dht::Identity::Signature& signature) {
  Bytes body{0x81, 0xa3, 's', 'i', 'g', 0xc4, 0x40};
  body.insert(body.end(), signature.begin(), signature.end());
  return Frame(body);
}

// Runs the initiator's handshake to completion over `peer`.
bool Handshake(RawPeer& peer, dht::SecureSession& session) {
  if (!peer.Send(session.TakeOutput())) return false;
  const auto deadline = Clock::now() + kIoTimeout;
  while (!session.established()) {
    Bytes in;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || peer.ReadSome(&in, left) != RawPeer::ReadEnd::kData) return false;
    if (!session.OnBytes(in).ok()) return false;
    const Bytes out = session.TakeOutput();
    if (!out.empty() && !peer.Send(out)) return false;
  }
  return true;
}

// Reads DATA frames until one decrypts to a PONG for `request_id`.
bool AwaitPong(RawPeer& peer, dht::SecureSession& session, uint64_t request_id) {
  const auto deadline = Clock::now() + kIoTimeout;
  for (;;) {
    for (const Bytes& payload : session.TakeReceived()) {
      Result<dht::Message> message = dht::DecodeMessage(payload);
      if (message.ok() && message->kind == dht::MessageKind::kPong &&
          message->request_id == request_id) {
        return true;
      }
    }
    Bytes in;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || peer.ReadSome(&in, left) != RawPeer::ReadEnd::kData) return false;
    if (!session.OnBytes(in).ok()) return false;
  }
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
