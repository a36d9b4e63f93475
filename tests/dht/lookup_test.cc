// Lookup driven by hand over a synthetic overlay: it converges on the true k closest nodes, keeps
// at most α queries in flight, leaves failed nodes out, and counts hops from its seeds.
#include "dht/lookup.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/rng.h"

namespace lake::dht {
namespace {

Contact ContactOf(const Id& id) { return Contact{id, "addr-" + id.ShortHex()}; }

std::vector<Contact> SortedByDistance(std::vector<Contact> contacts, const Id& target) {
  std::sort(contacts.begin(), contacts.end(),
            [&](const Contact& a, const Contact& b) { return CloserTo(target, a.id, b.id); });
  return contacts;
}

std::vector<Contact> FirstN(std::vector<Contact> contacts, size_t n) {
  contacts.resize(std::min(n, contacts.size()));
  return contacts;
}

// A synthetic overlay: every node knows its true `neighbours` closest nodes, `extra` random ones
// and up to `per_bucket` random nodes of each of its non-empty buckets (the Kademlia invariant
// that lets a lookup always get closer), and answers a query with the `k` closest to the target
// that it knows.
struct Overlay {
  std::vector<Contact> nodes;
  std::map<Id, std::vector<size_t>> knows;  // node id -> indices into `nodes`
  std::set<Id> dead;                        // these never answer

  Overlay(Rng& rng, size_t n, size_t neighbours, size_t extra, size_t per_bucket) {
    for (size_t i = 0; i < n; ++i) nodes.push_back(ContactOf(rng.NextId()));
    for (size_t i = 0; i < n; ++i) {
      std::vector<std::pair<Id, size_t>> by_distance = ByDistance(nodes[i].id);
      std::vector<size_t> known;
      // by_distance[0] is the node itself, at distance 0.
      for (size_t r = 1; r <= neighbours && r < n; ++r) known.push_back(by_distance[r].second);
      for (size_t e = 0; e < extra; ++e) {
        const size_t other = rng.Uniform(n);
        if (other != i) known.push_back(other);
      }
      std::map<int, std::vector<size_t>> buckets;  // by leading zeros of the distance
      for (size_t r = 1; r < n; ++r) {
        buckets[by_distance[r].first.LeadingZeros()].push_back(by_distance[r].second);
      }
      for (const auto& [zeros, members] : buckets) {
        for (size_t b = 0; b < per_bucket; ++b)
          known.push_back(members[rng.Uniform(members.size())]);
      }
      std::sort(known.begin(), known.end());
      known.erase(std::unique(known.begin(), known.end()), known.end());
      knows[nodes[i].id] = known;
    }
  }

  // (distance to `target`, index) of every node, closest first.
  std::vector<std::pair<Id, size_t>> ByDistance(const Id& target) const {
    std::vector<std::pair<Id, size_t>> out;
    out.reserve(nodes.size());
    for (size_t j = 0; j < nodes.size(); ++j) out.emplace_back(nodes[j].id.Distance(target), j);
    std::sort(out.begin(), out.end());
    return out;
  }

  std::vector<Contact> Answer(const Id& responder, const Id& target, size_t k) const {
    std::vector<std::pair<Id, size_t>> known;
    for (size_t j : knows.at(responder)) known.emplace_back(nodes[j].id.Distance(target), j);
    std::sort(known.begin(), known.end());
    std::vector<Contact> out;
    for (size_t r = 0; r < known.size() && r < k; ++r) out.push_back(nodes[known[r].second]);
    return out;
  }

  std::vector<Contact> TrueClosestLive(const Id& target, size_t k) const {
    std::vector<Contact> out;
    for (const auto& [distance, j] : ByDistance(target)) {
      if (out.size() == k) break;
      if (!dead.count(nodes[j].id)) out.push_back(nodes[j]);
    }
    return out;
  }
};

// The k closest live contacts among `heard`: what a lookup that heard exactly these must return.
std::vector<Contact> ClosestLiveOf(std::vector<Contact> heard, const Overlay& overlay,
                                   const Id& target, size_t k) {
  heard = SortedByDistance(heard, target);
  heard.erase(std::unique(heard.begin(), heard.end()), heard.end());
  std::erase_if(heard, [&](const Contact& c) { return overlay.dead.count(c.id) != 0; });
  return FirstN(heard, k);
}

struct DriveStats {
  std::vector<Contact> heard;  // seeds and every contact a reply mentioned
  size_t max_in_flight = 0;
  size_t queries = 0;
  bool queried_twice = false;
  bool queried_unknown = false;
};

// Runs `lookup` to completion against `overlay`, answering in-flight queries in a random order
// (so replies interleave with new queries). Returns false if it stalls without being done.
bool Drive(Lookup& lookup, const Overlay& overlay, size_t k, Rng& rng, DriveStats* stats) {
  std::vector<Id> in_flight;
  std::set<Id> ever_queried;
  std::set<Id> in_network;
  for (const Contact& c : overlay.nodes) in_network.insert(c.id);
  for (int step = 0; step < 100000; ++step) {
    for (const Contact& c : lookup.TakeQueries()) {
      if (!ever_queried.insert(c.id).second) stats->queried_twice = true;
      if (!in_network.count(c.id)) stats->queried_unknown = true;
      in_flight.push_back(c.id);
      ++stats->queries;
    }
    stats->max_in_flight = std::max(stats->max_in_flight, in_flight.size());
    if (in_flight.empty()) return lookup.Done();
    // Done() can only hold with nothing in flight.
    if (lookup.Done()) return false;
    const size_t pick = rng.Uniform(in_flight.size());
    const Id responder = in_flight[pick];
    in_flight.erase(in_flight.begin() + static_cast<std::ptrdiff_t>(pick));
    if (overlay.dead.count(responder)) {
      lookup.OnFailure(responder);
    } else {
      const std::vector<Contact> answer = overlay.Answer(responder, lookup.target(), k);
      stats->heard.insert(stats->heard.end(), answer.begin(), answer.end());
      lookup.OnReply(responder, answer);
    }
  }
  return false;
}

TEST_CASE("A lookup over 1000 nodes finds exactly the true 20 closest to each target",
          "[dht][lookup]") {
  Rng rng(1234);
  const size_t k = 20;
  const size_t alpha = 3;
  Overlay overlay(rng, 1000, k, 5, 2);
  size_t total_queries = 0;
  for (int t = 0; t < 200; ++t) {
    const Id target = rng.NextId();
    // The querying node (not in the overlay) knows a few random nodes.
    std::vector<Contact> seeds;
    for (int s = 0; s < 3; ++s) seeds.push_back(overlay.nodes[rng.Uniform(overlay.nodes.size())]);
    Lookup lookup(target, k, alpha, seeds);
    DriveStats stats;
    stats.heard = seeds;
    INFO("target " << t << " " << target.ShortHex());
    REQUIRE(Drive(lookup, overlay, k, rng, &stats));
    CHECK(lookup.Done());
    CHECK(lookup.Closest() == ClosestLiveOf(stats.heard, overlay, target, k));
    CHECK(stats.max_in_flight <= alpha);
    CHECK(stats.max_in_flight >= 1);
    CHECK_FALSE(stats.queried_twice);
    CHECK_FALSE(stats.queried_unknown);
    CHECK(lookup.queries_sent() == stats.queries);
    CHECK(lookup.hops() >= 1);
    total_queries += stats.queries;
  }
  // Iterative lookups touch a small part of the network, not all of it.
  CHECK(total_queries / 200 < 200);
}

TEST_CASE("A lookup with dead nodes finds the true 20 closest live nodes", "[dht][lookup]") {
  Rng rng(99);
  const size_t k = 20;
  const size_t alpha = 3;
  Overlay overlay(rng, 1000, k, 5, 2);
  for (const Contact& c : overlay.nodes) {
    if (rng.Bernoulli(0.1)) overlay.dead.insert(c.id);
  }
  REQUIRE(overlay.dead.size() > 50);
  for (int t = 0; t < 50; ++t) {
    const Id target = rng.NextId();
    std::vector<Contact> seeds;
    while (seeds.size() < 3) {
      const Contact& c = overlay.nodes[rng.Uniform(overlay.nodes.size())];
      if (!overlay.dead.count(c.id)) seeds.push_back(c);
    }
    Lookup lookup(target, k, alpha, seeds);
    DriveStats stats;
    stats.heard = seeds;
    INFO("target " << t);
    REQUIRE(Drive(lookup, overlay, k, rng, &stats));
    const std::vector<Contact> closest = lookup.Closest();
    CHECK(closest == ClosestLiveOf(stats.heard, overlay, target, k));
    CHECK(closest == overlay.TrueClosestLive(target, k));
    for (const Contact& c : closest) CHECK_FALSE(overlay.dead.count(c.id));
    CHECK(stats.max_in_flight <= alpha);
  }
}

TEST_CASE("Without bucket contacts a lookup still returns the closest nodes it heard of",
          "[dht][lookup]") {
  // Nodes that know only their nearest neighbours and a few random nodes form cliques a lookup
  // can settle in; whatever it settles on must be the k closest of all it was told about.
  Rng rng(4321);
  const size_t k = 20;
  Overlay overlay(rng, 1000, k, 5, 0);
  size_t exact = 0;
  for (int t = 0; t < 200; ++t) {
    const Id target = rng.NextId();
    std::vector<Contact> seeds;
    for (int s = 0; s < 3; ++s) seeds.push_back(overlay.nodes[rng.Uniform(overlay.nodes.size())]);
    Lookup lookup(target, k, 3, seeds);
    DriveStats stats;
    stats.heard = seeds;
    INFO("target " << t);
    REQUIRE(Drive(lookup, overlay, k, rng, &stats));
    CHECK(lookup.Closest() == ClosestLiveOf(stats.heard, overlay, target, k));
    CHECK(stats.max_in_flight <= 3);
    exact += lookup.Closest() == overlay.TrueClosestLive(target, k);
  }
  // Most lookups still find the true closest.
  CHECK(exact >= 180);
}

TEST_CASE("A lookup never has more than alpha queries in flight", "[dht][lookup]") {
  Rng rng(3);
  const Id target = rng.NextId();
  std::vector<Contact> seeds;
  for (int i = 0; i < 10; ++i) seeds.push_back(ContactOf(rng.NextId()));
  Lookup lookup(target, 20, 3, seeds);

  const std::vector<Contact> first = lookup.TakeQueries();
  REQUIRE(first.size() == 3);
  // The three closest seeds go first.
  CHECK(first == FirstN(SortedByDistance(seeds, target), 3));
  CHECK(lookup.TakeQueries().empty());
  CHECK_FALSE(lookup.Done());

  lookup.OnReply(first[0].id, {});
  const std::vector<Contact> second = lookup.TakeQueries();
  REQUIRE(second.size() == 1);
  CHECK(second[0] == SortedByDistance(seeds, target)[3]);
  CHECK(lookup.TakeQueries().empty());

  lookup.OnFailure(first[1].id);
  CHECK(lookup.TakeQueries().size() == 1);
  CHECK(lookup.TakeQueries().empty());
  CHECK(lookup.queries_sent() == 5);
}

TEST_CASE("A lookup ignores replies from nodes it has no query out to", "[dht][lookup]") {
  Rng rng(4);
  const Id target = rng.NextId();
  const Contact seed = ContactOf(rng.NextId());
  const Contact stranger = ContactOf(rng.NextId());
  const Contact referred = ContactOf(rng.NextId());
  Lookup lookup(target, 20, 3, {seed});

  // Before the seed is queried, its "reply" is unsolicited.
  lookup.OnReply(seed.id, {referred});
  CHECK(lookup.Closest().empty());
  REQUIRE(lookup.TakeQueries() == std::vector<Contact>{seed});
  lookup.OnReply(stranger.id, {referred});
  CHECK(lookup.TakeQueries().empty());

  lookup.OnReply(seed.id, {});
  CHECK(lookup.Done());
  CHECK(lookup.Closest() == std::vector<Contact>{seed});
  // A second reply from the seed adds nothing.
  lookup.OnReply(seed.id, {referred});
  CHECK(lookup.TakeQueries().empty());
  CHECK(lookup.Done());
}

TEST_CASE("A node that fails is left out of Closest", "[dht][lookup]") {
  Rng rng(5);
  const Id target = rng.NextId();
  std::vector<Contact> seeds;
  for (int i = 0; i < 3; ++i) seeds.push_back(ContactOf(rng.NextId()));
  seeds = SortedByDistance(seeds, target);
  Lookup lookup(target, 20, 3, seeds);
  REQUIRE(lookup.TakeQueries().size() == 3);
  lookup.OnFailure(seeds[0].id);  // the closest one
  CHECK_FALSE(lookup.Done());
  lookup.OnReply(seeds[1].id, {seeds[0]});  // mentioning a failed node does not revive it
  lookup.OnReply(seeds[2].id, {});
  CHECK(lookup.TakeQueries().empty());
  CHECK(lookup.Done());
  CHECK(lookup.Closest() == (std::vector<Contact>{seeds[1], seeds[2]}));

  SECTION("a failure reported for a node not in flight changes nothing") {
    lookup.OnFailure(seeds[1].id);
    CHECK(lookup.Closest() == (std::vector<Contact>{seeds[1], seeds[2]}));
  }
}

TEST_CASE("A lookup with no seeds is done at once", "[dht][lookup]") {
  Rng rng(6);
  Lookup lookup(rng.NextId(), 20, 3, {});
  CHECK(lookup.Done());
  CHECK(lookup.TakeQueries().empty());
  CHECK(lookup.Closest().empty());
  CHECK(lookup.hops() == 0);
  CHECK(lookup.queries_sent() == 0);
}

TEST_CASE("hops counts 1 for a seed and one more per referral", "[dht][lookup]") {
  Rng rng(7);
  const Id target = rng.NextId();
  // Four nodes at increasing closeness to the target: far, mid, near, nearest.
  std::vector<Contact> nodes;
  for (int i = 0; i < 4; ++i) nodes.push_back(ContactOf(rng.NextId()));
  nodes = SortedByDistance(nodes, target);
  const Contact nearest = nodes[0], near = nodes[1], mid = nodes[2], far = nodes[3];

  Lookup lookup(target, 20, 1, {far});
  CHECK(lookup.hops() == 0);  // nobody replied yet
  REQUIRE(lookup.TakeQueries() == std::vector<Contact>{far});
  lookup.OnReply(far.id, {mid});
  CHECK(lookup.hops() == 1);
  REQUIRE(lookup.TakeQueries() == std::vector<Contact>{mid});
  lookup.OnReply(mid.id, {near});
  CHECK(lookup.hops() == 2);
  REQUIRE(lookup.TakeQueries() == std::vector<Contact>{near});
  lookup.OnReply(near.id, {nearest});
  CHECK(lookup.hops() == 3);
  REQUIRE(lookup.TakeQueries() == std::vector<Contact>{nearest});
  lookup.OnReply(nearest.id, {});
  CHECK(lookup.hops() == 4);
  CHECK(lookup.Done());
  CHECK(lookup.Closest() == nodes);
}

TEST_CASE("A node referred along two paths keeps the shorter hop count", "[dht][lookup]") {
  Rng rng(8);
  const Id target = rng.NextId();
  std::vector<Contact> nodes;
  for (int i = 0; i < 4; ++i) nodes.push_back(ContactOf(rng.NextId()));
  nodes = SortedByDistance(nodes, target);
  const Contact x = nodes[0];  // the closest: whoever replies last decides nothing else
  const Contact a = nodes[1], m = nodes[2], b = nodes[3];

  Lookup lookup(target, 20, 2, {a, b});
  REQUIRE(lookup.TakeQueries().size() == 2);
  lookup.OnReply(a.id, {m});                                 // m: hop 2
  REQUIRE(lookup.TakeQueries() == std::vector<Contact>{m});  // b and m in flight
  lookup.OnReply(m.id, {x});                                 // x: hop 3 ...
  lookup.OnReply(b.id, {x});                                 // ... then hop 2, still unqueried
  REQUIRE(lookup.TakeQueries() == std::vector<Contact>{x});
  lookup.OnReply(x.id, {});
  CHECK(lookup.Done());
  CHECK(lookup.hops() == 2);
}

TEST_CASE("Closest holds at most k contacts", "[dht][lookup]") {
  Rng rng(9);
  const Id target = rng.NextId();
  std::vector<Contact> seeds;
  for (int i = 0; i < 12; ++i) seeds.push_back(ContactOf(rng.NextId()));
  Lookup lookup(target, 5, 12, seeds);
  const std::vector<Contact> asked = lookup.TakeQueries();
  // Only the k closest candidates are ever queried.
  CHECK(asked == FirstN(SortedByDistance(seeds, target), 5));
  for (const Contact& c : asked) lookup.OnReply(c.id, {});
  CHECK(lookup.Done());
  CHECK(lookup.Closest() == FirstN(SortedByDistance(seeds, target), 5));
}

}  // namespace
}  // namespace lake::dht
