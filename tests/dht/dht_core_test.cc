// DhtCore wired by hand: a few cores exchange every message through EncodeMessage/DecodeMessage
// on a clock the test advances itself. Covers bootstrap, lookups, put/get, spoofed and stray
// responses, request timeouts, least-recently-seen eviction and record expiry.
#include "dht/dht_core.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/rng.h"
#include "tests/dht/dht_wire.h"

namespace lake::dht {
namespace {

using namespace test_wire;

TEST_CASE("Bootstrap fills the routing tables both ways", "[dht][dht_core]") {
  const size_t n = GENERATE(2, 3, 5);
  Wire wire(n);
  wire.BootstrapAll();
  for (size_t i = 0; i < n; ++i) {
    INFO("node " << i);
    CHECK(wire.core(i).table().size() == n - 1);
    std::vector<Contact> want;
    for (size_t j = 0; j < n; ++j) {
      if (j != i) want.push_back(wire.contact(j));
    }
    std::vector<Contact> have = wire.core(i).table().All();
    CHECK(SortedByDistance(have, Id()) == SortedByDistance(want, Id()));
  }
  CHECK(wire.lost == 0);
  for (size_t i = 0; i < n; ++i) CHECK(wire.core(i).messages_dropped() == 0);
}

TEST_CASE("A first node bootstrapping alone sends nothing", "[dht][dht_core]") {
  Wire wire(1);
  wire.core(0).Bootstrap(wire.now, {});
  DhtCore::Outbox outbox = wire.core(0).TakeOutbox();
  CHECK(outbox.sends.empty());
  CHECK(outbox.results.empty());
  CHECK(wire.core(0).table().size() == 0);
  // Its first timer is the heartbeat sweep (the maintenance round comes later).
  REQUIRE(wire.options.heartbeat_interval < wire.options.maintenance_interval);
  CHECK(wire.core(0).NextWakeup() == wire.now + wire.options.heartbeat_interval);
}

TEST_CASE("FindNode returns the k closest nodes, the searching node included", "[dht][dht_core]") {
  Rng rng(11);
  Wire wire(5);
  wire.BootstrapAll();
  const std::vector<Contact> all = wire.AllContacts();

  SECTION("a target equal to the searching node's id puts it first") {
    const DhtCore::OperationId op = wire.core(3).FindNode(wire.now, wire.contact(3).id);
    wire.Pump();
    const std::optional<OperationResult> r = wire.Find(3, op);
    REQUIRE(r.has_value());
    CHECK(r->kind == DhtCore::OperationKind::kFindNode);
    CHECK(r->target == wire.contact(3).id);
    CHECK(r->closest == SortedByDistance(all, wire.contact(3).id));
    CHECK(r->closest.front() == wire.contact(3));
    CHECK(r->hops >= 1);
    CHECK(r->queries == 4);  // every other node, once
  }
  SECTION("random targets from every node") {
    for (int t = 0; t < 10; ++t) {
      const Id target = rng.NextId();
      for (size_t i = 0; i < 5; ++i) {
        const DhtCore::OperationId op = wire.core(i).FindNode(wire.now, target);
        wire.Pump();
        const std::optional<OperationResult> r = wire.Find(i, op);
        REQUIRE(r.has_value());
        CHECK(r->closest == SortedByDistance(all, target));
      }
    }
  }
}

TEST_CASE("FindNode with k smaller than the network returns exactly the true k closest",
          "[dht][dht_core]") {
  Rng rng(12);
  DhtOptions options;
  options.k = 3;
  options.store_replicas = 3;
  Wire wire(5, options, 7);
  wire.BootstrapAll();
  const std::vector<Contact> all = wire.AllContacts();
  for (int t = 0; t < 20; ++t) {
    // Half the targets sit right next to a node, so that node is among the closest.
    Id target = rng.NextId();
    if (t % 2 == 0) {
      std::array<uint8_t, Id::kBytes> bytes = all[t % 5].id.bytes();
      bytes[31] ^= 1;
      target = Id(bytes);
    }
    for (size_t i = 0; i < 5; ++i) {
      const DhtCore::OperationId op = wire.core(i).FindNode(wire.now, target);
      wire.Pump();
      const std::optional<OperationResult> r = wire.Find(i, op);
      REQUIRE(r.has_value());
      std::vector<Contact> want = SortedByDistance(all, target);
      want.resize(3);
      INFO("target " << t << " from node " << i);
      CHECK(r->closest == want);
    }
  }
}

TEST_CASE("A value put by one node can be read from every other node", "[dht][dht_core]") {
  Rng rng(13);
  const size_t n = GENERATE(2, 4);
  Wire wire(n);
  wire.BootstrapAll();
  const Id key = rng.NextId();
  const Bytes value = {'m', 'a', 'n', 'i', 'f', 'e', 's', 't'};

  const DhtCore::OperationId put = wire.core(0).Put(wire.now, key, value);
  wire.Pump();
  const std::optional<OperationResult> stored = wire.Find(0, put);
  REQUIRE(stored.has_value());
  CHECK(stored->kind == DhtCore::OperationKind::kPut);
  CHECK(stored->target == key);
  // store_replicas (20) exceeds the network: every node keeps it, the publisher included.
  CHECK(stored->stored == n);
  for (size_t i = 0; i < n; ++i) {
    CHECK(wire.core(i).records().Get(key, wire.now) == std::vector<Bytes>{value});
  }

  for (size_t i = 1; i < n; ++i) {
    const DhtCore::OperationId get = wire.core(i).Get(wire.now, key);
    wire.Pump();
    const std::optional<OperationResult> got = wire.Find(i, get);
    REQUIRE(got.has_value());
    CHECK(got->kind == DhtCore::OperationKind::kGet);
    CHECK(got->values == std::vector<Bytes>{value});
  }
  // A key nobody stored has no values.
  const DhtCore::OperationId miss = wire.core(n - 1).Get(wire.now, rng.NextId());
  wire.Pump();
  REQUIRE(wire.Find(n - 1, miss).has_value());
  CHECK(wire.Find(n - 1, miss)->values.empty());
}

TEST_CASE("A put stores on only the store_replicas closest nodes", "[dht][dht_core]") {
  Rng rng(14);
  DhtOptions options;
  options.store_replicas = 2;
  Wire wire(5, options, 3);
  wire.BootstrapAll();
  for (int t = 0; t < 5; ++t) {
    const Id key = rng.NextId();
    const Bytes value = {static_cast<uint8_t>(t)};
    const size_t publisher = static_cast<size_t>(t);
    const DhtCore::OperationId put = wire.core(publisher).Put(wire.now, key, value);
    wire.Pump();
    REQUIRE(wire.Find(publisher, put).has_value());
    CHECK(wire.Find(publisher, put)->stored == 2);
    const std::vector<Contact> closest = SortedByDistance(wire.AllContacts(), key);
    for (size_t i = 0; i < 5; ++i) {
      const bool should_hold = wire.contact(i) == closest[0] || wire.contact(i) == closest[1];
      CHECK(wire.core(i).records().Get(key, wire.now).empty() == !should_hold);
    }
  }
}

TEST_CASE("Get finds a record that only the searching node holds", "[dht][dht_core]") {
  // One replica: the record lives only on the node closest to the key. That node's own Get must
  // still find it, as every other node's Get does.
  DhtOptions options;
  options.store_replicas = 1;
  Wire wire(3, options, 5);
  wire.BootstrapAll();
  const Id key = wire.contact(1).id;  // node 1 is the closest node to its own id
  const Bytes value = {1, 2, 3};
  const DhtCore::OperationId put = wire.core(0).Put(wire.now, key, value);
  wire.Pump();
  REQUIRE(wire.Find(0, put).has_value());
  REQUIRE(wire.Find(0, put)->stored == 1);
  REQUIRE(wire.core(1).records().Get(key, wire.now) == std::vector<Bytes>{value});
  REQUIRE(wire.core(0).records().Get(key, wire.now).empty());

  const DhtCore::OperationId from_other = wire.core(2).Get(wire.now, key);
  wire.Pump();
  REQUIRE(wire.Find(2, from_other).has_value());
  CHECK(wire.Find(2, from_other)->values == std::vector<Bytes>{value});

  const DhtCore::OperationId from_holder = wire.core(1).Get(wire.now, key);
  wire.Pump();
  REQUIRE(wire.Find(1, from_holder).has_value());
  CHECK(wire.Find(1, from_holder)->values == std::vector<Bytes>{value});
}

TEST_CASE("A response from a node other than the one asked is dropped", "[dht][dht_core]") {
  Rng rng(15);
  Wire wire(3);
  wire.BootstrapAll();
  const Id target = rng.NextId();
  const DhtCore::OperationId op = wire.core(0).FindNode(wire.now, target);
  wire.Collect(0);
  REQUIRE(wire.queue.size() == 2);  // nodes 1 and 2, both within alpha
  const Wire::Packet& to_node1 =
      wire.queue.front().send.to == wire.contact(1) ? wire.queue.front() : wire.queue.back();
  REQUIRE(to_node1.send.to == wire.contact(1));
  REQUIRE(to_node1.send.message.kind == MessageKind::kFindNode);

  // Node 2 answers the request that went to node 1, naming a node that does not exist.
  const Contact bogus{rng.NextId(), "node:99"};
  Message forged;
  forged.kind = MessageKind::kNodes;
  forged.request_id = to_node1.send.message.request_id;
  forged.nodes = {bogus};
  const uint64_t dropped_before = wire.core(0).messages_dropped();
  wire.core(0).OnMessage(wire.now, wire.contact(2).id, forged, std::nullopt);
  CHECK(wire.core(0).messages_dropped() == dropped_before + 1);
  DhtCore::Outbox after = wire.core(0).TakeOutbox();
  CHECK(after.sends.empty());    // nobody was asked about the bogus contact
  CHECK(after.results.empty());  // and nothing completed
  CHECK_FALSE(wire.core(0).table().Contains(bogus.id));

  // The real replies still complete the lookup, without the bogus contact.
  wire.Pump();
  const std::optional<OperationResult> r = wire.Find(0, op);
  REQUIRE(r.has_value());
  CHECK(r->closest == SortedByDistance(wire.AllContacts(), target));
  CHECK(wire.lost == 0);
}

TEST_CASE("A response with an unknown or already used request id is dropped", "[dht][dht_core]") {
  Rng rng(16);
  Wire wire(2);
  wire.BootstrapAll();

  SECTION("a request id never issued") {
    Message pong;
    pong.kind = MessageKind::kPong;
    pong.request_id = 0x5eed;
    wire.core(0).OnMessage(wire.now, wire.contact(1).id, pong, std::nullopt);
    CHECK(wire.core(0).messages_dropped() == 1);
    DhtCore::Outbox outbox = wire.core(0).TakeOutbox();
    CHECK(outbox.sends.empty());
    CHECK(outbox.results.empty());
  }
  SECTION("a duplicate of a reply already accepted") {
    const DhtCore::OperationId op = wire.core(0).FindNode(wire.now, rng.NextId());
    wire.Collect(0);
    REQUIRE(wire.queue.size() == 1);
    const Wire::Packet request = wire.queue.front();
    wire.queue.pop_front();
    REQUIRE(wire.Deliver(request));
    REQUIRE(wire.queue.size() == 1);
    const Wire::Packet reply = wire.queue.front();
    REQUIRE(reply.send.message.kind == MessageKind::kNodes);
    wire.Pump();
    REQUIRE(wire.Find(0, op).has_value());
    const size_t results = wire.results[0].size();
    wire.queue.push_back(reply);
    wire.Pump();
    CHECK(wire.core(0).messages_dropped() == 1);
    CHECK(wire.results[0].size() == results);
  }
  SECTION("a message claiming to come from the node itself") {
    Message ping;
    ping.kind = MessageKind::kPing;
    ping.source_address = wire.contact(0).address;
    wire.core(0).OnMessage(wire.now, wire.contact(0).id, ping, std::nullopt);
    CHECK(wire.core(0).messages_dropped() == 1);
    CHECK(wire.core(0).TakeOutbox().sends.empty());
  }
}

TEST_CASE("A request nobody answers times out after request_timeout; max_failures drop the node",
          "[dht][dht_core]") {
  Rng rng(17);
  Wire wire(3);
  wire.BootstrapAll();
  wire.silent.insert(2);
  const Id target = rng.NextId();
  const TimePoint start = wire.now;
  const DhtCore::OperationId op = wire.core(0).FindNode(wire.now, target);
  wire.Pump();
  // Node 1 answered; node 2 did not, so the lookup waits.
  CHECK_FALSE(wire.Find(0, op).has_value());
  CHECK(wire.core(0).table().Contains(wire.contact(2).id));
  const TimePoint deadline = start + wire.options.request_timeout;
  CHECK(wire.core(0).NextWakeup() == deadline);

  // A tick just before the deadline changes nothing.
  wire.now = deadline - 1us;
  wire.core(0).OnTimer(wire.now);
  wire.Pump();
  CHECK_FALSE(wire.Find(0, op).has_value());
  CHECK(wire.core(0).table().Contains(wire.contact(2).id));

  wire.now = wire.core(0).NextWakeup();
  wire.core(0).OnTimer(wire.now);
  wire.Pump();
  const std::optional<OperationResult> r = wire.Find(0, op);
  REQUIRE(r.has_value());
  CHECK(IdsOf(r->closest) == IdsOf(SortedByDistance({wire.contact(0), wire.contact(1)}, target)));
  // One silence is no proof of death (a reply may have been lost): the node stays in the table
  // until it has failed max_failures requests in a row.
  CHECK(wire.core(0).table().Contains(wire.contact(2).id));
  for (size_t i = 1; i < wire.options.max_failures; ++i) {
    wire.core(0).FindNode(wire.now, target);
    wire.RunUntil(wire.now + wire.options.request_timeout);
  }
  CHECK_FALSE(wire.core(0).table().Contains(wire.contact(2).id));
  CHECK(wire.core(0).table().Contains(wire.contact(1).id));
}

TEST_CASE("A full bucket keeps its oldest contact if it answers the eviction ping",
          "[dht][dht_core]") {
  DhtOptions options;
  options.k = 1;
  Rng rng(18);
  const Id self = rng.NextId();
  // Two ids in the same bucket (255) of `self`: they differ from it in the top bit.
  auto in_top_bucket = [&](uint8_t low) {
    std::array<uint8_t, Id::kBytes> bytes = self.bytes();
    bytes[0] ^= 0x80;
    bytes[31] ^= low;
    return Id(bytes);
  };
  const Contact old_node{in_top_bucket(1), "old:1"};
  const Contact newcomer{in_top_bucket(2), "new:1"};
  DhtCore core(Contact{self, "self:1"}, options, Rng(1));
  TimePoint now = kT0;
  core.Bootstrap(now, {});

  Message ping;
  ping.kind = MessageKind::kPing;
  ping.request_id = 1;
  ping.source_address = old_node.address;
  core.OnMessage(now, old_node.id, ping, old_node.address);
  REQUIRE(core.table().Contains(old_node.id));
  (void)core.TakeOutbox();

  now += 1s;
  ping.request_id = 2;
  ping.source_address = newcomer.address;
  core.OnMessage(now, newcomer.id, ping, newcomer.address);
  DhtCore::Outbox outbox = core.TakeOutbox();
  // A pong for the newcomer, and a liveness ping to the old contact.
  REQUIRE(outbox.sends.size() == 2);
  const DhtCore::Send* probe = nullptr;
  for (const DhtCore::Send& s : outbox.sends) {
    if (s.to == newcomer) {
      CHECK(s.message.kind == MessageKind::kPong);
      CHECK(s.message.request_id == 2);
    } else {
      probe = &s;
    }
  }
  REQUIRE(probe != nullptr);
  CHECK(probe->to == old_node);
  CHECK(probe->message.kind == MessageKind::kPing);
  CHECK_FALSE(core.table().Contains(newcomer.id));

  SECTION("the old contact answers: it stays, the newcomer waits") {
    Message pong;
    pong.kind = MessageKind::kPong;
    pong.request_id = probe->message.request_id;
    core.OnMessage(now + 100ms, old_node.id, pong, old_node.address);
    CHECK(core.messages_dropped() == 0);
    core.OnTimer(now + 10s);
    CHECK(core.table().Contains(old_node.id));
    CHECK_FALSE(core.table().Contains(newcomer.id));
  }
  SECTION("the old contact is silent: the newcomer replaces it after max_failures pings") {
    for (size_t i = 1; i < options.max_failures; ++i) {
      core.OnTimer(now + i * options.request_timeout);
      CHECK(core.table().Contains(old_node.id));
      CHECK_FALSE(core.table().Contains(newcomer.id));
    }
    core.OnTimer(now + options.max_failures * options.request_timeout);
    CHECK_FALSE(core.table().Contains(old_node.id));
    CHECK(core.table().Contains(newcomer.id));
  }
}

TEST_CASE("Records expire after their TTL", "[dht][dht_core]") {
  Rng rng(19);
  DhtOptions options;
  options.record_ttl_s = 90;
  Wire wire(3, options);
  wire.BootstrapAll();
  const Id key = rng.NextId();
  const Bytes value = {9, 9, 9};
  const TimePoint put_at = wire.now;
  const DhtCore::OperationId put = wire.core(0).Put(wire.now, key, value);
  wire.Pump();
  REQUIRE(wire.Find(0, put).has_value());
  REQUIRE(wire.Find(0, put)->stored == 3);

  wire.RunUntil(put_at + 89s);
  DhtCore::OperationId get = wire.core(2).Get(wire.now, key);
  wire.Pump();
  REQUIRE(wire.Find(2, get).has_value());
  CHECK(wire.Find(2, get)->values == std::vector<Bytes>{value});

  wire.RunUntil(put_at + 90s);
  get = wire.core(2).Get(wire.now, key);
  wire.Pump();
  REQUIRE(wire.Find(2, get).has_value());
  CHECK(wire.Find(2, get)->values.empty());

  // By the next maintenance round every node has dropped it.
  wire.RunUntil(put_at + 90s + options.maintenance_interval);
  for (size_t i = 0; i < 3; ++i) CHECK(wire.core(i).records().size() == 0);
}

TEST_CASE("A publisher republishes its records until it unpublishes them", "[dht][dht_core]") {
  Rng rng(22);
  DhtOptions options;
  options.record_ttl_s = 90;
  options.republish_interval = 60s;  // maintenance also runs every 60 s
  Wire wire(3, options);
  wire.BootstrapAll();
  const Id key = rng.NextId();
  const Bytes value = {7, 7};
  const DhtCore::OperationId put = wire.core(0).Put(wire.now, key, value);
  wire.Pump();
  REQUIRE(wire.Find(0, put).has_value());

  auto readable = [&] {
    const DhtCore::OperationId get = wire.core(1).Get(wire.now, key);
    wire.Pump();
    REQUIRE(wire.Find(1, get).has_value());
    return wire.Find(1, get)->values == std::vector<Bytes>{value};
  };
  // Without republishing the record would be gone at +90 s.
  wire.RunUntil(kT0 + 200s);
  CHECK(readable());

  // The last republish happened at +180 s; after Unpublish the record lives out that TTL.
  wire.core(0).Unpublish(key, value);
  wire.RunUntil(kT0 + 269s);
  CHECK(readable());
  wire.RunUntil(kT0 + 270s);
  CHECK_FALSE(readable());
}

TEST_CASE("A store request cannot set a TTL beyond the receiver's record_ttl_s",
          "[dht][dht_core]") {
  DhtOptions options;
  options.record_ttl_s = 60;
  Rng rng(20);
  DhtCore core(Contact{rng.NextId(), "self:1"}, options, Rng(2));
  core.Bootstrap(kT0, {});
  const Contact peer{rng.NextId(), "peer:1"};
  Message store;
  store.kind = MessageKind::kStore;
  store.request_id = 5;
  store.source_address = peer.address;
  store.target = rng.NextId();
  store.values = {Bytes{4, 5}};
  store.ttl_s = 365 * 24 * 3600;
  core.OnMessage(kT0, peer.id, store, peer.address);
  DhtCore::Outbox outbox = core.TakeOutbox();
  REQUIRE(outbox.sends.size() == 1);
  CHECK(outbox.sends[0].to == peer);
  CHECK(outbox.sends[0].message.kind == MessageKind::kStoreAck);
  CHECK(outbox.sends[0].message.request_id == 5);
  CHECK(outbox.sends[0].message.ok);
  CHECK(core.records().Get(store.target, kT0 + 59s).size() == 1);
  CHECK(core.records().Get(store.target, kT0 + 60s).empty());
}

TEST_CASE("A value over the limit is neither stored nor sent, and its STORE would not decode",
          "[dht][dht_core]") {
  Rng rng(21);
  DhtOptions options;
  options.limits.max_value_bytes = 1000;
  Wire wire(3, options);
  wire.BootstrapAll();
  const Id key = rng.NextId();
  const Bytes big(1001, 0xee);
  const DhtCore::OperationId put = wire.core(0).Put(wire.now, key, big);
  wire.Pump();

  // The put ends at once, having stored nothing anywhere and sent no STORE.
  const std::optional<OperationResult> r = wire.Find(0, put);
  REQUIRE(r.has_value());
  CHECK(r->stored == 0);
  CHECK(wire.undecodable == 0);
  for (size_t i = 0; i < 3; ++i) CHECK(wire.core(i).records().size() == 0);
  // Its peers stay in the publisher's table (nothing timed out).
  CHECK(wire.core(0).table().size() == 2);

  // A peer sending such a STORE anyway is refused by the decoder.
  Message store;
  store.kind = MessageKind::kStore;
  store.source_address = wire.contact(0).address;
  store.target = key;
  store.values = {big};
  store.ttl_s = options.record_ttl_s;
  Result<Message> decoded = DecodeMessage(EncodeMessage(store), options.limits);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.status().IsCorruption());
}

}  // namespace
}  // namespace lake::dht

namespace lake::dht {
namespace {

using namespace test_wire;

TEST_CASE("CheckAlive keeps a node that answers and drops one that does not", "[dht][dht_core]") {
  Wire wire(4);
  wire.BootstrapAll();
  REQUIRE(wire.core(0).table().Contains(wire.contact(1).id));
  REQUIRE(wire.core(0).table().Contains(wire.contact(2).id));
  wire.core(0).CheckAlive(wire.now, wire.contact(1).id);
  wire.silent.insert(2);
  wire.core(0).CheckAlive(wire.now, wire.contact(2).id);
  // The ping is sent again at once after each timeout, up to max_failures of them.
  const TimePoint start = wire.now;
  wire.RunUntil(start + (wire.options.max_failures - 1) * wire.options.request_timeout);
  CHECK(wire.core(0).table().Contains(wire.contact(2).id));
  wire.RunUntil(start + wire.options.max_failures * wire.options.request_timeout);
  CHECK(wire.core(0).table().Contains(wire.contact(1).id));
  CHECK_FALSE(wire.core(0).table().Contains(wire.contact(2).id));
}

TEST_CASE("OnUnreachable fails pending requests at once instead of at their deadline",
          "[dht][dht_core]") {
  Wire wire(3);
  wire.BootstrapAll();
  wire.silent.insert(2);
  wire.core(0).CheckAlive(wire.now, wire.contact(2).id);
  wire.Pump();
  REQUIRE(wire.core(0).table().Contains(wire.contact(2).id));
  // No time passes: each call fails the ping pending at once, which is sent again until the
  // node has failed max_failures times.
  for (size_t i = 1; i < wire.options.max_failures; ++i) {
    wire.core(0).OnUnreachable(wire.now, wire.contact(2).id);
    wire.Pump();
    CHECK(wire.core(0).table().Contains(wire.contact(2).id));
  }
  wire.core(0).OnUnreachable(wire.now, wire.contact(2).id);
  CHECK(wire.core(0).requests_failed() == wire.options.max_failures);
  CHECK_FALSE(wire.core(0).table().Contains(wire.contact(2).id));
  CHECK(wire.core(0).table().Contains(wire.contact(1).id));
}

TEST_CASE("OnTurnedAway fails a lookup's request at once, and the lookup moves on",
          "[dht][dht_core]") {
  Wire wire(4);
  wire.BootstrapAll();
  wire.silent.insert(2);
  wire.core(0).FindNode(wire.now, wire.contact(3).id);
  wire.Pump();
  REQUIRE(wire.results[0].empty());  // waiting for node 2
  wire.core(0).OnTurnedAway(wire.now, wire.contact(2).id);
  wire.Pump();
  // No time passed: the lookup finished without node 2's answer.
  REQUIRE(wire.results[0].size() == 1);
  CHECK(wire.core(0).requests_failed() == 1);
}

TEST_CASE("OnTurnedAway leaves pings to their deadline: refusals alone evict no contact",
          "[dht][dht_core]") {
  Wire wire(3);
  wire.BootstrapAll();
  wire.silent.insert(2);
  wire.core(0).CheckAlive(wire.now, wire.contact(2).id);
  wire.Pump();
  // A node with every connection slot taken refuses at once, again and again.
  for (int i = 0; i < 10; ++i) {
    wire.core(0).OnTurnedAway(wire.now, wire.contact(2).id);
    wire.Pump();
  }
  CHECK(wire.core(0).requests_failed() == 0);
  CHECK(wire.core(0).table().Contains(wire.contact(2).id));
  // Silent for max_failures request timeouts, it leaves the table.
  wire.RunUntil(wire.now + wire.options.max_failures * wire.options.request_timeout);
  CHECK(wire.core(0).requests_failed() == wire.options.max_failures);
  CHECK_FALSE(wire.core(0).table().Contains(wire.contact(2).id));
  CHECK(wire.core(0).table().Contains(wire.contact(1).id));
}

TEST_CASE("Answered requests record the round-trip time of their contact", "[dht][dht_core]") {
  Wire wire(2);
  wire.BootstrapAll();
  wire.core(0).CheckAlive(wire.now, wire.contact(1).id);
  wire.CollectAll();
  wire.now += 7ms;  // the ping is "in flight" for 7 ms
  wire.Pump();
  const auto peers = wire.core(0).table().Peers();
  REQUIRE(peers.size() == 1);
  REQUIRE(peers[0].rtt.has_value());
  CHECK(*peers[0].rtt == 7ms);
  CHECK(peers[0].last_seen == wire.now);
}

}  // namespace
}  // namespace lake::dht

namespace lake::dht {
namespace {

using namespace test_wire;

TEST_CASE("A first-found Get stops at the first holder and asks fewer nodes than a full Get",
          "[dht][dht_core]") {
  Rng rng(21);
  DhtOptions options;
  options.k = 8;
  options.store_replicas = 8;
  Wire wire(40, options, 9);
  wire.BootstrapAll();
  const Id key = rng.NextId();
  const Bytes value = {4, 2};
  const DhtCore::OperationId put = wire.core(0).Put(wire.now, key, value);
  wire.Pump();
  REQUIRE(wire.Find(0, put)->stored == 8);
  size_t full_queries = 0;
  size_t first_queries = 0;
  for (size_t i = 1; i < 40; ++i) {
    if (!wire.core(i).records().Get(key, wire.now).empty()) {
      // A holder answers from its own records without sending anything.
      const DhtCore::OperationId local =
          wire.core(i).Get(wire.now, key, DhtCore::GetMode::kFirstFound);
      wire.Collect(i);
      CHECK(wire.queue.empty());
      REQUIRE(wire.Find(i, local).has_value());
      CHECK(wire.Find(i, local)->values == std::vector<Bytes>{value});
      continue;
    }
    const DhtCore::OperationId full = wire.core(i).Get(wire.now, key);
    wire.Pump();
    const DhtCore::OperationId first =
        wire.core(i).Get(wire.now, key, DhtCore::GetMode::kFirstFound);
    wire.Pump();
    REQUIRE(wire.Find(i, full).has_value());
    REQUIRE(wire.Find(i, first).has_value());
    CHECK(wire.Find(i, first)->values == std::vector<Bytes>{value});
    full_queries += wire.Find(i, full)->queries;
    first_queries += wire.Find(i, first)->queries;
  }
  CHECK(first_queries < full_queries);
}

}  // namespace
}  // namespace lake::dht

namespace lake::dht {
namespace {

using namespace test_wire;

TEST_CASE("A put with fewer replicas than k looks up only as many nodes as it stores on",
          "[dht][dht_core]") {
  Rng rng(33);
  DhtOptions wide;
  DhtOptions narrow;
  narrow.store_replicas = 4;
  Wire wide_wire(60, wide, 11);
  Wire narrow_wire(60, narrow, 11);  // the same node ids
  wide_wire.BootstrapAll();
  narrow_wire.BootstrapAll();
  size_t wide_queries = 0;
  size_t narrow_queries = 0;
  for (int t = 0; t < 10; ++t) {
    const Id key = rng.NextId();
    const Bytes value = {static_cast<uint8_t>(t)};
    const DhtCore::OperationId a = wide_wire.core(1).Put(wide_wire.now, key, value);
    wide_wire.Pump();
    const DhtCore::OperationId b = narrow_wire.core(1).Put(narrow_wire.now, key, value);
    narrow_wire.Pump();
    REQUIRE(narrow_wire.Find(1, b)->stored == 4);
    // The 4 closest of all nodes hold it, no others.
    const std::vector<Contact> closest = SortedByDistance(narrow_wire.AllContacts(), key);
    for (size_t i = 0; i < 60; ++i) {
      const bool should_hold = std::find(closest.begin(), closest.begin() + 4,
                                         narrow_wire.contact(i)) != closest.begin() + 4;
      CHECK(narrow_wire.core(i).records().Get(key, narrow_wire.now).empty() == !should_hold);
    }
    wide_queries += wide_wire.Find(1, a)->queries;
    narrow_queries += narrow_wire.Find(1, b)->queries;
  }
  CHECK(narrow_queries < wide_queries);
}

}  // namespace
}  // namespace lake::dht

namespace lake::dht {
namespace {

using namespace test_wire;

TEST_CASE("Join dials the seeds, and again with doubling back-off while nobody answers",
          "[dht][dht_core]") {
  DhtOptions options;
  // No other timers in the way of the dials' (NextWakeup is the earliest of all).
  options.heartbeat_interval = 1h;
  options.maintenance_interval = 1h;
  Rng rng(21);
  DhtCore core(Contact{rng.NextId(), "self:1"}, options, rng.Child(1));
  const std::vector<std::string> seeds = {"seed:1", "seed:2"};
  core.Join(kT0, seeds);
  CHECK(core.TakeOutbox().dials == seeds);
  TimePoint last_dial = kT0;
  for (Duration wait : {500ms, 1000ms, 2000ms, 4000ms, 8000ms, 16000ms, 30000ms, 30000ms}) {
    INFO("waiting " << wait.count() << " us after the previous dial");
    CHECK(core.NextWakeup() == last_dial + wait);
    core.OnTimer(last_dial + wait - 1us);
    CHECK(core.TakeOutbox().dials.empty());
    last_dial += wait;
    core.OnTimer(last_dial);
    CHECK(core.TakeOutbox().dials == seeds);
  }

  // A seed that answers is joined through.
  const Contact seed{rng.NextId(), "seed:2"};
  CHECK(core.OnDialed(last_dial, seed) == DhtCore::Dialed::kSeed);
  CHECK(core.table().Contains(seed.id));
  const DhtCore::Outbox outbox = core.TakeOutbox();
  REQUIRE(outbox.sends.size() == 1);
  CHECK(outbox.sends[0].to == seed);
  CHECK(outbox.sends[0].message.kind == MessageKind::kFindNode);
  CHECK(outbox.sends[0].message.target == core.self().id);
  // A connection to something else is no seed, but its address is proven: the table takes it.
  const Contact stranger{rng.NextId(), "stranger:1"};
  CHECK(core.OnDialed(last_dial, stranger) == DhtCore::Dialed::kOther);
  CHECK(core.table().Contains(stranger.id));
  CHECK(core.TakeOutbox().sends.empty());
  // With someone in the table the seeds are left alone.
  core.OnTimer(last_dial + 30s);
  CHECK(core.TakeOutbox().dials.empty());
}

TEST_CASE("Nodes that join through one seed at once find each other at a later self-lookup",
          "[dht][dht_core]") {
  Wire wire(3);
  wire.core(0).Bootstrap(wire.now, {});
  wire.core(1).Bootstrap(wire.now, {wire.contact(0)});
  wire.core(2).Bootstrap(wire.now, {wire.contact(0)});
  // Both self-lookups reach the seed before it has verified either newcomer's address (its
  // dials are held back), so each reply names nobody but the seed.
  wire.CollectAll();
  while (!wire.queue.empty()) {
    Wire::Packet packet = std::move(wire.queue.front());
    wire.queue.pop_front();
    wire.Deliver(packet);
  }
  wire.Pump();
  REQUIRE(wire.core(0).table().size() == 2);
  REQUIRE_FALSE(wire.core(1).table().Contains(wire.contact(2).id));
  REQUIRE_FALSE(wire.core(2).table().Contains(wire.contact(1).id));

  // The first repeat of the join's lookup, join_lookup_retry_min later, asks the seed again.
  wire.RunUntil(wire.now + wire.options.join_lookup_retry_min);
  CHECK(wire.core(1).table().Contains(wire.contact(2).id));
  CHECK(wire.core(2).table().Contains(wire.contact(1).id));
}

TEST_CASE("A node repeats the lookup that joined it a few times, at doubling intervals",
          "[dht][dht_core]") {
  DhtOptions options;
  options.heartbeat_interval = 1h;  // no other timers in the way
  options.maintenance_interval = 1h;
  options.join_lookup_repeats = 3;
  Wire wire(3, options);
  wire.BootstrapAll();
  // Ticks node 1 alone at `t`, counts its lookups of its own id, and lets the network answer.
  const auto self_lookups_at = [&](TimePoint t) {
    wire.now = t;
    wire.core(1).OnTimer(t);
    DhtCore::Outbox outbox = wire.core(1).TakeOutbox();
    size_t lookups = 0;
    for (DhtCore::Send& send : outbox.sends) {
      const Message& m = send.message;
      lookups += m.kind == MessageKind::kFindNode && m.target == wire.contact(1).id;
      wire.queue.push_back(Wire::Packet{1, std::move(send)});
    }
    wire.Pump();
    return lookups;
  };
  TimePoint last = wire.now;
  for (Duration wait : {1s, 2s, 4s}) {
    INFO("waiting " << wait.count() << " us after the previous self-lookup");
    CHECK(wire.core(1).NextWakeup() == last + wait);
    CHECK(self_lookups_at(last + wait - 1us) == 0);
    last += wait;
    CHECK(self_lookups_at(last) > 0);
  }
  // Then no more: the next wake-up is the maintenance round's.
  CHECK(wire.core(1).NextWakeup() == kT0 + options.maintenance_interval);
  CHECK(self_lookups_at(last + 8s) == 0);

  // A node whose table is full after joining (k = 2, two other nodes) does not repeat it.
  options.k = 2;
  Wire full(3, options);
  full.BootstrapAll();
  REQUIRE(full.core(1).table().size() == 2);
  full.core(1).OnTimer(full.now + 1s);
  CHECK(full.core(1).TakeOutbox().sends.empty());
}

TEST_CASE("Join without seeds starts the first node of a network, which dials nobody",
          "[dht][dht_core]") {
  Rng rng(22);
  DhtCore core(Contact{rng.NextId(), "self:1"}, DhtOptions(), rng.Child(1));
  core.Join(kT0, {});
  core.OnTimer(kT0 + 1min);
  const DhtCore::Outbox outbox = core.TakeOutbox();
  CHECK(outbox.dials.empty());
  CHECK(outbox.sends.empty());
}

TEST_CASE("A heartbeat pings only the contacts quiet for an interval and drops those silent",
          "[dht][dht_core]") {
  Wire wire(4);
  wire.BootstrapAll();  // at kT0: every node heard every other then
  const Duration interval = wire.options.heartbeat_interval;
  // Node 1 talks to node 0 halfway through the interval, so node 0 heard from it lately.
  wire.now = kT0 + interval / 2;
  wire.core(1).FindNode(wire.now, wire.contact(1).id);
  wire.Pump();
  wire.silent.insert(3);

  wire.now = kT0 + interval;
  REQUIRE(wire.core(0).NextWakeup() == wire.now);
  wire.core(0).OnTimer(wire.now);
  std::set<NodeId> pinged;
  for (DhtCore::Send& send : wire.core(0).TakeOutbox().sends) {
    CHECK(send.message.kind == MessageKind::kPing);
    pinged.insert(send.to.id);
    wire.queue.push_back(Wire::Packet{0, std::move(send)});
  }
  CHECK(pinged == std::set<NodeId>{wire.contact(2).id, wire.contact(3).id});

  // The silent node leaves the tables of the nodes that pinged it max_failures request timeouts
  // after the sweep (each unanswered ping is sent again at once); node 1 heard from it at the
  // half interval, so its own sweep pings it one interval later.
  const Duration silence = wire.options.max_failures * wire.options.request_timeout;
  wire.RunUntil(wire.now + silence - 1us);
  CHECK(wire.core(0).table().Contains(wire.contact(3).id));
  wire.RunUntil(kT0 + interval + silence);
  for (size_t i : {0, 2}) {
    INFO("node " << i);
    CHECK_FALSE(wire.core(i).table().Contains(wire.contact(3).id));
    CHECK(wire.core(i).table().size() == 2);
  }
  CHECK(wire.core(1).table().Contains(wire.contact(3).id));
  wire.RunUntil(kT0 + 2 * interval + silence);
  CHECK_FALSE(wire.core(1).table().Contains(wire.contact(3).id));
  CHECK(wire.core(1).table().size() == 2);
}

}  // namespace
}  // namespace lake::dht
