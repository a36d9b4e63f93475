// A hostile holder in the query protocol (/lake/query/1) against a real planner: two
// `p2plake node` processes each hold every chunk of a table (R = 2), and a raw peer
// (tests/net/raw_peer.h) joins the planner's routing table with a PING, so the planner counts it
// among the R closest nodes of most chunks and sends it fragments. The peer answers them badly:
// a partial result that does not decode or is cut short, pieces out of order, a first piece and
// then silence, a piece over the size limit, a message that does not decode, NotFound, or its
// answer forged for every other request id. Every query must still answer exactly as the
// embedded engine does (the planner sends the peer's chunks to the real holders), the node must
// stay up, and it closes the session only over a message that does not decode. The peer
// computes its honest answers with the embedded engine over the same CSV file, chunked alike.
#include <catch2/catch.hpp>

#include <msgpack.hpp>

#include <chrono>
#include <future>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/msgpack_util.h"
#include "dht/envelope.h"
#include "dht/messages.h"
#include "dht/query_messages.h"
#include "tests/net/generated_csv.h"
#include "tests/net/node_api.h"
#include "tests/net/node_process.h"
#include "tests/net/query_support.h"
#include "tests/net/raw_peer.h"

namespace lake::nettest {
namespace {

using dht::QueryMessage;
using dht::QueryMessageKind;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr size_t kRows = 20'000;
constexpr uint64_t kChunkBytes = 64 << 10;  // chunks of at least 1024 rows: over a dozen
constexpr uint8_t kHostileFill = 0x71;      // the raw peer's identity
constexpr char kSql[] =
    "SELECT city, COUNT(*) AS n, SUM(amount) AS s, MIN(note) AS lo FROM t GROUP BY city "
    "ORDER BY city";

enum class Behavior {
  kHonest,
  kUndecodablePartial,
  kTruncatedPartial,
  kPiecesOutOfOrder,
  kFirstPieceThenSilence,
  kOversizedPiece,
  kUndecodableMessage,
  kNotFound,
  kForgedForOthers,
};

const char* Describe(Behavior behavior) {
  switch (behavior) {
    case Behavior::kHonest:
      return "honest";
    case Behavior::kUndecodablePartial:
      return "undecodable partial";
    case Behavior::kTruncatedPartial:
      return "truncated partial";
    case Behavior::kPiecesOutOfOrder:
      return "pieces out of order";
    case Behavior::kFirstPieceThenSilence:
      return "first piece, then silence";
    case Behavior::kOversizedPiece:
      return "oversized piece";
    case Behavior::kUndecodableMessage:
      return "undecodable message";
    case Behavior::kNotFound:
      return "NotFound";
    case Behavior::kForgedForOthers:
      return "forged for other request ids";
  }
  return "?";
}

// What the node sent the raw peer during one query.
struct Seen {
  size_t fragments = 0;
  size_t acks = 0;
  size_t cancels = 0;
};

// The raw peer: one authenticated session with the planner, in its routing table. It answers
// the node's PINGs, so it stays there, and its fragments as the current behavior says.
class HostilePeer {
 public:
  HostilePeer(const NodeProcess& node, EmbeddedEngine& embedded)
      : node_(node),
        embedded_(embedded),
        peer_(std::make_unique<RawPeer>(node.p2p_port())),
        session_(std::make_unique<dht::SecureSession>(dht::SecureSession::Role::kInitiator,
                                                      TestIdentity(kHostileFill), EphemeralSeed(),
                                                      NodeIdOf(node))) {}

  // Handshakes and PINGs the node, claiming the listener's address; the node dials it to verify
  // it, and that connection, the node's newest session with this peer, carries everything after.
  void Join() {
    REQUIRE(peer_->connected());
    REQUIRE(Handshake(*peer_, *session_));
    REQUIRE(Alive());
    const std::optional<int> dialled = listener_.Accept(kIoTimeout);
    REQUIRE(dialled.has_value());
    peer_ = std::make_unique<RawPeer>(*dialled);
    session_ = std::make_unique<dht::SecureSession>(dht::SecureSession::Role::kResponder,
                                                    TestIdentity(kHostileFill), EphemeralSeed(),
                                                    std::nullopt);
    REQUIRE(Handshake(*peer_, *session_));
    REQUIRE(Eventually([&] { return Listed(node_); }, seconds(5)));
    REQUIRE(Alive());
  }

  // Whether `node` lists the raw peer in its routing table.
  static bool Listed(const NodeProcess& node) {
    return ListsPeer(node, TestIdentity(kHostileFill).node_id().ToHex());
  }

  // Runs kSql on the node, answering its messages as `behavior` says until the reply comes.
  QueryReply Query(Behavior behavior, Seen* seen) {
    behavior_ = behavior;
    seen_ = seen;
    std::future<QueryReply> reply =
        std::async(std::launch::async, [&] { return PostQuery(node_.http_port(), kSql); });
    while (!closed_ && reply.wait_for(milliseconds(0)) != std::future_status::ready) {
      Pump(milliseconds(20));
    }
    // The node's messages to this holder race the answer it gives the client (a CANCEL is sent
    // as the fragment's chunks go to another replica): read what follows the answer too.
    const auto answered = Clock::now();
    while (!closed_ && Clock::now() - answered < milliseconds(500)) Pump(milliseconds(20));
    behavior_ = Behavior::kHonest;
    seen_ = &ignored_;
    return reply.get();
  }

  // A PING answered on this session: the node has not closed it.
  bool Alive() {
    dht::Message ping;
    ping.kind = dht::MessageKind::kPing;
    ping.request_id = next_ping_++;
    ping.source_address = "127.0.0.1:" + std::to_string(listener_.port());
    if (!SendPayload(*peer_, *session_, dht::EncodeMessage(ping))) return false;
    const auto deadline = Clock::now() + kIoTimeout;
    while (!closed_ && Clock::now() < deadline) {
      if (pongs_.count(ping.request_id)) return true;
      Pump(milliseconds(20));
    }
    return false;
  }

  bool closed() const { return closed_; }

 private:
  // Reads what arrives within `timeout` and handles every payload of it.
  void Pump(milliseconds timeout) {
    Bytes in;
    const RawPeer::ReadEnd end = peer_->ReadSome(&in, timeout);
    if (end == RawPeer::ReadEnd::kClosed || (!in.empty() && !session_->OnBytes(in).ok())) {
      closed_ = true;
      return;
    }
    for (const Bytes& payload : session_->TakeReceived()) Handle(payload);
  }

  void Send(const Bytes& payload) { (void)SendPayload(*peer_, *session_, payload); }
  void Send(const QueryMessage& message) { Send(dht::EncodeQueryMessage(message)); }

  void Handle(const Bytes& payload) {
    const std::optional<std::string_view> protocol = dht::PeekProtocol(payload);
    if (protocol == dht::kKadProtocol) {
      Result<dht::Message> message = dht::DecodeMessage(payload);
      if (!message.ok()) return;
      if (message->kind == dht::MessageKind::kPong) pongs_.insert(message->request_id);
      if (message->kind == dht::MessageKind::kPing) {
        dht::Message pong;
        pong.kind = dht::MessageKind::kPong;
        pong.request_id = message->request_id;
        Send(dht::EncodeMessage(pong));
      }
      return;
    }
    if (protocol != dht::kQueryProtocol) return;
    Result<QueryMessage> message = dht::DecodeQueryMessage(payload);
    REQUIRE(message.ok());
    switch (message->kind) {
      case QueryMessageKind::kFragment:
        ++seen_->fragments;
        Answer(*message);
        return;
      case QueryMessageKind::kAck:
        ++seen_->acks;
        return;
      case QueryMessageKind::kCancel:
        ++seen_->cancels;
        return;
      default:
        return;
    }
  }

  void Answer(const QueryMessage& fragment) {
    const uint64_t id = fragment.request_id;
    Result<Bytes> genuine = embedded_.local().engine().RunFragment(fragment.data);
    REQUIRE(genuine.ok());
    REQUIRE(genuine->size() > 16);
    std::vector<QueryMessage> halves = dht::PartialPieces(id, *genuine, genuine->size() / 2 + 1);
    REQUIRE(halves.size() == 2);
    switch (behavior_) {
      case Behavior::kHonest:
        for (const QueryMessage& piece : dht::PartialPieces(id, *genuine)) Send(piece);
        return;
      case Behavior::kUndecodablePartial: {
        std::mt19937 rng(static_cast<uint32_t>(id));
        Bytes noise(genuine->size());
        for (uint8_t& b : noise) b = static_cast<uint8_t>(rng());
        Send(dht::PartialPieces(id, noise).front());
        return;
      }
      case Behavior::kTruncatedPartial: {
        QueryMessage cut = halves[0];
        cut.last = true;
        Send(cut);
        return;
      }
      case Behavior::kPiecesOutOfOrder:
        Send(halves[1]);
        Send(halves[0]);
        return;
      case Behavior::kFirstPieceThenSilence:
        Send(halves[0]);
        return;
      case Behavior::kOversizedPiece: {
        QueryMessage piece = dht::PartialPieces(id, *genuine).front();
        piece.data.resize(dht::QueryMessageLimits().max_data_bytes + 1);
        Send(piece);
        return;
      }
      case Behavior::kUndecodableMessage: {
        // A PARTIAL envelope whose body has none of a piece's fields.
        msgpack::sbuffer buffer;
        msgpack::packer<msgpack::sbuffer> pk(buffer);
        dht::PackEnvelopeHead(pk, dht::kQueryProtocol,
                              static_cast<uint8_t>(QueryMessageKind::kPartial), id);
        pk.pack_map(0);
        Send(BufferBytes(buffer));
        return;
      }
      case Behavior::kNotFound: {
        QueryMessage error;
        error.kind = QueryMessageKind::kError;
        error.request_id = id;
        error.error = Status::NotFound("chunk is not held here");
        Send(error);
        return;
      }
      case Behavior::kForgedForOthers:
        // The other fragments of the query (the real holder's) have nearby request ids: were
        // one of these accepted for them, its chunks would be counted as ours.
        for (uint64_t other = id > 100 ? id - 100 : 1; other <= id + 100; ++other) {
          if (other == id) continue;
          for (QueryMessage piece : dht::PartialPieces(other, *genuine)) Send(piece);
          QueryMessage ack;
          ack.kind = QueryMessageKind::kAck;
          ack.request_id = other;
          Send(ack);
        }
        for (const QueryMessage& piece : dht::PartialPieces(id, *genuine)) Send(piece);
        return;
    }
  }

  const NodeProcess& node_;
  EmbeddedEngine& embedded_;
  RawListener listener_;
  std::unique_ptr<RawPeer> peer_;
  std::unique_ptr<dht::SecureSession> session_;
  bool closed_ = false;
  uint64_t next_ping_ = 1;
  std::set<uint64_t> pongs_;
  Behavior behavior_ = Behavior::kHonest;
  Seen ignored_;
  Seen* seen_ = &ignored_;
};

// The planner, the other holder and the raw peer, started once for every section.
struct Cluster {
  std::unique_ptr<NodeProcess> planner, holder;
  std::unique_ptr<EmbeddedEngine> embedded;
  sql::QueryResult expected;
  std::unique_ptr<HostilePeer> peer;  // kept from section to section while its session lasts
};

Cluster& TheCluster() {
  static Cluster cluster;
  if (!cluster.planner) {
    const std::string dir = FreshTestDir("hostile-query");
    // A fragment times out after max(1 s, maxQueryTime / 3): 1.5 s.
    const std::string config =
        WriteQueryConfig(dir + "/config.json", 2, kChunkBytes, {{"maxQueryTime", 4500}});
    cluster.planner = std::make_unique<NodeProcess>(dir + "/planner");
    cluster.holder = std::make_unique<NodeProcess>(dir + "/holder");
    const Nodes all{cluster.planner.get(), cluster.holder.get()};
    StartMesh(all, {"--config", config});
    cluster.embedded = std::make_unique<EmbeddedEngine>(kChunkBytes);
    LoadEverywhere(*cluster.embedded, all, dir, "t", GeneratedCsv(kRows, 13));
    REQUIRE(cluster.embedded->Chunks("t") >= 12);
    Result<sql::QueryResult> expected = cluster.embedded->Answer(kSql);
    REQUIRE(expected.ok());
    cluster.expected = std::move(expected).value();
  }
  REQUIRE(cluster.planner->running());
  REQUIRE(cluster.holder->running());
  return cluster;
}

// The raw peer, joined: the last section's while the node keeps its session, else a new one
// once the node has forgotten the old (a closed session makes the node ping the peer's address,
// where nobody listens, and drop it from its routing table).
HostilePeer& JoinedPeer(Cluster& cluster) {
  if (cluster.peer && cluster.peer->closed()) {
    REQUIRE(Eventually([&] { return !HostilePeer::Listed(*cluster.planner); }, seconds(10)));
    cluster.peer.reset();
  }
  if (!cluster.peer) {
    cluster.peer = std::make_unique<HostilePeer>(*cluster.planner, *cluster.embedded);
    cluster.peer->Join();
  }
  return *cluster.peer;
}

TEST_CASE("A hostile holder's answers to query fragments leave every answer exact", "[net]") {
  Cluster& cluster = TheCluster();
  NodeProcess& planner = *cluster.planner;
  HostilePeer& peer = JoinedPeer(cluster);
  const uint64_t dropped_before = DroppedNow(planner);

  Behavior behavior = Behavior::kHonest;
  bool closes = false;  // the node must close the session over it
  SECTION("an honest answer, merged like a real holder's") {}
  SECTION("a partial result that does not decode") { behavior = Behavior::kUndecodablePartial; }
  SECTION("a partial result cut short") { behavior = Behavior::kTruncatedPartial; }
  SECTION("the last piece before the first") { behavior = Behavior::kPiecesOutOfOrder; }
  SECTION("a first piece, then silence") { behavior = Behavior::kFirstPieceThenSilence; }
  SECTION("NotFound for the chunks it was sent") { behavior = Behavior::kNotFound; }
  SECTION("its answer forged for the request ids around its own") {
    behavior = Behavior::kForgedForOthers;
  }
  SECTION("a piece over the size limit") {
    behavior = Behavior::kOversizedPiece;
    closes = true;
  }
  SECTION("a query message that does not decode") {
    behavior = Behavior::kUndecodableMessage;
    closes = true;
  }

  Seen seen;
  const auto started = Clock::now();
  const QueryReply reply = peer.Query(behavior, &seen);
  const int64_t ms = std::chrono::duration_cast<milliseconds>(Clock::now() - started).count();
  INFO(reply << " after " << ms << " ms; fragments " << seen.fragments << ", acks " << seen.acks
             << ", cancels " << seen.cancels);
  std::cout << "hostile-query: " << Describe(behavior) << ": HTTP " << reply.status << " after "
            << ms << " ms; the peer got " << seen.fragments << " fragments, " << seen.acks
            << " acks, " << seen.cancels << " cancels\n";
  REQUIRE(seen.fragments > 0);  // the planner did count the raw peer among the holders
  CHECK(reply.status == 200);
  CHECK(AnswerMismatch(cluster.expected, reply.body, false).empty());
  if (behavior == Behavior::kPiecesOutOfOrder) CHECK(seen.cancels == seen.fragments);
  if (behavior == Behavior::kFirstPieceThenSilence) CHECK(seen.acks == seen.fragments);
  if (closes) {
    CHECK_FALSE(peer.Alive());
    CheckStillServingAndCounted(planner, dropped_before);
  } else {
    CHECK(peer.Alive());
    CHECK(DroppedNow(planner) == dropped_before);
  }
}

}  // namespace
}  // namespace lake::nettest
