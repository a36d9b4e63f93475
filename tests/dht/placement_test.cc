// Placement: ClosestNodes and SortedNodes against brute force, and PlanRepair's pushes and drops
// checked against the rule "a chunk lives on the R closest live nodes" computed independently.
#include "dht/placement.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/rng.h"
#include "tests/support/random_data.h"

namespace lake::dht {
namespace {

using testing::BruteClosest;
using testing::RandomIds;

TEST_CASE("ClosestNodes equals a brute-force sort by XOR distance", "[dht][placement]") {
  Rng rng(1);
  for (size_t n : {0, 1, 5, 50, 500}) {
    const std::vector<NodeId> nodes = RandomIds(rng, n);
    for (int t = 0; t < 20; ++t) {
      const Id key = t == 0 && n > 0 ? nodes[0] : rng.NextId();
      for (size_t r : {0, 1, 3, 20, 600}) {
        INFO("n " << n << " r " << r);
        CHECK(ClosestNodes(key, nodes, r) == BruteClosest(key, nodes, r));
      }
    }
  }
}

// Ids sharing long prefixes with each other and with some keys: the runs SortedNodes walks are
// then long and uneven, unlike those of uniform ids.
std::vector<NodeId> ClusteredIds(Rng& rng, size_t n, const Id& centre) {
  std::vector<NodeId> out;
  for (size_t i = 0; i < n; ++i) {
    std::array<uint8_t, Id::kBytes> bytes = rng.NextId().bytes();
    const size_t shared_bytes = rng.Uniform(Id::kBytes);
    for (size_t b = 0; b < shared_bytes; ++b) bytes[b] = centre.bytes()[b];
    out.push_back(Id(bytes));
  }
  return out;
}

TEST_CASE("SortedNodes finds the same closest nodes as a brute-force sort", "[dht][placement]") {
  Rng rng(6);
  for (size_t n : {0, 1, 2, 5, 50, 500}) {
    for (bool clustered : {false, true}) {
      const Id centre = rng.NextId();
      std::vector<NodeId> nodes = clustered ? ClusteredIds(rng, n, centre) : RandomIds(rng, n);
      const SortedNodes sorted(nodes);
      REQUIRE(sorted.ids().size() == n);
      CHECK(std::is_sorted(sorted.ids().begin(), sorted.ids().end()));
      for (int t = 0; t < 30; ++t) {
        // Keys: a node's own id, keys near the cluster, far keys and the extremes.
        Id key = rng.NextId();
        if (t == 0 && n > 0) key = nodes[rng.Uniform(n)];
        if (t == 1) key = Id();
        if (t == 2) key = *Id::FromHex(std::string(64, 'f'));
        if (t % 3 == 0 && t > 2) key = ClusteredIds(rng, 1, centre)[0];
        for (size_t r : {0, 1, 3, 20, 600}) {
          INFO("n " << n << " clustered " << clustered << " t " << t << " r " << r);
          CHECK(sorted.Closest(key, r) == BruteClosest(key, nodes, r));
          // Keeping only some nodes (about one in three here) answers as if only those existed.
          const auto keep = [](const NodeId& id) { return id.bytes()[31] % 3 == 0; };
          std::vector<NodeId> kept;
          std::copy_if(nodes.begin(), nodes.end(), std::back_inserter(kept), keep);
          CHECK(sorted.Closest(key, r, keep) == BruteClosest(key, kept, r));
        }
      }
    }
  }
}

TEST_CASE("SortedNodes drops duplicate nodes", "[dht][placement]") {
  Rng rng(7);
  const std::vector<NodeId> unique = RandomIds(rng, 10);
  std::vector<NodeId> doubled = unique;
  doubled.insert(doubled.end(), unique.begin(), unique.end());
  const SortedNodes sorted(doubled);
  CHECK(sorted.ids().size() == 10);
  const Id key = rng.NextId();
  CHECK(sorted.Closest(key, 4) == BruteClosest(key, unique, 4));
}

TEST_CASE("SortedNodes::Insert answers as if built from every node at once", "[dht][placement]") {
  Rng rng(8);
  const std::vector<NodeId> first = RandomIds(rng, 200);
  std::vector<NodeId> more = RandomIds(rng, 50);
  more.push_back(first[3]);  // already in
  more.push_back(more[0]);   // twice in the batch
  SortedNodes grown(first);
  grown.Insert(more);
  std::vector<NodeId> all = first;
  all.insert(all.end(), more.begin(), more.end());
  const SortedNodes built(all);
  CHECK(grown.ids() == built.ids());
  CHECK(grown.ids().size() == 250);
  grown.Insert({});
  CHECK(grown.ids() == built.ids());
}

// Copies: chunk -> nodes known to hold it.
using Copies = std::map<ChunkId, std::set<NodeId>>;

std::function<bool(const ChunkId&, const NodeId&)> HasCopy(const Copies& copies) {
  return [&copies](const ChunkId& chunk, const NodeId& node) {
    auto it = copies.find(chunk);
    return it != copies.end() && it->second.count(node) != 0;
  };
}

TEST_CASE("PlanRepair pushes to exactly the R closest live nodes lacking a copy",
          "[dht][placement]") {
  Rng rng(2);
  for (int round = 0; round < 50; ++round) {
    const size_t r = 1 + rng.Uniform(5);
    const std::vector<NodeId> live = RandomIds(rng, 2 + rng.Uniform(30));
    const NodeId self = live[rng.Uniform(live.size())];
    const std::vector<ChunkId> held = RandomIds(rng, 1 + rng.Uniform(20));
    Copies copies;
    for (const ChunkId& chunk : held) {
      copies[chunk].insert(self);
      for (const NodeId& node : live) {
        if (rng.Bernoulli(0.5)) copies[chunk].insert(node);
      }
    }
    // Some chunks are fully replicated, so the droppable path is exercised.
    for (size_t i = 0; i < held.size(); i += 3) {
      for (const NodeId& node : live) copies[held[i]].insert(node);
    }

    const RepairPlan plan = PlanRepair(self, held, live, r, HasCopy(copies));

    std::set<std::pair<ChunkId, NodeId>> want_pushes;
    std::set<ChunkId> want_droppable;
    for (const ChunkId& chunk : held) {
      const std::vector<NodeId> closest = BruteClosest(chunk, live, r);
      const bool self_among = std::count(closest.begin(), closest.end(), self) != 0;
      bool all_have = true;
      for (const NodeId& node : closest) {
        if (node == self) continue;
        if (!copies[chunk].count(node)) {
          want_pushes.insert({chunk, node});
          all_have = false;
        }
      }
      if (!self_among && all_have) want_droppable.insert(chunk);
    }
    std::set<std::pair<ChunkId, NodeId>> got_pushes;
    for (const RepairPlan::Push& p : plan.pushes) {
      CHECK(p.to != self);
      CHECK(got_pushes.insert({p.chunk, p.to}).second);  // no duplicate push
    }
    CHECK(got_pushes == want_pushes);
    CHECK(std::set<ChunkId>(plan.droppable.begin(), plan.droppable.end()) == want_droppable);
    CHECK(plan.droppable.size() == want_droppable.size());
  }
}

TEST_CASE("PlanRepair never pushes to self even when self lacks nothing", "[dht][placement]") {
  Rng rng(3);
  const std::vector<NodeId> live = RandomIds(rng, 4);
  const NodeId self = live[0];
  const ChunkId chunk = self;  // self is the closest node to its own id
  // Nobody is known to hold anything, not even self: still no push to self.
  const RepairPlan plan =
      PlanRepair(self, {chunk}, live, 4, [](const ChunkId&, const NodeId&) { return false; });
  CHECK(plan.pushes.size() == 3);
  for (const RepairPlan::Push& p : plan.pushes) CHECK(p.to != self);
  CHECK(plan.droppable.empty());
}

TEST_CASE("A chunk is droppable only when self is outside the R closest and they all hold it",
          "[dht][placement]") {
  Rng rng(4);
  const std::vector<NodeId> live = RandomIds(rng, 10);
  const ChunkId chunk = rng.NextId();
  const std::vector<NodeId> order = BruteClosest(chunk, live, live.size());
  const size_t r = 3;
  const std::vector<NodeId> closest(order.begin(), order.begin() + r);

  SECTION("self outside, all R hold a copy: droppable, nothing to push") {
    const NodeId self = order[5];
    Copies copies;
    copies[chunk] = {closest.begin(), closest.end()};
    const RepairPlan plan = PlanRepair(self, {chunk}, live, r, HasCopy(copies));
    CHECK(plan.pushes.empty());
    CHECK(plan.droppable == std::vector<ChunkId>{chunk});
  }
  SECTION("self outside, one of the R lacks it: pushed there, not droppable") {
    const NodeId self = order[5];
    Copies copies;
    copies[chunk] = {closest[0], closest[2]};
    const RepairPlan plan = PlanRepair(self, {chunk}, live, r, HasCopy(copies));
    REQUIRE(plan.pushes.size() == 1);
    CHECK(plan.pushes[0].chunk == chunk);
    CHECK(plan.pushes[0].to == closest[1]);
    CHECK(plan.droppable.empty());
  }
  SECTION("self among the R and all others hold it: kept") {
    const NodeId self = order[1];
    Copies copies;
    copies[chunk] = {closest.begin(), closest.end()};
    const RepairPlan plan = PlanRepair(self, {chunk}, live, r, HasCopy(copies));
    CHECK(plan.pushes.empty());
    CHECK(plan.droppable.empty());
  }
  SECTION("copies on nodes outside the R closest do not count") {
    const NodeId self = order[5];
    Copies copies;
    copies[chunk] = {order[3], order[4], order[6], order[7]};
    const RepairPlan plan = PlanRepair(self, {chunk}, live, r, HasCopy(copies));
    std::set<NodeId> pushed;
    for (const RepairPlan::Push& p : plan.pushes) pushed.insert(p.to);
    CHECK(pushed == std::set<NodeId>(closest.begin(), closest.end()));
    CHECK(plan.droppable.empty());
  }
}

TEST_CASE("A dead holder is replaced by the next closest live node", "[dht][placement]") {
  Rng rng(5);
  const std::vector<NodeId> everyone = RandomIds(rng, 12);
  const ChunkId chunk = rng.NextId();
  const std::vector<NodeId> order = BruteClosest(chunk, everyone, everyone.size());
  const size_t r = 3;
  const NodeId self = order[8];
  // The three closest all hold the chunk, but order[1] has died: it is not in `live`.
  Copies copies;
  copies[chunk] = {order[0], order[1], order[2], self};
  std::vector<NodeId> live;
  for (const NodeId& n : everyone) {
    if (n != order[1]) live.push_back(n);
  }
  const RepairPlan plan = PlanRepair(self, {chunk}, live, r, HasCopy(copies));
  REQUIRE(plan.pushes.size() == 1);
  CHECK(plan.pushes[0].chunk == chunk);
  CHECK(plan.pushes[0].to == order[3]);
  CHECK(plan.droppable.empty());

  // Once order[3] holds it too, the R closest live nodes are covered and self may drop it.
  copies[chunk].insert(order[3]);
  const RepairPlan after = PlanRepair(self, {chunk}, live, r, HasCopy(copies));
  CHECK(after.pushes.empty());
  CHECK(after.droppable == std::vector<ChunkId>{chunk});
}

}  // namespace
}  // namespace lake::dht
