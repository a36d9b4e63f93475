// DhtCore against hostile peers: stores refused off the key's k closest, over quotas or signed by
// someone other than the pointer's first signer (or a configured writer); addresses taken only
// once verified; replies trimmed to the frame; seeds pinned to their ids. Each test drives the
// core by calls, as the transport would.
#include "dht/dht_core.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "common/rng.h"
#include "dht/dataset_pointer.h"
#include "dht/identity.h"
#include "tests/dht/dht_wire.h"

namespace lake::dht {
namespace {

using namespace test_wire;

Message StoreRequest(uint64_t request_id, const std::string& source, const Id& key,
                     const Bytes& value) {
  Message store;
  store.kind = MessageKind::kStore;
  store.request_id = request_id;
  store.source_address = source;
  store.target = key;
  store.values = {value};
  store.ttl_s = 3600;
  return store;
}

// The ack `core` sent for request `request_id`.
std::optional<bool> AckOf(DhtCore& core, uint64_t request_id) {
  for (const DhtCore::Send& send : core.TakeOutbox().sends) {
    if (send.message.kind == MessageKind::kStoreAck && send.message.request_id == request_id) {
      return send.message.ok;
    }
  }
  return std::nullopt;
}

Identity IdentityOf(uint8_t n) {
  Identity::Seed seed{};
  seed[0] = n;
  return Identity(seed);
}

TEST_CASE("A STORE is kept only by nodes among the k closest to the key they know",
          "[dht][dht_core][defences]") {
  DhtOptions options;
  options.k = 3;
  Wire wire(12, options, 41);
  wire.BootstrapAll();
  Rng rng(42);
  const Id key = rng.NextId();
  const std::vector<Contact> closest = SortedByDistance(wire.AllContacts(), key);
  const size_t near = *wire.IndexOf(closest[0].address);
  const size_t far = *wire.IndexOf(closest.back().address);
  // The far node knows at least k nodes closer to the key than itself.
  REQUIRE(wire.core(far).table().Closest(key, options.k).size() == options.k);
  const Contact asker = wire.contact(near == 0 || far == 0 ? (near == 1 || far == 1 ? 2 : 1) : 0);
  const Bytes value{1, 2, 3};

  wire.core(far).OnMessage(wire.now, asker.id, StoreRequest(1, asker.address, key, value),
                           asker.address);
  CHECK(AckOf(wire.core(far), 1) == false);
  CHECK(wire.core(far).records().Get(key, wire.now).empty());
  CHECK(wire.core(far).stores_refused() == 1);

  wire.core(near).OnMessage(wire.now, asker.id, StoreRequest(2, asker.address, key, value),
                            asker.address);
  CHECK(AckOf(wire.core(near), 2) == true);
  CHECK(wire.core(near).records().Get(key, wire.now) == std::vector<Bytes>{value});

  // An honest put still reaches the k closest, and only them.
  const DhtCore::OperationId put = wire.core(far).Put(wire.now, rng.NextId(), value);
  wire.Pump();
  REQUIRE(wire.Find(far, put).has_value());
  CHECK(wire.Find(far, put)->stored == options.k);
}

TEST_CASE("A STORE beyond the asker's byte quota is refused, others still store",
          "[dht][dht_core][defences]") {
  DhtOptions options;
  const Bytes value(60 << 10, 9);
  options.records.max_bytes_per_peer = 4 * RecordStore::Charge(value);
  Rng rng(43);
  DhtCore core(Contact{rng.NextId(), "self:1"}, options, rng.Child(1));
  core.Bootstrap(kT0, {});
  const Contact greedy{rng.NextId(), "greedy:1"};
  const Contact other{rng.NextId(), "other:1"};
  size_t kept = 0;
  for (uint64_t i = 1; i <= 100; ++i) {
    Bytes v = value;
    v[0] = static_cast<uint8_t>(i);
    core.OnMessage(kT0, greedy.id, StoreRequest(i, greedy.address, rng.NextId(), v),
                   greedy.address);
    kept += AckOf(core, i) == true ? 1 : 0;
  }
  CHECK(kept == 4);
  CHECK(core.records().bytes() == 4 * RecordStore::Charge(value));
  core.OnMessage(kT0, other.id, StoreRequest(500, other.address, rng.NextId(), value),
                 other.address);
  CHECK(AckOf(core, 500) == true);
}

TEST_CASE("A dataset pointer is stored only if signed by its key's first signer",
          "[dht][dht_core][defences]") {
  Rng rng(44);
  const Identity owner = IdentityOf(1);
  const Identity intruder = IdentityOf(2);
  const Id key = rng.NextId();
  const Id manifest = rng.NextId();
  const Contact peer{rng.NextId(), "peer:1"};
  const auto pointer = [&](const Identity& signer, uint64_t version) {
    return EncodeDatasetPointer(
        SignDatasetPointer(signer, "sales", version, manifest, false, 1'000'000));
  };

  SECTION("no writers configured: the first signer is pinned") {
    DhtCore core(Contact{rng.NextId(), "self:1"}, DhtOptions(), rng.Child(1));
    core.Bootstrap(kT0, {});
    core.OnMessage(kT0, peer.id, StoreRequest(1, peer.address, key, pointer(owner, 1)),
                   peer.address);
    CHECK(AckOf(core, 1) == true);
    core.OnMessage(kT0, peer.id, StoreRequest(2, peer.address, key, pointer(intruder, 2)),
                   peer.address);
    CHECK(AckOf(core, 2) == false);
    core.OnMessage(kT0, peer.id, StoreRequest(3, peer.address, key, pointer(owner, 2)),
                   peer.address);
    CHECK(AckOf(core, 3) == true);
    CHECK(core.records().Get(key, kT0).size() == 2);
    // The pin is per key: the intruder may publish its own names.
    core.OnMessage(kT0, peer.id, StoreRequest(4, peer.address, rng.NextId(), pointer(intruder, 1)),
                   peer.address);
    CHECK(AckOf(core, 4) == true);
    // A value that is no pointer is not held to a signer.
    core.OnMessage(kT0, peer.id, StoreRequest(5, peer.address, key, Bytes{1, 2}), peer.address);
    CHECK(AckOf(core, 5) == true);
  }
  SECTION("writers configured: only they, even for a first version") {
    DhtOptions options;
    options.writers = {owner.node_id()};
    DhtCore core(Contact{rng.NextId(), "self:1"}, options, rng.Child(1));
    core.Bootstrap(kT0, {});
    core.OnMessage(kT0, peer.id, StoreRequest(1, peer.address, key, pointer(intruder, 1)),
                   peer.address);
    CHECK(AckOf(core, 1) == false);
    core.OnMessage(kT0, peer.id, StoreRequest(2, peer.address, key, pointer(owner, 1)),
                   peer.address);
    CHECK(AckOf(core, 2) == true);
  }
}

TEST_CASE("A node that sends a request enters the table only once its address is verified",
          "[dht][dht_core][defences]") {
  Rng rng(45);
  DhtCore core(Contact{rng.NextId(), "self:1"}, DhtOptions(), rng.Child(1));
  core.Bootstrap(kT0, {});
  const Contact stranger{rng.NextId(), "stranger:1"};
  Message ping;
  ping.kind = MessageKind::kPing;
  ping.request_id = 1;
  ping.source_address = "victim:1";  // claims someone else's address
  core.OnMessage(kT0, stranger.id, ping, std::nullopt);
  DhtCore::Outbox outbox = core.TakeOutbox();
  // Answered, but not added: the claimed address is dialled to verify it.
  CHECK(outbox.sends.size() == 1);
  CHECK(outbox.dials == std::vector<std::string>{"victim:1"});
  CHECK_FALSE(core.table().Contains(stranger.id));
  // More ids claiming the same address cost the victim no more connections.
  for (uint64_t i = 0; i < 10; ++i) {
    ping.request_id = 100 + i;
    core.OnMessage(kT0 + 1ms, rng.NextId(), ping, std::nullopt);
  }
  CHECK(core.TakeOutbox().dials.empty());
  // The victim answers that dial as itself: the stranger stays out, the victim comes in.
  const Contact victim{rng.NextId(), "victim:1"};
  core.OnDialed(kT0 + 10ms, victim);
  CHECK_FALSE(core.table().Contains(stranger.id));
  CHECK(core.table().Find(victim.id) == victim);
  // A node that claims its own address and proves it there enters.
  ping.request_id = 2;
  ping.source_address = stranger.address;
  core.OnMessage(kT0 + 20ms, stranger.id, ping, std::nullopt);
  CHECK(core.TakeOutbox().dials == std::vector<std::string>{stranger.address});
  core.OnDialed(kT0 + 30ms, stranger);
  CHECK(core.table().Find(stranger.id) == stranger);
}

TEST_CASE("A contact's address changes only on its own answer over a session dialled to it",
          "[dht][dht_core][defences]") {
  Wire wire(4, DhtOptions(), 46);
  wire.BootstrapAll();
  const Contact target = wire.contact(2);
  REQUIRE(wire.core(0).table().Find(target.id) == target);

  // A request from the contact claiming another address, on its own connection: ignored.
  Message ping;
  ping.kind = MessageKind::kPing;
  ping.request_id = 9;
  ping.source_address = "elsewhere:1";
  wire.core(0).OnMessage(wire.now, target.id, ping, std::nullopt);
  CHECK(wire.core(0).table().Find(target.id) == target);

  // A third party's lookup reply naming the contact at another address: the lookup may try it,
  // the table does not take it.
  const DhtCore::OperationId op = wire.core(0).FindNode(wire.now, target.id);
  DhtCore::Outbox outbox = wire.core(0).TakeOutbox();
  for (const DhtCore::Send& send : outbox.sends) {
    Message reply;
    reply.kind = MessageKind::kNodes;
    reply.request_id = send.message.request_id;
    reply.nodes = {Contact{target.id, "poison:1"}};
    wire.core(0).OnMessage(wire.now, send.to.id, reply, send.to.address);
  }
  CHECK(wire.core(0).table().Find(target.id) == target);
  (void)op;

  // The contact itself, answering on a session dialled to a new address: it moved.
  wire.core(0).OnDialed(wire.now, Contact{target.id, "moved:1"});
  CHECK(wire.core(0).table().Find(target.id) == Contact{target.id, "moved:1"});
}

TEST_CASE("A FIND_VALUE reply that would not fit a frame is trimmed to fit",
          "[dht][dht_core][defences]") {
  DhtOptions options;
  options.records.max_bytes_per_peer = SIZE_MAX;
  options.records.max_bytes_per_group = SIZE_MAX;
  Rng rng(47);
  DhtCore core(Contact{rng.NextId(), "self:1"}, options, rng.Child(1));
  core.Bootstrap(kT0, {});
  const Contact peer{rng.NextId(), "peer:1"};
  const Id key = rng.NextId();
  for (uint64_t i = 1; i <= options.limits.max_values; ++i) {
    Bytes value(options.limits.max_value_bytes, static_cast<uint8_t>(i));
    core.OnMessage(kT0, peer.id, StoreRequest(i, peer.address, key, value), peer.address);
    REQUIRE(AckOf(core, i) == true);
  }
  Message find;
  find.kind = MessageKind::kFindValue;
  find.request_id = 1000;
  find.source_address = peer.address;
  find.target = key;
  core.OnMessage(kT0, peer.id, find, peer.address);
  const DhtCore::Outbox outbox = core.TakeOutbox();
  REQUIRE(outbox.sends.size() == 1);
  const Message& reply = outbox.sends[0].message;
  const Bytes encoded = EncodeMessage(reply);
  CHECK(encoded.size() <= options.max_message_bytes);
  // As many values as fit: one more would not.
  CHECK(reply.values.size() == options.max_message_bytes / options.limits.max_value_bytes - 1);
  CHECK(encoded.size() + options.limits.max_value_bytes > options.max_message_bytes);
  CHECK(core.replies_trimmed() == 1);
  const Result<Message> decoded = DecodeMessage(encoded, options.limits);
  REQUIRE(decoded.ok());
  CHECK(decoded->values == reply.values);
}

TEST_CASE("A seed pinned to an id is refused when its address answers as another node",
          "[dht][dht_core][defences]") {
  Rng rng(48);
  DhtCore core(Contact{rng.NextId(), "self:1"}, DhtOptions(), rng.Child(1));
  const Contact seed{rng.NextId(), "seed:1"};
  const Contact impostor{rng.NextId(), "seed:1"};
  core.Join(kT0, {seed.id.ToHex() + "@seed:1", "not-hex@seed:2"});
  // The pinned seed is dialled at its address; the malformed entry is skipped.
  CHECK(core.TakeOutbox().dials == std::vector<std::string>{"seed:1"});
  CHECK(core.OnDialed(kT0 + 10ms, impostor) == DhtCore::Dialed::kWrongSeed);
  CHECK_FALSE(core.table().Contains(impostor.id));
  CHECK(core.TakeOutbox().sends.empty());
  CHECK(core.seeds_refused() == 1);
  CHECK(core.OnDialed(kT0 + 20ms, seed) == DhtCore::Dialed::kSeed);
  CHECK(core.table().Contains(seed.id));
}

TEST_CASE("ParseSeed reads host:port and id@host:port", "[dht][seed]") {
  const NodeId id = Rng(49).NextId();
  const Result<Seed> plain = ParseSeed("10.0.0.1:4000");
  REQUIRE(plain.ok());
  CHECK(*plain == Seed{"10.0.0.1:4000", std::nullopt});
  const Result<Seed> pinned = ParseSeed(id.ToHex() + "@[::1]:4000");
  REQUIRE(pinned.ok());
  CHECK(*pinned == Seed{"[::1]:4000", id});
  CHECK_FALSE(ParseSeed("abc@host:1").ok());
  CHECK_FALSE(ParseSeed(id.ToHex() + "@").ok());
  CHECK_FALSE(ParseSeed(id.ToHex().substr(1) + "@host:1").ok());  // 63 digits
  CHECK_FALSE(ParseSeed("").ok());
}

}  // namespace
}  // namespace lake::dht
