// The simulator's second tier: nodes made of the production actors (DHT router, chunk
// keeper, query planner) in one actor system on CAF's test_coordinator (virtual time, one message
// at a time), talking through an in-memory transport that speaks the transport protocol of
// actors/interfaces.h in place of TCP.
#include <spdlog/spdlog.h>
#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "actors/chunk_keeper.h"
#include "actors/dht_router.h"
#include "actors/errors.h"
#include "actors/interfaces.h"
#include "actors/query_executor.h"
#include "actors/query_planner.h"
#include "common/clock.h"
#include "common/hash.h"
#include "common/task_runner.h"
#include "dht/messages.h"
#include "store/mem_chunk_store.h"
#include "tests/support/import_text.h"

namespace lake::actors {
namespace {

// Who listens at which in-memory address. A "silent" node neither sends nor receives (a hung
// process or a partition); a node absent from the map refuses connections (a dead process).
struct Directory {
  struct Entry {
    NodeId id;
    caf::actor transport;
    bool silent = false;
  };
  std::map<std::string, Entry> by_address;
};

bool IsSilent(const Directory& directory, const NodeId& id) {
  for (const auto& [address, entry] : directory.by_address) {
    if (entry.id == id) return entry.silent;
  }
  return false;
}

struct MemoryTransportState {
  static inline const char* name = "memory_transport";
  NodeId self;
  DhtRouterActor router;
  std::shared_ptr<Directory> directory;
};

// The in-memory transport: delivers payloads to the transport registered at the address, with
// the sender's id (as the TCP transport does after the handshake proved it).
caf::behavior MemoryTransport(caf::stateful_actor<MemoryTransportState>* self, NodeId id,
                              DhtRouterActor router, std::shared_ptr<Directory> directory) {
  self->state.self = id;
  self->state.router = router;
  self->state.directory = std::move(directory);
  return {
      [=](send_atom, const NodeId& to, const std::string& address, const Bytes& payload) {
        auto& st = self->state;
        if (IsSilent(*st.directory, st.self)) return;
        auto it = st.directory->by_address.find(address);
        if (it == st.directory->by_address.end() || it->second.id != to) {
          self->send(st.router, unreach_atom::value, to);
          return;
        }
        if (it->second.silent) return;
        self->send(it->second.transport, deliver_atom::value, st.self, payload);
      },
      [=](deliver_atom, const NodeId& from, const Bytes& payload) {
        self->send(self->state.router, deliver_atom::value, from, payload);
      },
      [=](dial_atom, const std::string& address) {
        auto& st = self->state;
        auto it = st.directory->by_address.find(address);
        if (it == st.directory->by_address.end() || it->second.silent) return;
        self->send(st.router, peer_up_atom::value, it->second.id, address, true);
      },
      [=](close_atom, const NodeId&) {},
      [=](consumed_atom, const NodeId&, uint64_t) {},
      [=](stats_atom) { return TransportStats{}; },
  };
}

// A whole node but for TCP: router, transport, and a keeper and planner over an in-memory store.
struct ActorNode {
  NodeId id;
  std::string address;
  DhtRouterActor router;
  caf::actor transport;
  std::shared_ptr<store::MemChunkStore> store;
  ChunkKeeperActor keeper;
  QueryExecutorActor executor;
  QueryPlannerActor planner;
};

class OverlayFixture {
 public:
  OverlayFixture()
      : system_(Configure(config_)),
        sched_(dynamic_cast<caf::scheduler::test_coordinator&>(system_.scheduler())),
        self_(system_),
        directory_(std::make_shared<Directory>()) {
    spdlog::set_level(spdlog::level::warn);  // joins and seeds are logged at info
  }
  ~OverlayFixture() {
    for (ActorNode& node : nodes_) Kill(node);
    sched_.run();
  }

  // Starts node `index`; every node but the first joins through node 0.
  ActorNode& AddNode() {
    const size_t index = nodes_.size();
    ActorNode node;
    const std::string seed_text = "node-" + std::to_string(index);
    node.id =
        Blake2b256(ByteView(reinterpret_cast<const uint8_t*>(seed_text.data()), seed_text.size()));
    node.address = "mem:" + std::to_string(index);
    DhtRouterOptions options;
    options.self = node.id;
    if (index > 0) options.seeds = {"mem:0"};
    options.rng_seed = index + 1;
    node.router = Spawn(options);
    node.transport = system_.spawn(MemoryTransport, node.id, node.router, directory_);
    node.store = std::make_shared<store::MemChunkStore>();
    dht::Identity::Seed identity_seed{};
    identity_seed[0] = static_cast<uint8_t>(index + 1);
    node.keeper =
        system_.spawn(ChunkKeeper, ChunkKeeperOptions{}, dht::Identity(identity_seed), node.store);
    node.executor = system_.spawn(QueryExecutor, node.store, size_t{1}, size_t{1} << 20);
    node.planner = system_.spawn(QueryPlanner, QueryPlannerOptions{}, node.id, node.store,
                                 node.executor, node.keeper);
    caf::anon_send(node.planner, attach_atom::value, node.transport, node.router);
    directory_->by_address[node.address] = Directory::Entry{node.id, node.transport, false};
    caf::anon_send(node.router, attach_atom::value, node.transport, node.address);
    sched_.run();
    nodes_.push_back(node);
    return nodes_.back();
  }

  // Advances virtual time in steps, running every message and timer due.
  void RunFor(std::chrono::milliseconds total) {
    for (auto t = std::chrono::milliseconds(0); t < total; t += std::chrono::milliseconds(100)) {
      sched_.run();
      sched_.advance_time(std::chrono::milliseconds(100));
    }
    sched_.run();
  }

  template <class T, class Handle, class... Args>
  T Ask(const Handle& actor, Args... args) {
    self_->send(actor, args...);
    sched_.run();
    std::optional<T> answer;
    self_->receive([&](T& value) { answer = std::move(value); },
                   caf::after(std::chrono::seconds(0)) >> [] {});
    REQUIRE(answer.has_value());
    return *answer;
  }

  // Sends a request that must fail, and returns its error.
  template <class Handle, class... Args>
  caf::error AskError(const Handle& actor, Args... args) {
    self_->send(actor, args...);
    sched_.run();
    caf::error error;
    self_->receive([&](caf::error& e) { error = std::move(e); },
                   caf::after(std::chrono::seconds(0)) >> [] {});
    return error;
  }

  DhtRouterActor Spawn(const DhtRouterOptions& options) {
    DhtRouterActor router = system_.spawn(DhtRouter, options);
    sched_.run();
    return router;
  }

  std::set<NodeId> PeerIds(const ActorNode& node) {
    std::set<NodeId> ids;
    for (const PeerInfo& peer : Ask<std::vector<PeerInfo>>(node.router, peers_atom::value)) {
      ids.insert(peer.id);
    }
    return ids;
  }

  void Kill(ActorNode& node) {
    directory_->by_address.erase(node.address);
    for (const caf::actor& actor :
         {caf::actor_cast<caf::actor>(node.router), node.transport,
          caf::actor_cast<caf::actor>(node.keeper), caf::actor_cast<caf::actor>(node.planner),
          caf::actor_cast<caf::actor>(node.executor)}) {
      caf::anon_send_exit(actor, caf::exit_reason::kill);
    }
  }

  std::vector<ActorNode>& nodes() { return nodes_; }
  Directory& directory() { return *directory_; }

 private:
  static caf::actor_system_config& Configure(caf::actor_system_config& config) {
    config.set("scheduler.policy", caf::atom("testing"));
    return config;
  }

  caf::actor_system_config config_;
  caf::actor_system system_;
  caf::scheduler::test_coordinator& sched_;
  caf::scoped_actor self_;
  std::shared_ptr<Directory> directory_;
  std::vector<ActorNode> nodes_;
};

TEST_CASE_METHOD(OverlayFixture, "Router actors joining through one seed all find each other",
                 "[actors][overlay]") {
  for (int i = 0; i < 5; ++i) AddNode();
  RunFor(std::chrono::seconds(1));
  for (const ActorNode& node : nodes()) {
    std::set<NodeId> expected;
    for (const ActorNode& other : nodes()) {
      if (other.id != node.id) expected.insert(other.id);
    }
    CHECK(PeerIds(node) == expected);
    const RouterStatus status = Ask<RouterStatus>(node.router, status_atom::value);
    CHECK(status.id == node.id);
    CHECK(status.address == node.address);
    CHECK(status.peers == 4);
  }
}

TEST_CASE_METHOD(OverlayFixture, "A value put through one router actor is read through another",
                 "[actors][overlay]") {
  for (int i = 0; i < 4; ++i) AddNode();
  RunFor(std::chrono::seconds(1));
  const Id key = Blake2b256(ByteView(reinterpret_cast<const uint8_t*>("key"), 3));
  const Bytes value = {1, 2, 3, 4};
  CHECK(Ask<uint64_t>(nodes()[1].router, put_atom::value, key, value) == 4);
  const auto values = Ask<std::vector<Bytes>>(nodes()[3].router, get_atom::value, key);
  REQUIRE(values.size() == 1);
  CHECK(values[0] == value);
  CHECK(Ask<std::vector<Bytes>>(nodes()[2].router, get_first_atom::value, key) ==
        std::vector<Bytes>{value});
  const Id missing = Blake2b256(ByteView(reinterpret_cast<const uint8_t*>("nope"), 4));
  CHECK(Ask<std::vector<Bytes>>(nodes()[2].router, get_atom::value, missing).empty());
}

TEST_CASE_METHOD(OverlayFixture, "A node whose connection closes is dropped once it is unreachable",
                 "[actors][overlay]") {
  for (int i = 0; i < 4; ++i) AddNode();
  RunFor(std::chrono::seconds(1));
  const NodeId dead = nodes()[2].id;
  Kill(nodes()[2]);
  // What the TCP transport reports when a peer's connection closes.
  for (size_t i : {0u, 1u, 3u}) {
    caf::anon_send(nodes()[i].router, peer_down_atom::value, dead, /*lost=*/true);
  }
  RunFor(std::chrono::milliseconds(200));
  for (size_t i : {0u, 1u, 3u}) {
    CHECK(PeerIds(nodes()[i]).count(dead) == 0);
    CHECK(PeerIds(nodes()[i]).size() == 2);
  }
}

TEST_CASE_METHOD(OverlayFixture,
                 "Requests queued from a lost session go unanswered, a retired session's do not",
                 "[actors][overlay]") {
  for (int i = 0; i < 3; ++i) AddNode();
  RunFor(std::chrono::seconds(1));
  const DhtRouterActor& router = nodes()[0].router;
  const NodeId lost = nodes()[1].id;
  const NodeId retired = nodes()[2].id;
  dht::Message ping;
  ping.kind = dht::MessageKind::kPing;
  ping.request_id = 77;
  const Bytes request = dht::EncodeMessage(ping);
  const auto unanswered = [&] {
    return Ask<RouterStatus>(router, status_atom::value).requests_unanswered;
  };

  // The transport tells of a lost session urgently: the news overtakes the peer's requests
  // still queued at the router, which are not answered.
  caf::anon_send(router, deliver_atom::value, lost, request);
  caf::anon_send(router, deliver_atom::value, lost, request);
  caf::anon_send<caf::message_priority::high>(router, peer_down_atom::value, lost, true);
  RunFor(std::chrono::milliseconds(0));
  CHECK(unanswered() == 2);
  // A new session with the peer ends the silence.
  caf::anon_send<caf::message_priority::high>(router, peer_up_atom::value, lost, nodes()[1].address,
                                              true);
  caf::anon_send(router, deliver_atom::value, lost, request);
  RunFor(std::chrono::milliseconds(0));
  CHECK(unanswered() == 2);

  // A session closed to free its slot: the peer is fine and is answered, but not shown connected.
  caf::anon_send<caf::message_priority::high>(router, peer_down_atom::value, retired, false);
  caf::anon_send(router, deliver_atom::value, retired, request);
  RunFor(std::chrono::milliseconds(0));
  CHECK(unanswered() == 2);
  for (const PeerInfo& peer : Ask<std::vector<PeerInfo>>(router, peers_atom::value)) {
    if (peer.id == retired) CHECK_FALSE(peer.connected);
    if (peer.id == lost) CHECK(peer.connected);
  }
  CHECK(PeerIds(nodes()[0]).count(retired) == 1);
}

TEST_CASE_METHOD(OverlayFixture, "A silent node leaves the tables after heartbeats time out",
                 "[actors][overlay]") {
  for (int i = 0; i < 3; ++i) AddNode();
  RunFor(std::chrono::seconds(1));
  const NodeId silent = nodes()[1].id;
  directory().by_address.at(nodes()[1].address).silent = true;
  // Heartbeats (every 10 s) ping contacts silent for an interval; a ping times out after 2 s.
  RunFor(std::chrono::seconds(5));
  CHECK(PeerIds(nodes()[0]).count(silent) == 1);  // not yet
  RunFor(std::chrono::seconds(20));
  CHECK(PeerIds(nodes()[0]).count(silent) == 0);
  CHECK(PeerIds(nodes()[2]).count(silent) == 0);
  CHECK(PeerIds(nodes()[0]).count(nodes()[2].id) == 1);
}

TEST_CASE_METHOD(OverlayFixture, "Each node's keeper and planner answer over its own store",
                 "[actors][overlay]") {
  ActorNode& node = AddNode();
  testing::ImportText(*node.store, "t", "a,b\n1,x\n2,y\n3,\n");
  const StorageStatus storage = Ask<StorageStatus>(node.keeper, status_atom::value);
  CHECK(storage.datasets == 1);
  CHECK(storage.dataset_names == std::vector<std::string>{"t"});
  CHECK(storage.chunks == 1);

  const QueryAnswer sum = Ask<QueryAnswer>(
      node.planner, query_atom::value, QueryRequest{"SELECT SUM(a) FROM t", false, true, nullptr});
  CHECK(sum.result.chunks_scanned == 1);
  // The planner's answer is the embedded engine's over the same store.
  local::LocalEngine direct_engine(local::LocalEngineOptions{});
  REQUIRE(direct_engine.AttachStore(*node.store).ok());
  auto direct = direct_engine.engine().Run("SELECT SUM(a) FROM t");
  REQUIRE(direct.ok());
  CHECK(sum.result.names == direct->back().names);
  CHECK(sum.result.rows == direct->back().rows);
  // A SQL error reaches the requester with its code and position, not as a string.
  const Status bad = ToStatus(AskError(node.planner, query_atom::value,
                                       QueryRequest{"SELECT c FROM t", false, true, nullptr}));
  CHECK(bad.IsInvalidArgument());
  CHECK(bad.message().find("\"c\"") != std::string::npos);
  CHECK(bad.position() == 8);
}

TEST_CASE_METHOD(OverlayFixture, "A router asked before its transport is attached refuses",
                 "[actors][overlay]") {
  DhtRouterOptions options;
  options.self = Blake2b256(ByteView(reinterpret_cast<const uint8_t*>("x"), 1));
  DhtRouterActor router = Spawn(options);
  const caf::error error = AskError(router, get_atom::value, options.self);
  CHECK(ToStatus(error).code() == Status::Code::kUnavailable);
  caf::anon_send_exit(router, caf::exit_reason::kill);
}

}  // namespace
}  // namespace lake::actors
