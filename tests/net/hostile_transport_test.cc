// Hostile peers against the transport of a real `p2plake node`: a peer that never reads its
// replies, a flood of plain TCP connects, a peer trickling a frame a byte at a time, an oversized
// DHT payload, a peer sending faster than its byte rate, and nodes of different private networks.
// Each test speaks to the node's p2p port over raw POSIX sockets (tests/net/raw_peer.h) and
// checks what the node did through its HTTP API and /proc.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

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
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// A node started with `config` (the JSON of its config file) in a fresh directory.
std::unique_ptr<NodeProcess> StartNode(const std::string& name, const json& config,
                                       const std::vector<std::string>& seeds = {}) {
  const std::string dir = FreshTestDir(name);
  const std::string path = WriteFile(dir + "/config.json", config.dump());
  auto node = std::make_unique<NodeProcess>(dir + "/node");
  const bool started = node->Start(seeds, {"--config", path});
  INFO(node->error());
  REQUIRE(started);
  return node;
}

dht::Message Request(dht::MessageKind kind, uint64_t request_id) {
  dht::Message message;
  message.kind = kind;
  message.request_id = request_id;
  message.source_address = "127.0.0.1:1";  // nobody listens there
  return message;
}

// A VALUE answer nobody asked for, of `count` values of 60 KiB each.
dht::Message UnaskedValues(uint64_t request_id, size_t count, uint8_t fill) {
  dht::Message value = Request(dht::MessageKind::kValue, request_id);
  value.source_address.clear();
  value.values.assign(count, Bytes(60 << 10, fill));
  return value;
}

// An authenticated session of a fresh identity (seed byte `fill`) with `node`.
struct Session {
  RawPeer peer;
  dht::SecureSession session;

  Session(const NodeProcess& node, uint8_t fill, const RawPeerOptions& options = {})
      : peer(node.p2p_port(), options),
        session(dht::SecureSession::Role::kInitiator, TestIdentity(fill), EphemeralSeed(),
                NodeIdOf(node)) {}

  bool Open() { return peer.connected() && Handshake(peer, session); }

  bool Send(const dht::Message& message) {
    return SendPayload(peer, session, dht::EncodeMessage(message));
  }

  // Sends a PING and waits for its PONG.
  bool Ping(uint64_t request_id) {
    if (!Send(Request(dht::MessageKind::kPing, request_id))) return false;
    return AwaitPayload(peer, session, [&](const Bytes& payload) {
             Result<dht::Message> reply = dht::DecodeMessage(payload);
             return reply.ok() && reply->kind == dht::MessageKind::kPong &&
                    reply->request_id == request_id;
           }).has_value();
  }
};

// True once the node has counted a dropped session since `before`, within `timeout`.
bool DropCounted(const NodeProcess& node, uint64_t before, milliseconds timeout) {
  return Eventually([&] { return SessionsDropped(node).value_or(0) > before; }, timeout);
}

// Stores a 60 KiB record on `node` through a fresh session and returns its key: every FIND_VALUE
// for it is answered with about 60 KiB.
Id StoreLargeRecord(const NodeProcess& node) {
  Session writer(node, 0x70);
  REQUIRE(writer.Open());
  const Id key = Blake2b256("a record with a large value");
  dht::Message store = Request(dht::MessageKind::kStore, 1);
  store.target = key;
  store.values = {Bytes(60 << 10, 0x5e)};
  store.ttl_s = 600;
  REQUIRE(writer.Send(store));
  REQUIRE(AwaitPayload(writer.peer, writer.session, [](const Bytes& payload) {
    Result<dht::Message> reply = dht::DecodeMessage(payload);
    return reply.ok() && reply->kind == dht::MessageKind::kStoreAck && reply->ok;
  }));
  return key;
}

TEST_CASE("A peer that never reads is dropped, its socket and buffers freed, others served",
          "[net]") {
  std::unique_ptr<NodeProcess> node = StartNode("never-reads", json::object());
  const Id key = StoreLargeRecord(*node);
  const size_t sockets_before = OpenSockets(node->pid());
  REQUIRE(sockets_before > 0);
  const uint64_t rss_before = ResidentBytes(node->pid());
  uint64_t rss_peak = rss_before;
  std::vector<uint64_t> rss_after;  // after each attack

  // Three attackers in turn, each with a 4 KiB receive buffer, send 800 requests (about 48 MiB
  // of answers) and never read: past the 16 MiB a peer may have queued.
  for (uint8_t attack = 0; attack < 3; ++attack) {
    const uint64_t dropped_before = DroppedNow(*node);
    Session attacker(*node, static_cast<uint8_t>(0x71 + attack),
                     RawPeerOptions{.receive_buffer = 4096, .source = ""});
    REQUIRE(attacker.Open());
    for (uint64_t i = 0; i < 800; ++i) {
      dht::Message find = Request(dht::MessageKind::kFindValue, 100 + i);
      find.target = key;
      if (!attacker.Send(find)) break;  // the node may already have reset the connection
    }
    CHECK(Eventually(
        [&] {
          rss_peak = std::max(rss_peak, ResidentBytes(node->pid()));
          return SessionsDropped(*node).value_or(0) > dropped_before;
        },
        seconds(10)));
    // Aborted, not closed gracefully: the node holds neither the socket nor what it had queued
    // (a graceful close keeps both until the peer reads, which this one never does).
    CHECK(Eventually([&] { return OpenSockets(node->pid()) <= sockets_before; }, seconds(5)));
    std::this_thread::sleep_for(milliseconds(500));  // the answers still under way are gone
    rss_after.push_back(ResidentBytes(node->pid()));
    rss_peak = std::max(rss_peak, rss_after.back());
  }
  // Memory stays bounded over the three attacks. The allocator keeps what it freed in per-thread
  // arenas, and which thread builds an attack's answers varies, so one attack may still grow
  // the heap where another reused it: the bound is on the whole run, not on each step.
  INFO("RSS before " << rss_before << ", after each attack " << rss_after[0] << " "
                     << rss_after[1] << " " << rss_after[2] << ", peak " << rss_peak);
  CHECK(rss_peak < rss_before + (160 << 20));

  // Everyone else is still served.
  Session other(*node, 0x7f);
  REQUIRE(other.Open());
  CHECK(other.Ping(7));
}

TEST_CASE("A flood of plain TCP connects from one address does not keep an honest peer out",
          "[net]") {
  std::unique_ptr<NodeProcess> node =
      StartNode("connect-flood", json{{"network", {{"maxPeers", 16}}}});
  // About 20 connects a second from 127.0.0.2 for three seconds, each held open and silent.
  std::vector<std::unique_ptr<RawPeer>> flood;
  const auto flood_start = Clock::now();
  while (Clock::now() - flood_start < seconds(3)) {
    flood.push_back(std::make_unique<RawPeer>(
        node->p2p_port(), RawPeerOptions{.receive_buffer = 0, .source = "127.0.0.2"}));
    std::this_thread::sleep_for(milliseconds(50));
  }
  REQUIRE(flood.front()->connected());  // 127.0.0.2 is usable as a source address here
  // The flood's handshakes have not timed out yet (5 s): an honest peer from another address
  // completes its handshake and is answered.
  Session honest(*node, 0x73);
  CHECK(honest.Open());
  CHECK(honest.Ping(9));
  std::optional<json> status = GetJson(node->http_port(), "/api/status");
  REQUIRE(status);
  CHECK((*status)["transport"]["connectionsRefused"].get<uint64_t>() > 0);
}

TEST_CASE("A peer completing no frame within the frame timeout is dropped, trickle or not",
          "[net]") {
  std::unique_ptr<NodeProcess> node =
      StartNode("trickle", json{{"network", {{"frameTimeout", 1500}}}});
  Session trickler(*node, 0x74);
  REQUIRE(trickler.Open());
  const uint64_t dropped_before = DroppedNow(*node);
  // A frame of 1,000 bytes, sent one byte every 200 ms: the connection is never idle, but the
  // frame is not complete after 1.5 s.
  REQUIRE(trickler.peer.Send(Bytes{0x00, 0x00, 0x03, 0xe8}));
  const auto start = Clock::now();
  bool closed = false;
  while (!closed && Clock::now() - start < seconds(6)) {
    std::this_thread::sleep_for(milliseconds(200));
    closed = !trickler.peer.Send(Bytes{0x00}) || !trickler.peer.StillOpen();
  }
  CHECK(closed);
  CHECK(Clock::now() - start >= milliseconds(1400));  // not before the timeout
  CHECK(DropCounted(*node, dropped_before, seconds(2)));
  Session other(*node, 0x75);
  REQUIRE(other.Open());
  CHECK(other.Ping(11));
}

TEST_CASE("A DHT payload over the DHT cap closes the session", "[net]") {
  std::unique_ptr<NodeProcess> node = StartNode("kad-cap", json::object());
  Session peer(*node, 0x76);
  REQUIRE(peer.Open());
  const uint64_t dropped_before = DroppedNow(*node);
  // A well-formed VALUE answer of three 60 KiB records: 180 KiB, under the 4 MiB frame limit
  // but over the 128 KiB a DHT payload may have.
  REQUIRE(peer.Send(UnaskedValues(3, 3, 0x33)));
  CHECK(peer.peer.WaitClosed(kIoTimeout));
  CHECK(DropCounted(*node, dropped_before, seconds(2)));
}

TEST_CASE("A peer sending faster than its byte rate is read more slowly, not dropped", "[net]") {
  std::unique_ptr<NodeProcess> node =
      StartNode("byte-rate", json{{"network", {{"maxBytesPerSecond", 256 << 10}}}});
  Session peer(*node, 0x77);
  REQUIRE(peer.Open());
  const uint64_t dropped_before = DroppedNow(*node);
  // About 1 MiB of unsolicited (ignored) VALUE answers, then a PING: the node may read the first
  // 256 KiB at once, the rest at 256 KiB/s, so the PONG cannot come before about 2.5 s.
  const dht::Message value = UnaskedValues(4, 2, 0x44);
  const auto start = Clock::now();
  for (int i = 0; i < 9; ++i) REQUIRE(peer.Send(value));
  REQUIRE(peer.Ping(12));
  const auto waited = Clock::now() - start;
  CHECK(waited >= milliseconds(2000));
  CHECK(DroppedNow(*node) == dropped_before);
}

TEST_CASE("Nodes of different private networks never peer; a node with the key joins", "[net]") {
  const std::string key_a(64, 'a');
  const std::string key_b(64, 'b');
  std::unique_ptr<NodeProcess> seed =
      StartNode("network-key-seed", json{{"security", {{"networkKey", key_a}}}});
  std::unique_ptr<NodeProcess> stranger = StartNode(
      "network-key-stranger", json{{"security", {{"networkKey", key_b}}}}, {seed->p2p_address()});
  std::unique_ptr<NodeProcess> keyless =
      StartNode("network-key-none", json::object(), {seed->p2p_address()});
  // The member reads its key from a file, as an IPFS swarm key is written.
  const std::string key_file = WriteFile(FreshTestDir("network-key-file") + "/swarm.key",
                                         "/key/swarm/psk/1.0.0/\n/base16/\n" + key_a + "\n");
  std::unique_ptr<NodeProcess> member = StartNode(
      "network-key-member", json{{"security", {{"networkKeyFile", key_file}}}},
      {seed->p2p_address()});

  CHECK(Eventually(
      [&] {
        const std::vector<std::string> peers = PeerIds(seed->http_port());
        return std::find(peers.begin(), peers.end(), member->node_id()) != peers.end();
      },
      seconds(10)));
  // The others tried for as long; their handshakes failed, so no DHT message was exchanged.
  for (const std::string& id : PeerIds(seed->http_port())) {
    CHECK(id != stranger->node_id());
    CHECK(id != keyless->node_id());
  }
  CHECK(PeerIds(stranger->http_port()).empty());
  CHECK(PeerIds(keyless->http_port()).empty());
  CHECK(DroppedNow(*seed) > 0);
}

}  // namespace
}  // namespace lake::nettest
