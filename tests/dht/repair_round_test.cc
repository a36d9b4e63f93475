// RepairRound: who is asked about which chunks (against a brute-force sort by XOR distance), how
// answers, failures and bad replies shape the plan, and its plan against PlanRepair fed with the
// same answers and pushes over the nodes that did not fail.
#include "dht/repair_round.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "common/rng.h"
#include "tests/support/random_data.h"

namespace lake::dht {
namespace {

using testing::BruteClosest;
using testing::RandomIds;

// Answers every query: `holds(chunk, peer)` says what the peer replies.
template <class Holds>
void AnswerAll(RepairRound& round, Holds holds) {
  for (const auto& [peer, chunks] : round.queries()) {
    std::vector<bool> have;
    for (const ChunkId& chunk : chunks) have.push_back(holds(chunk, peer));
    REQUIRE(round.OnHaveReply(peer, have));
  }
}

TEST_CASE("RepairRound asks exactly the r closest other nodes about each chunk", "[dht][repair]") {
  Rng rng(1);
  for (int t = 0; t < 20; ++t) {
    const size_t r = 1 + rng.Uniform(5);
    const std::vector<NodeId> live = RandomIds(rng, 1 + rng.Uniform(60));
    const NodeId self = live[rng.Uniform(live.size())];
    std::vector<ChunkId> held = RandomIds(rng, rng.Uniform(200));
    // Duplicates in the input are asked about once.
    if (!held.empty()) held.push_back(held[0]);
    std::vector<NodeId> live_doubled = live;
    live_doubled.push_back(self);

    const RepairRound round(self, held, live_doubled, r);

    std::map<NodeId, std::set<ChunkId>> want;
    for (const ChunkId& chunk : held) {
      for (const NodeId& node : BruteClosest(chunk, live, r)) {
        if (node != self) want[node].insert(chunk);
      }
    }
    INFO("round " << t << " r " << r << " live " << live.size());
    CHECK(round.queries().size() == want.size());
    CHECK(round.queries().count(self) == 0);
    for (const auto& [peer, chunks] : round.queries()) {
      CHECK(!chunks.empty());
      CHECK(std::adjacent_find(chunks.begin(), chunks.end(), [](const Id& a, const Id& b) {
              return !(a < b);
            }) == chunks.end());  // strictly ascending
      CHECK(std::set<ChunkId>(chunks.begin(), chunks.end()) == want[peer]);
    }
    CHECK(round.complete() == want.empty());
  }
}

// Ten nodes in the order of their distance to one chunk, and r = 3.
struct Line {
  Rng rng{4};
  std::vector<NodeId> live = RandomIds(rng, 10);
  ChunkId chunk = rng.NextId();
  std::vector<NodeId> order = BruteClosest(chunk, live, live.size());
  size_t r = 3;
};

TEST_CASE("A copy missing on one of the r closest becomes a push there", "[dht][repair]") {
  Line line;
  const NodeId self = line.order[0];
  RepairRound round(self, {line.chunk}, line.live, line.r);
  REQUIRE(round.queries().size() == 2);
  CHECK(round.queries().at(line.order[1]) == std::vector<ChunkId>{line.chunk});
  CHECK(round.queries().at(line.order[2]) == std::vector<ChunkId>{line.chunk});
  CHECK(round.OnHaveReply(line.order[1], {true}));
  CHECK_FALSE(round.complete());
  CHECK(round.OnHaveReply(line.order[2], {false}));
  CHECK(round.complete());

  const RepairPlan plan = round.Plan();
  REQUIRE(plan.pushes.size() == 1);
  CHECK(plan.pushes[0].chunk == line.chunk);
  CHECK(plan.pushes[0].to == line.order[2]);
  CHECK(plan.droppable.empty());  // self is the closest: it keeps its copy
  CHECK(round.ConfirmedHolders(line.chunk) == std::vector<NodeId>{self, line.order[1]});
}

TEST_CASE("A node outside the r closest drops its copy only once all r confirmed one",
          "[dht][repair]") {
  Line line;
  const NodeId self = line.order[6];
  RepairRound round(self, {line.chunk}, line.live, line.r);
  REQUIRE(round.queries().size() == 3);
  const std::vector<NodeId> closest(line.order.begin(), line.order.begin() + 3);
  for (const NodeId& node : closest) REQUIRE(round.queries().count(node) == 1);

  SECTION("all three confirm: droppable, nothing to push") {
    for (const NodeId& node : closest) CHECK(round.OnHaveReply(node, {true}));
    CHECK(round.complete());
    const RepairPlan plan = round.Plan();
    CHECK(plan.pushes.empty());
    CHECK(plan.droppable == std::vector<ChunkId>{line.chunk});
    CHECK(round.ConfirmedHolders(line.chunk) ==
          std::vector<NodeId>{self, closest[0], closest[1], closest[2]});
  }
  SECTION("one failed: pushed to the next closest instead, kept") {
    CHECK(round.OnHaveReply(closest[0], {true}));
    round.OnPeerFailed(closest[1]);
    CHECK(round.OnHaveReply(closest[2], {true}));
    CHECK(round.complete());
    const RepairPlan plan = round.Plan();
    REQUIRE(plan.pushes.size() == 1);
    CHECK(plan.pushes[0].to == line.order[3]);  // not asked: it may lack the chunk
    CHECK(plan.droppable.empty());
    CHECK(round.ConfirmedHolders(line.chunk) == std::vector<NodeId>{self, closest[0], closest[2]});
  }
  SECTION("one has not answered yet: counted as missing, kept") {
    CHECK(round.OnHaveReply(closest[0], {true}));
    CHECK(round.OnHaveReply(closest[1], {true}));
    CHECK_FALSE(round.complete());
    const RepairPlan plan = round.Plan();
    REQUIRE(plan.pushes.size() == 1);
    CHECK(plan.pushes[0].to == closest[2]);
    CHECK(plan.droppable.empty());
  }
  SECTION("one says it lacks the chunk: pushed there, kept") {
    CHECK(round.OnHaveReply(closest[0], {true}));
    CHECK(round.OnHaveReply(closest[1], {true}));
    CHECK(round.OnHaveReply(closest[2], {false}));
    const RepairPlan plan = round.Plan();
    REQUIRE(plan.pushes.size() == 1);
    CHECK(plan.pushes[0].to == closest[2]);
    CHECK(plan.droppable.empty());
  }
}

TEST_CASE("A node becomes responsible for a chunk when a closer peer fails", "[dht][repair]") {
  Line line;
  const NodeId self = line.order[3];
  RepairRound round(self, {line.chunk}, line.live, line.r);
  REQUIRE(round.queries().size() == 3);
  CHECK(round.OnHaveReply(line.order[0], {true}));
  CHECK(round.OnHaveReply(line.order[1], {false}));
  round.OnPeerFailed(line.order[2]);
  // The failed peer gets nothing; self, now third closest, keeps its copy.
  const RepairPlan plan = round.Plan();
  REQUIRE(plan.pushes.size() == 1);
  CHECK(plan.pushes[0].to == line.order[1]);
  CHECK(plan.droppable.empty());
}

TEST_CASE("RepairRound ignores replies of the wrong size, second replies and unasked peers",
          "[dht][repair]") {
  Line line;
  Rng rng(5);
  const NodeId self = line.order[6];
  const ChunkId other_chunk = rng.NextId();
  RepairRound round(self, {line.chunk, other_chunk}, line.live, line.r);
  const NodeId a = line.order[0];
  const size_t asked = round.queries().at(a).size();
  REQUIRE(asked >= 1);

  CHECK_FALSE(round.OnHaveReply(a, std::vector<bool>(asked + 1, true)));
  CHECK_FALSE(round.OnHaveReply(a, {}));
  // A peer that was not asked, and this node itself.
  CHECK_FALSE(round.OnHaveReply(rng.NextId(), {true}));
  CHECK_FALSE(round.OnHaveReply(self, {true}));
  CHECK(round.Plan().droppable.empty());

  // The first well-formed reply counts; a second one, even a different answer, does not.
  CHECK(round.OnHaveReply(a, std::vector<bool>(asked, false)));
  CHECK_FALSE(round.OnHaveReply(a, std::vector<bool>(asked, true)));
  CHECK(round.ConfirmedHolders(line.chunk) == std::vector<NodeId>{self});

  // A failed peer's late reply is ignored too.
  const NodeId b = line.order[1];
  round.OnPeerFailed(b);
  CHECK_FALSE(round.OnHaveReply(b, std::vector<bool>(round.queries().at(b).size(), true)));
  const NodeId c = line.order[2];
  CHECK(round.OnHaveReply(c, std::vector<bool>(round.queries().at(c).size(), true)));
  CHECK(round.ConfirmedHolders(line.chunk) == std::vector<NodeId>{self, c});
  // A peer that answered and then failed (a push to it did) no longer counts as a holder.
  round.OnPeerFailed(c);
  CHECK(round.ConfirmedHolders(line.chunk) == std::vector<NodeId>{self});
  CHECK(round.Plan().droppable.empty());
}

TEST_CASE("A failed push goes on to the next closest node, an acknowledged one counts as a copy",
          "[dht][repair]") {
  Line line;
  const NodeId self = line.order[6];
  RepairRound round(self, {line.chunk}, line.live, line.r);
  CHECK(round.OnHaveReply(line.order[0], {true}));
  CHECK(round.OnHaveReply(line.order[1], {true}));
  round.OnPeerFailed(line.order[2]);
  RepairPlan plan = round.Plan();
  REQUIRE(plan.pushes.size() == 1);
  REQUIRE(plan.pushes[0].to == line.order[3]);

  // order[3] was never asked; it is unreachable too (crashed, still in the routing table).
  round.OnPeerFailed(line.order[3]);
  plan = round.Plan();
  REQUIRE(plan.pushes.size() == 1);
  CHECK(plan.pushes[0].to == line.order[4]);
  CHECK(plan.droppable.empty());

  round.OnPushed(line.chunk, line.order[4]);
  plan = round.Plan();
  CHECK(plan.pushes.empty());
  // order[0], order[1] and order[4] hold it: the r closest reachable nodes, so self may drop.
  CHECK(plan.droppable == std::vector<ChunkId>{line.chunk});
  CHECK(round.ConfirmedHolders(line.chunk) ==
        std::vector<NodeId>{self, line.order[0], line.order[1], line.order[4]});

  // Pushes of chunks not held and failures of self are ignored.
  Rng rng(9);
  round.OnPushed(rng.NextId(), line.order[5]);
  round.OnPeerFailed(self);
  CHECK(round.Plan().droppable == std::vector<ChunkId>{line.chunk});
}

TEST_CASE("With r larger than the network every other node is asked and nothing is dropped",
          "[dht][repair]") {
  Rng rng(6);
  const std::vector<NodeId> live = RandomIds(rng, 5);
  const NodeId self = live[2];
  const std::vector<ChunkId> held = RandomIds(rng, 8);
  RepairRound round(self, held, live, 10);
  REQUIRE(round.queries().size() == 4);
  for (const auto& [peer, chunks] : round.queries()) CHECK(chunks.size() == held.size());

  AnswerAll(round, [](const ChunkId&, const NodeId&) { return true; });
  CHECK(round.complete());
  RepairPlan plan = round.Plan();
  CHECK(plan.pushes.empty());
  CHECK(plan.droppable.empty());

  RepairRound missing(self, held, live, 10);
  AnswerAll(missing, [&](const ChunkId&, const NodeId& peer) { return peer != live[0]; });
  plan = missing.Plan();
  CHECK(plan.pushes.size() == held.size());
  for (const RepairPlan::Push& push : plan.pushes) CHECK(push.to == live[0]);
  CHECK(plan.droppable.empty());
}

TEST_CASE("A node alone asks nobody, pushes nothing and keeps everything", "[dht][repair]") {
  Rng rng(7);
  const NodeId self = rng.NextId();
  const std::vector<ChunkId> held = RandomIds(rng, 5);
  const RepairRound round(self, held, {self}, 3);
  CHECK(round.queries().empty());
  CHECK(round.complete());
  const RepairPlan plan = round.Plan();
  CHECK(plan.pushes.empty());
  CHECK(plan.droppable.empty());
  CHECK(round.ConfirmedHolders(held[0]) == std::vector<NodeId>{self});
  CHECK(round.ConfirmedHolders(rng.NextId()).empty());  // not held

  const RepairRound nothing_held(self, {}, {self}, 3);
  CHECK(nothing_held.queries().empty());
  CHECK(nothing_held.Plan().pushes.empty());
  CHECK(nothing_held.Plan().droppable.empty());
}

TEST_CASE("RepairRound's plan is PlanRepair's with the answers it was given", "[dht][repair]") {
  Rng rng(8);
  for (int t = 0; t < 30; ++t) {
    const size_t r = 1 + rng.Uniform(4);
    const std::vector<NodeId> live = RandomIds(rng, 2 + rng.Uniform(40));
    const NodeId self = live[rng.Uniform(live.size())];
    const std::vector<ChunkId> held = RandomIds(rng, 1 + rng.Uniform(100));
    RepairRound round(self, held, live, r);

    // Each peer answers at random, fails, or stays silent; answers are random per chunk. Some
    // nodes nobody asked fail too (failed pushes), and some pushes are acknowledged.
    std::set<std::pair<ChunkId, NodeId>> confirmed;
    std::set<NodeId> failed;
    for (const NodeId& node : live) {
      if (node != self && rng.Bernoulli(0.1)) {
        round.OnPeerFailed(node);
        failed.insert(node);
      }
    }
    for (const ChunkId& chunk : held) {
      if (rng.Bernoulli(0.2)) {
        const NodeId& to = live[rng.Uniform(live.size())];
        round.OnPushed(chunk, to);
        if (to != self) confirmed.insert({chunk, to});
      }
    }
    for (const auto& [peer, chunks] : round.queries()) {
      if (failed.count(peer) != 0) continue;
      const uint64_t fate = rng.Uniform(4);
      if (fate == 0) {
        round.OnPeerFailed(peer);
        failed.insert(peer);
      } else if (fate != 1) {
        std::vector<bool> have;
        for (const ChunkId& chunk : chunks) {
          have.push_back(rng.Bernoulli(fate == 2 ? 0.5 : 0.95));
          if (have.back()) confirmed.insert({chunk, peer});
        }
        REQUIRE(round.OnHaveReply(peer, have));
      }
    }
    // The plan is made over the nodes that did not fail.
    std::vector<NodeId> reachable;
    for (const NodeId& node : live) {
      if (failed.count(node) == 0) reachable.push_back(node);
    }
    const RepairPlan want =
        PlanRepair(self, held, reachable, r, [&](const ChunkId& chunk, const NodeId& node) {
          return confirmed.count({chunk, node}) != 0;
        });
    for (const RepairPlan::Push& push : round.Plan().pushes) CHECK(failed.count(push.to) == 0);
    const RepairPlan got = round.Plan();
    INFO("round " << t);
    std::set<std::pair<ChunkId, NodeId>> want_pushes;
    std::set<std::pair<ChunkId, NodeId>> got_pushes;
    for (const RepairPlan::Push& p : want.pushes) want_pushes.insert({p.chunk, p.to});
    for (const RepairPlan::Push& p : got.pushes) got_pushes.insert({p.chunk, p.to});
    CHECK(got_pushes == want_pushes);
    CHECK(got.pushes.size() == want.pushes.size());
    CHECK(std::set<ChunkId>(got.droppable.begin(), got.droppable.end()) ==
          std::set<ChunkId>(want.droppable.begin(), want.droppable.end()));
    CHECK(std::is_sorted(got.droppable.begin(), got.droppable.end()));
    for (const ChunkId& chunk : held) {
      std::vector<NodeId> holders = {self};
      for (const NodeId& node : BruteClosest(chunk, live, live.size())) {
        if (failed.count(node) == 0 && confirmed.count({chunk, node}) != 0) {
          holders.push_back(node);
        }
      }
      CHECK(round.ConfirmedHolders(chunk) == holders);
    }
  }
}

}  // namespace
}  // namespace lake::dht
