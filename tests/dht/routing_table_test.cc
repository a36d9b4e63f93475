// RoutingTable: bucket indices, the k bound, least-recently-seen order, the replacement cache,
// Closest() against brute force, refresh targets and stale buckets.
#include "dht/routing_table.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/rng.h"

namespace lake::dht {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = FromMicros(1'700'000'000'000'000);

Contact ContactOf(const Id& id) { return Contact{id, "addr-" + id.ShortHex()}; }

// The id at XOR distance `distance` from `self`.
Id AtDistance(const Id& self, const Id& distance) { return self.Distance(distance); }

// A distance whose highest set bit is `bit` (bit 0 = least significant), low bits from `low`.
Id DistanceWithTopBit(int bit, uint64_t low = 0) {
  std::array<uint8_t, Id::kBytes> bytes{};
  bytes[Id::kBytes - 1 - bit / 8] |= static_cast<uint8_t>(1 << (bit % 8));
  // Fill bits strictly below `bit` from `low` (up to 64 of them).
  for (int b = 0; b < bit && b < 64; ++b) {
    if ((low >> b) & 1) bytes[Id::kBytes - 1 - b / 8] |= static_cast<uint8_t>(1 << (b % 8));
  }
  return Id(bytes);
}

// Index of the highest set bit of a non-zero id, counted from the least significant bit, by
// scanning bit by bit (independent of Id::LeadingZeros).
int HighestBit(const Id& d) {
  for (int bit = Id::kBits - 1; bit >= 0; --bit) {
    if (d.Bit(Id::kBits - 1 - bit)) return bit;
  }
  return -1;
}

TEST_CASE("BucketIndex is 255 minus the leading zeros of the XOR distance",
          "[dht][routing_table]") {
  Rng rng(1);
  const Id self = rng.NextId();
  RoutingTable table(self, 20);
  for (int bit = 0; bit < 256; ++bit) {
    INFO("bit " << bit);
    CHECK(table.BucketIndex(AtDistance(self, DistanceWithTopBit(bit))) == bit);
    CHECK(table.BucketIndex(AtDistance(self, DistanceWithTopBit(bit, rng.Next()))) == bit);
  }
  for (int i = 0; i < 1000; ++i) {
    const Id other = rng.NextId();
    CHECK(table.BucketIndex(other) == 255 - self.Distance(other).LeadingZeros());
    CHECK(table.BucketIndex(other) == HighestBit(self.Distance(other)));
  }
}

TEST_CASE("RoutingTable keeps at most k nodes per bucket", "[dht][routing_table]") {
  Rng rng(2);
  const Id self = rng.NextId();
  const size_t k = 20;
  RoutingTable table(self, k);
  std::map<int, size_t> offered;  // bucket -> distinct ids offered
  TimePoint now = kT0;
  for (int i = 0; i < 2000; ++i) {
    const Id id = rng.NextId();
    ++offered[table.BucketIndex(id)];
    const RoutingTable::Touch touch = table.Heard(ContactOf(id), now);
    CHECK((touch == RoutingTable::Touch::kAdded || touch == RoutingTable::Touch::kBucketFull));
    now += 1ms;
  }
  std::map<int, size_t> held;
  for (const Contact& c : table.All()) ++held[table.BucketIndex(c.id)];
  size_t total = 0;
  for (const auto& [bucket, count] : offered) {
    INFO("bucket " << bucket);
    // A bucket keeps the first k it was offered, no more.
    CHECK(held[bucket] == std::min(count, k));
    total += std::min(count, k);
  }
  for (const auto& [bucket, count] : held) CHECK(count <= k);
  CHECK(table.size() == total);
  CHECK(table.All().size() == total);
  // With 2000 random ids the top buckets overflow: the bound was really exercised.
  CHECK(offered[255] > k);
}

TEST_CASE("Hearing a known contact makes it the most recently seen", "[dht][routing_table]") {
  Rng rng(3);
  const Id self = rng.NextId();
  RoutingTable table(self, 4);
  // Four contacts in bucket 200.
  std::vector<Contact> contacts;
  for (int i = 0; i < 4; ++i) {
    contacts.push_back(ContactOf(AtDistance(self, DistanceWithTopBit(200, rng.Next()))));
  }
  TimePoint now = kT0;
  for (const Contact& c : contacts) {
    REQUIRE(table.Heard(c, now) == RoutingTable::Touch::kAdded);
    now += 1s;
  }
  CHECK(table.LeastRecentlySeen(contacts[2].id) == contacts[0]);

  CHECK(table.Heard(contacts[0], now) == RoutingTable::Touch::kRefreshed);
  CHECK(table.LeastRecentlySeen(contacts[0].id) == contacts[1]);
  CHECK(table.size() == 4);

  // Heard again with another address: refreshed, but the address stays (anyone can claim one).
  Contact moved = contacts[1];
  moved.address = "10.9.9.9:1";
  CHECK(table.Heard(moved, now + 1s) == RoutingTable::Touch::kRefreshed);
  CHECK(table.LeastRecentlySeen(contacts[0].id) == contacts[2]);
  CHECK(table.Find(moved.id) == contacts[1]);
  // UpdateAddress (for an address the core verified) moves it.
  table.UpdateAddress(moved.id, moved.address);
  const std::vector<Contact> all = table.All();
  CHECK(std::count(all.begin(), all.end(), moved) == 1);
  CHECK(table.size() == 4);
}

TEST_CASE("RoutingTable limits contacts per public /24 in a bucket and in the table",
          "[dht][routing_table]") {
  Rng rng(31);
  const Id self = rng.NextId();
  RoutingTable::Options options;
  options.k = 20;
  options.max_per_group_in_bucket = 2;
  options.max_per_group_in_table = 5;
  RoutingTable table(self, options);
  TimePoint now = kT0;
  const auto in_bucket = [&](int bucket, const std::string& address) {
    return Contact{AtDistance(self, DistanceWithTopBit(bucket, rng.Next())), address};
  };
  // One public /24: two per bucket, whatever the port or last octet.
  const Contact first = in_bucket(250, "203.0.113.1:4000");
  CHECK(table.Heard(first, now) == RoutingTable::Touch::kAdded);
  CHECK(table.Heard(in_bucket(250, "203.0.113.2:4000"), now) == RoutingTable::Touch::kAdded);
  CHECK(table.Heard(in_bucket(250, "203.0.113.1:4001"), now) == RoutingTable::Touch::kGroupFull);
  // Another /24 in the same bucket is welcome.
  CHECK(table.Heard(in_bucket(250, "203.0.114.1:4000"), now) == RoutingTable::Touch::kAdded);
  // Across buckets the table-wide limit stops the /24 at five.
  size_t added = 2;
  for (int bucket = 240; bucket < 250; ++bucket) {
    if (table.Heard(in_bucket(bucket, "203.0.113.9:4000"), now) == RoutingTable::Touch::kAdded) {
      ++added;
    }
  }
  CHECK(added == 5);
  // IPv6 groups by /48.
  CHECK(table.Heard(in_bucket(200, "[2001:db8:1:1::1]:4000"), now) == RoutingTable::Touch::kAdded);
  CHECK(table.Heard(in_bucket(200, "[2001:db8:1:2::1]:4000"), now) == RoutingTable::Touch::kAdded);
  CHECK(table.Heard(in_bucket(200, "[2001:db8:1:ffff::9]:4000"), now) ==
        RoutingTable::Touch::kGroupFull);
  // Loopback and private networks (a test or LAN cluster) are not limited.
  for (int i = 0; i < 10; ++i) {
    CHECK(table.Heard(in_bucket(180, "127.0.0.1:" + std::to_string(5000 + i)), now) ==
          RoutingTable::Touch::kAdded);
    CHECK(table.Heard(in_bucket(181, "10.0.0." + std::to_string(i) + ":4000"), now) ==
          RoutingTable::Touch::kAdded);
  }
  // Removing one makes room for one again.
  table.Remove(first.id, now);
  CHECK(table.Heard(in_bucket(250, "203.0.113.7:4000"), now) == RoutingTable::Touch::kAdded);
  CHECK(table.Heard(in_bucket(250, "203.0.113.8:4000"), now) == RoutingTable::Touch::kGroupFull);
}

TEST_CASE("RoutingTable counts failures in a row until the contact is heard from again",
          "[dht][routing_table]") {
  Rng rng(32);
  const Id self = rng.NextId();
  RoutingTable table(self, 20);
  const Contact c = ContactOf(rng.NextId());
  CHECK(table.RecordFailure(c.id) == 0);  // not in the table
  REQUIRE(table.Heard(c, kT0) == RoutingTable::Touch::kAdded);
  CHECK(table.RecordFailure(c.id) == 1);
  CHECK(table.RecordFailure(c.id) == 2);
  table.Heard(c, kT0 + 1s);
  CHECK(table.RecordFailure(c.id) == 1);
}

TEST_CASE("A full bucket stays unchanged and keeps the newcomer as its replacement",
          "[dht][routing_table]") {
  Rng rng(4);
  const Id self = rng.NextId();
  RoutingTable table(self, 3);
  std::vector<Contact> members;
  TimePoint now = kT0;
  for (int i = 0; i < 3; ++i) {
    members.push_back(ContactOf(AtDistance(self, DistanceWithTopBit(100, rng.Next()))));
    REQUIRE(table.Heard(members.back(), now) == RoutingTable::Touch::kAdded);
    now += 1s;
  }
  CHECK_FALSE(table.Replacement(members[0].id).has_value());
  const std::vector<Contact> before = table.All();

  const Contact newcomer = ContactOf(AtDistance(self, DistanceWithTopBit(100, rng.Next())));
  CHECK(table.Heard(newcomer, now) == RoutingTable::Touch::kBucketFull);
  CHECK(table.All() == before);
  CHECK(table.size() == 3);
  CHECK_FALSE(table.Contains(newcomer.id));
  CHECK(table.LeastRecentlySeen(newcomer.id) == members[0]);
  REQUIRE(table.Replacement(newcomer.id).has_value());
  CHECK(*table.Replacement(newcomer.id) == newcomer);

  // Another bucket is unaffected.
  const Contact elsewhere = ContactOf(AtDistance(self, DistanceWithTopBit(99)));
  CHECK_FALSE(table.Replacement(elsewhere.id).has_value());
  CHECK(table.Heard(elsewhere, now) == RoutingTable::Touch::kAdded);

  // A later newcomer takes the single replacement slot.
  const Contact later = ContactOf(AtDistance(self, DistanceWithTopBit(100, rng.Next())));
  CHECK(table.Heard(later, now) == RoutingTable::Touch::kBucketFull);
  CHECK(*table.Replacement(newcomer.id) == later);
}

TEST_CASE("Removing a contact promotes the bucket's replacement", "[dht][routing_table]") {
  Rng rng(5);
  const Id self = rng.NextId();
  RoutingTable table(self, 2);
  const Contact a = ContactOf(AtDistance(self, DistanceWithTopBit(150, 1)));
  const Contact b = ContactOf(AtDistance(self, DistanceWithTopBit(150, 2)));
  const Contact c = ContactOf(AtDistance(self, DistanceWithTopBit(150, 3)));
  REQUIRE(table.Heard(a, kT0) == RoutingTable::Touch::kAdded);
  REQUIRE(table.Heard(b, kT0 + 1s) == RoutingTable::Touch::kAdded);
  REQUIRE(table.Heard(c, kT0 + 2s) == RoutingTable::Touch::kBucketFull);

  const std::optional<Contact> promoted = table.Remove(a.id, kT0 + 3s);
  REQUIRE(promoted.has_value());
  CHECK(*promoted == c);
  CHECK_FALSE(table.Contains(a.id));
  CHECK(table.Contains(b.id));
  CHECK(table.Contains(c.id));
  CHECK(table.size() == 2);
  CHECK_FALSE(table.Replacement(b.id).has_value());
  // The promoted contact is the most recently seen; b is now the oldest.
  CHECK(table.LeastRecentlySeen(b.id) == b);

  // Without a replacement a removal just shrinks the bucket.
  CHECK_FALSE(table.Remove(b.id, kT0 + 4s).has_value());
  CHECK(table.size() == 1);
  CHECK(table.All() == std::vector<Contact>{c});
  // Removing an unknown id changes nothing.
  CHECK_FALSE(table.Remove(a.id, kT0 + 5s).has_value());
  CHECK(table.size() == 1);
}

TEST_CASE("Removing the contact waiting as replacement does not promote it",
          "[dht][routing_table]") {
  Rng rng(6);
  const Id self = rng.NextId();
  RoutingTable table(self, 1);
  const Contact a = ContactOf(AtDistance(self, DistanceWithTopBit(10, 1)));
  const Contact b = ContactOf(AtDistance(self, DistanceWithTopBit(10, 2)));
  REQUIRE(table.Heard(a, kT0) == RoutingTable::Touch::kAdded);
  REQUIRE(table.Heard(b, kT0) == RoutingTable::Touch::kBucketFull);
  // b is not in the table: removing it is a no-op and a stays.
  CHECK_FALSE(table.Remove(b.id, kT0 + 1s).has_value());
  CHECK(table.Contains(a.id));
  CHECK(table.size() == 1);
}

TEST_CASE("RoutingTable ignores its own id", "[dht][routing_table]") {
  Rng rng(7);
  const Id self = rng.NextId();
  RoutingTable table(self, 20);
  CHECK(table.Heard(ContactOf(self), kT0) == RoutingTable::Touch::kSelf);
  CHECK(table.size() == 0);
  CHECK_FALSE(table.Contains(self));
  CHECK(table.All().empty());
  CHECK(table.Closest(self, 20).empty());
  CHECK_FALSE(table.Remove(self, kT0).has_value());
}

TEST_CASE("Closest equals a brute-force sort of All by XOR distance", "[dht][routing_table]") {
  Rng rng(8);
  const Id self = rng.NextId();
  RoutingTable table(self, 20);
  for (int i = 0; i < 1500; ++i) (void)table.Heard(ContactOf(rng.NextId()), kT0);
  // Also some ids very close to self, so the low buckets are populated.
  for (int bit = 0; bit < 40; ++bit) {
    (void)table.Heard(ContactOf(AtDistance(self, DistanceWithTopBit(bit, rng.Next()))), kT0);
  }
  const std::vector<Contact> all = table.All();
  REQUIRE(all.size() == table.size());
  REQUIRE(all.size() > 100);

  std::vector<Id> targets = {self, Id(), self.Distance(DistanceWithTopBit(255))};
  for (int i = 0; i < 20; ++i) targets.push_back(rng.NextId());
  // Targets in every region of the table: the buckets near self are sparse, the far ones full.
  for (int bit : {0, 1, 5, 20, 38, 39, 40, 100, 200, 254, 255}) {
    targets.push_back(AtDistance(self, DistanceWithTopBit(bit, rng.Next())));
  }
  for (const Contact& c : std::vector<Contact>(all.begin(), all.begin() + 3)) {
    targets.push_back(c.id);  // a target that is itself in the table comes first
  }
  for (const Id& target : targets) {
    std::vector<Contact> expected = all;
    std::sort(expected.begin(), expected.end(), [&](const Contact& a, const Contact& b) {
      return a.id.Distance(target) < b.id.Distance(target);
    });
    for (size_t n : {size_t{1}, size_t{5}, size_t{20}, size_t{30}, all.size(), all.size() + 50}) {
      INFO("target " << target.ShortHex() << " n " << n);
      std::vector<Contact> want(expected.begin(), expected.begin() + std::min(n, expected.size()));
      CHECK(table.Closest(target, n) == want);
    }
  }
}

TEST_CASE("RandomIdInBucket returns an id in the requested bucket", "[dht][routing_table]") {
  Rng rng(9);
  for (int round = 0; round < 5; ++round) {
    const Id self = rng.NextId();
    RoutingTable table(self, 20);
    for (int index = 0; index < 256; ++index) {
      for (int trial = 0; trial < 8; ++trial) {
        std::array<uint8_t, Id::kBytes> random = rng.NextId().bytes();
        if (trial == 0) random.fill(0);
        if (trial == 1) random.fill(0xff);
        const Id id = table.RandomIdInBucket(index, random);
        INFO("index " << index << " trial " << trial);
        CHECK(table.BucketIndex(id) == index);
        CHECK(HighestBit(self.Distance(id)) == index);
      }
    }
  }
}

TEST_CASE("RandomIdInBucket uses the random bits below the bucket's top bit",
          "[dht][routing_table]") {
  Rng rng(10);
  const Id self = rng.NextId();
  RoutingTable table(self, 20);
  // In a wide bucket, different random inputs give different ids; the ids differ from self only
  // at and below the top bit.
  const int index = 200;
  std::set<Id> ids;
  for (int i = 0; i < 50; ++i) {
    const Id id = table.RandomIdInBucket(index, rng.NextId().bytes());
    const Id d = self.Distance(id);
    for (int bit = 255; bit > index; --bit) CHECK_FALSE(d.Bit(255 - bit));
    ids.insert(id);
  }
  CHECK(ids.size() == 50);
  // Bucket 0 holds exactly one id: self with its last bit flipped.
  std::array<uint8_t, Id::kBytes> last = self.bytes();
  last[Id::kBytes - 1] ^= 1;
  CHECK(table.RandomIdInBucket(0, rng.NextId().bytes()) == Id(last));
}

TEST_CASE("StaleBuckets lists non-empty buckets untouched since the given time",
          "[dht][routing_table]") {
  Rng rng(11);
  const Id self = rng.NextId();
  RoutingTable table(self, 2);
  const Contact a = ContactOf(AtDistance(self, DistanceWithTopBit(250, 1)));
  const Contact b = ContactOf(AtDistance(self, DistanceWithTopBit(120, 1)));
  const Contact c = ContactOf(AtDistance(self, DistanceWithTopBit(30, 1)));
  (void)table.Heard(a, kT0);
  (void)table.Heard(b, kT0 + 10min);
  (void)table.Heard(c, kT0 + 20min);

  CHECK(table.StaleBuckets(kT0).empty());
  CHECK(table.StaleBuckets(kT0 + 1s) == std::vector<int>{250});
  CHECK(table.StaleBuckets(kT0 + 15min) == (std::vector<int>{120, 250}));
  CHECK(table.StaleBuckets(kT0 + 21min) == (std::vector<int>{30, 120, 250}));

  // Hearing from a refreshes its bucket.
  CHECK(table.Heard(a, kT0 + 30min) == RoutingTable::Touch::kRefreshed);
  CHECK(table.StaleBuckets(kT0 + 21min) == (std::vector<int>{30, 120}));
  // A bucket emptied by Remove is never stale: there is nothing in it to refresh from.
  (void)table.Remove(c.id, kT0 + 31min);
  CHECK(table.StaleBuckets(kT0 + 40min) == (std::vector<int>{120, 250}));
}

TEST_CASE("Buckets below the lowest one that held a contact answer as empty",
          "[dht][routing_table]") {
  Rng rng(14);
  const Id self = rng.NextId();
  RoutingTable table(self, 2);
  const Contact far = ContactOf(AtDistance(self, DistanceWithTopBit(250, 1)));
  const Id deep = AtDistance(self, DistanceWithTopBit(3, 1));
  // Nothing below bucket 250 yet: questions about bucket 3 find nothing and change nothing.
  (void)table.Heard(far, kT0);
  CHECK_FALSE(table.Contains(deep));
  CHECK_FALSE(table.Refresh(deep, kT0));
  CHECK_FALSE(table.Remove(deep, kT0).has_value());
  CHECK_FALSE(table.Replacement(deep).has_value());
  CHECK(table.RecordFailure(deep) == 0);
  CHECK(table.Closest(deep, 5) == std::vector<Contact>{far});
  // A contact in bucket 3 grows the table down to it; the buckets between stay empty.
  const Contact near = ContactOf(deep);
  CHECK(table.Heard(near, kT0 + 1s) == RoutingTable::Touch::kAdded);
  CHECK(table.All() == (std::vector<Contact>{near, far}));  // lowest bucket first
  CHECK(table.Closest(AtDistance(self, DistanceWithTopBit(100, 1)), 5) ==
        (std::vector<Contact>{near, far}));
  CHECK(table.StaleBuckets(kT0 + 2s) == (std::vector<int>{3, 250}));
}

TEST_CASE("Refresh moves a known contact to most recently seen and ignores others",
          "[dht][routing_table]") {
  Rng rng(13);
  const Id self = rng.NextId();
  RoutingTable table(self, 3);
  const Contact a = ContactOf(AtDistance(self, DistanceWithTopBit(180, 1)));
  const Contact b = ContactOf(AtDistance(self, DistanceWithTopBit(180, 2)));
  const Contact stranger = ContactOf(AtDistance(self, DistanceWithTopBit(180, 3)));
  (void)table.Heard(a, kT0);
  (void)table.Heard(b, kT0 + 1s);
  CHECK(table.RecordFailure(a.id) == 1);

  CHECK(table.Refresh(a.id, kT0 + 2s));
  CHECK(table.LeastRecentlySeen(a.id) == b);
  CHECK(table.QuietSince(kT0 + 1s) == std::vector<Contact>{b});
  CHECK(table.RecordFailure(a.id) == 1);  // the refresh cleared its failure
  CHECK(table.StaleBuckets(kT0 + 2s).empty());

  CHECK_FALSE(table.Refresh(stranger.id, kT0 + 3s));
  CHECK_FALSE(table.Refresh(self, kT0 + 3s));
  CHECK_FALSE(table.Contains(stranger.id));
  CHECK(table.size() == 2);
}

TEST_CASE("QuietSince lists the contacts last heard from at or before the given time",
          "[dht][routing_table]") {
  Rng rng(12);
  const Id self = rng.NextId();
  RoutingTable table(self, 4);
  const Contact a = ContactOf(AtDistance(self, DistanceWithTopBit(250, 1)));
  const Contact b = ContactOf(AtDistance(self, DistanceWithTopBit(250, 2)));
  const Contact c = ContactOf(AtDistance(self, DistanceWithTopBit(40, 1)));
  (void)table.Heard(a, kT0);
  (void)table.Heard(b, kT0 + 10s);
  (void)table.Heard(c, kT0 + 20s);
  const auto ids = [&](TimePoint since) {
    std::set<Id> out;
    for (const Contact& contact : table.QuietSince(since)) out.insert(contact.id);
    return out;
  };

  CHECK(ids(kT0 - 1s).empty());
  CHECK(ids(kT0) == std::set<Id>{a.id});
  CHECK(ids(kT0 + 10s) == (std::set<Id>{a.id, b.id}));
  CHECK(ids(kT0 + 20s) == (std::set<Id>{a.id, b.id, c.id}));
  // Hearing from a contact makes it no longer quiet.
  (void)table.Heard(a, kT0 + 30s);
  CHECK(ids(kT0 + 20s) == (std::set<Id>{b.id, c.id}));
  CHECK(table.QuietSince(kT0 + 10s) == std::vector<Contact>{b});
}

}  // namespace
}  // namespace lake::dht
