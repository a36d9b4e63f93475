// Scatter/gather as a state machine: how chunks are spread over their holders, how a failed or
// late holder's chunks move to other replicas without ever being counted twice, and how a query
// that cannot reach a chunk fails naming it (or, when allowed, says what it covered). A holder's
// "partial result" here is the list of chunk indexes it scanned, so coverage can be checked.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/rng.h"
#include "sql/scatter_gather.h"
#include "tests/sql/scatter_driver.h"

namespace lake::sql {
namespace {

using Fragment = ScatterGather::Fragment;
using Behaviour = testing::HolderBehaviour;

const TimePoint kStart = FromMicros(5'000'000);
const Duration kTimeout = std::chrono::seconds(1);

Bytes EncodeIndexes(const std::vector<size_t>& chunks) {
  Bytes bytes(chunks.size() * sizeof(uint64_t));
  for (size_t i = 0; i < chunks.size(); ++i) {
    const uint64_t index = chunks[i];
    std::memcpy(bytes.data() + i * sizeof index, &index, sizeof index);
  }
  return bytes;
}

std::vector<size_t> DecodeIndexes(const Bytes& bytes) {
  REQUIRE(bytes.size() % sizeof(uint64_t) == 0);
  std::vector<size_t> chunks(bytes.size() / sizeof(uint64_t));
  for (size_t i = 0; i < chunks.size(); ++i) {
    uint64_t index;
    std::memcpy(&index, bytes.data() + i * sizeof index, sizeof index);
    chunks[i] = index;
  }
  return chunks;
}

// How many times each chunk index appears in the partials.
std::map<size_t, size_t> Coverage(const std::vector<Bytes>& partials) {
  std::map<size_t, size_t> times;
  for (const Bytes& partial : partials) {
    for (size_t chunk : DecodeIndexes(partial)) ++times[chunk];
  }
  return times;
}

ScatterGather::Options Opts(bool allow_partial = false, size_t max_attempts = 3) {
  return ScatterGather::Options{kTimeout, max_attempts, allow_partial};
}

struct Nodes {
  NodeId self, b, c, d;
};

Nodes MakeNodes() {
  Rng rng(7);
  return Nodes{rng.NextId(), rng.NextId(), rng.NextId(), rng.NextId()};
}

// `n` chunks of `rows` rows each (indexes 3i + 1, as if pruning left gaps), every one held by
// `replicas` in an order shuffled per chunk (closest first differs from chunk to chunk).
std::vector<ScatterGather::Chunk> HeldByAll(size_t n, const std::vector<NodeId>& replicas,
                                            uint64_t rows = 100, uint64_t seed = 1) {
  Rng rng(seed);
  std::vector<ScatterGather::Chunk> chunks;
  for (size_t i = 0; i < n; ++i) {
    std::vector<NodeId> order = replicas;
    for (size_t k = order.size(); k > 1; --k) std::swap(order[k - 1], order[rng.Uniform(k)]);
    chunks.push_back({3 * i + 1, rng.NextId(), rows, order});
  }
  return chunks;
}

const Fragment& To(const std::vector<Fragment>& fragments, const NodeId& holder) {
  auto it = std::find_if(fragments.begin(), fragments.end(),
                         [&](const Fragment& f) { return f.holder == holder; });
  REQUIRE(it != fragments.end());
  return *it;
}

void AnswerAll(ScatterGather& sg, const std::vector<Fragment>& fragments) {
  for (const Fragment& f : fragments) {
    CHECK(sg.OnPartial(f.request_id, f.holder, EncodeIndexes(f.chunks)));
  }
}

std::set<size_t> Union(const std::vector<Fragment>& fragments) {
  std::set<size_t> chunks;
  for (const Fragment& f : fragments) chunks.insert(f.chunks.begin(), f.chunks.end());
  return chunks;
}

TEST_CASE("With three nodes holding every chunk, each scans a third, this node included",
          "[sql][scatter]") {
  const Nodes n = MakeNodes();
  for (size_t count : {30, 31, 32}) {
    ScatterGather sg(n.self, HeldByAll(count, {n.self, n.b, n.c}), Opts());
    const std::vector<Fragment> fragments = sg.Start(kStart);
    REQUIRE(fragments.size() == 3);            // one fragment per holder
    CHECK(fragments.back().holder == n.self);  // peers' first: a driver sends them before its own
    CHECK(To(fragments, n.self).chunks.size() == (count + 2) / 3);  // the larger share of a rest
    for (const Fragment& f : fragments) {
      CHECK(f.chunks.size() >= count / 3);
      CHECK(f.chunks.size() <= (count + 2) / 3);
      CHECK(std::is_sorted(f.chunks.begin(), f.chunks.end()));
      CHECK(f.deadline == kStart + kTimeout);
    }
    CHECK(Union(fragments).size() == count);
    CHECK(sg.stats().nodes_contacted == 3);
  }
}

TEST_CASE("Chunks of different sizes balance by rows, within one chunk", "[sql][scatter]") {
  const Nodes n = MakeNodes();
  Rng rng(3);
  std::vector<ScatterGather::Chunk> chunks = HeldByAll(40, {n.self, n.b, n.c, n.d});
  std::map<size_t, uint64_t> rows_of;
  for (ScatterGather::Chunk& chunk : chunks) {
    rows_of[chunk.index] = chunk.rows = 50 + rng.Uniform(101);
  }
  ScatterGather sg(n.self, chunks, Opts());
  std::vector<uint64_t> loads;
  for (const Fragment& f : sg.Start(kStart)) {
    uint64_t rows = 0;
    for (size_t chunk : f.chunks) rows += rows_of.at(chunk);
    loads.push_back(rows);
  }
  REQUIRE(loads.size() == 4);
  const auto [least, most] = std::minmax_element(loads.begin(), loads.end());
  CHECK(*most - *least <= 150);  // the largest chunk
}

TEST_CASE("A query over one chunk this node holds runs here, even when a peer is closer",
          "[sql][scatter]") {
  const Nodes n = MakeNodes();
  ScatterGather one(n.self, {{0, n.d, 100, {n.b, n.self, n.c}}}, Opts());
  const std::vector<Fragment> fragments = one.Start(kStart);
  REQUIRE(fragments.size() == 1);
  CHECK(fragments[0].holder == n.self);

  // A second chunk goes to the closest replica with nothing to do yet.
  ScatterGather two(n.self, {{0, n.d, 100, {n.b, n.self, n.c}}, {1, n.d, 100, {n.c, n.self, n.b}}},
                    Opts());
  const std::vector<Fragment> both = two.Start(kStart);
  REQUIRE(both.size() == 2);
  CHECK(To(both, n.self).chunks == std::vector<size_t>{0});
  CHECK(To(both, n.c).chunks == std::vector<size_t>{1});
}

TEST_CASE("Chunks only one node holds go to it, and the others balance around them",
          "[sql][scatter]") {
  const Nodes n = MakeNodes();
  std::vector<ScatterGather::Chunk> chunks = HeldByAll(6, {n.self, n.b, n.c});
  for (size_t i = 0; i < 6; ++i) chunks.push_back({100 + i, n.d, 100, {n.b}});
  ScatterGather sg(n.self, chunks, Opts());
  const std::vector<Fragment> fragments = sg.Start(kStart);
  REQUIRE(fragments.size() == 3);
  CHECK(To(fragments, n.b).chunks == std::vector<size_t>{100, 101, 102, 103, 104, 105});
  CHECK(To(fragments, n.self).chunks.size() == 3);
  CHECK(To(fragments, n.c).chunks.size() == 3);
}

TEST_CASE(
    "An error reply moves the holder's chunks to the other replicas; its late answer "
    "is discarded",
    "[sql][scatter]") {
  const Nodes n = MakeNodes();
  ScatterGather sg(n.self, HeldByAll(9, {n.self, n.b, n.c}), Opts());
  const std::vector<Fragment> first = sg.Start(kStart);
  const Fragment failed = To(first, n.b);
  const std::vector<Fragment> retries =
      sg.OnFailure(failed.request_id, n.b, Status::Unavailable("peer gone"), kStart + kTimeout / 2);
  REQUIRE(retries.size() == 2);  // its three chunks, spread over the two others
  for (const Fragment& f : retries) CHECK(f.holder != n.b);
  CHECK(Union(retries) == std::set<size_t>(failed.chunks.begin(), failed.chunks.end()));
  CHECK(retries[0].deadline == kStart + kTimeout / 2 + kTimeout);
  CHECK_FALSE(sg.OnPartial(failed.request_id, n.b, EncodeIndexes(failed.chunks)));

  AnswerAll(sg, {To(first, n.self), To(first, n.c)});
  CHECK_FALSE(sg.done());
  AnswerAll(sg, retries);
  REQUIRE(sg.done());
  Result<ScatterGather::Outcome> outcome = sg.Finish();
  REQUIRE(outcome.ok());
  CHECK(outcome->partials.size() == 4);
  const std::map<size_t, size_t> times = Coverage(outcome->partials);
  CHECK(times.size() == 9);
  for (const auto& [chunk, count] : times) CHECK(count == 1);
  CHECK(outcome->rows_covered == 900);
  CHECK(outcome->missing.empty());
  CHECK(sg.stats().fragments_sent == 5);
  CHECK(sg.stats().fragments_retried == 2);
  CHECK(sg.stats().fragments_failed == 1);
  CHECK(sg.stats().replies_ignored == 1);
}

TEST_CASE(
    "A holder past its deadline is failed and its chunks move; its answer then counts "
    "for nothing",
    "[sql][scatter]") {
  const Nodes n = MakeNodes();
  ScatterGather sg(n.self, HeldByAll(6, {n.self, n.b, n.c}), Opts());
  const std::vector<Fragment> first = sg.Start(kStart);
  AnswerAll(sg, {To(first, n.self), To(first, n.c)});
  CHECK(sg.NextDeadline() == kStart + kTimeout);
  CHECK(sg.OnTimer(kStart + kTimeout - Duration(1)).empty());
  const std::vector<Fragment> retries = sg.OnTimer(kStart + kTimeout);
  REQUIRE_FALSE(retries.empty());
  CHECK(Union(retries) ==
        std::set<size_t>(To(first, n.b).chunks.begin(), To(first, n.b).chunks.end()));
  CHECK(sg.NextDeadline() == kStart + 2 * kTimeout);
  CHECK_FALSE(sg.OnPartial(To(first, n.b).request_id, n.b, EncodeIndexes(To(first, n.b).chunks)));
  AnswerAll(sg, retries);
  REQUIRE(sg.done());
  CHECK(sg.NextDeadline() == TimePoint::max());
  Result<ScatterGather::Outcome> outcome = sg.Finish();
  REQUIRE(outcome.ok());
  for (const auto& [chunk, count] : Coverage(outcome->partials)) CHECK(count == 1);
  CHECK(Coverage(outcome->partials).size() == 6);
  CHECK(sg.stats().fragments_failed == 1);
}

TEST_CASE("Duplicate, unknown and misdirected replies are ignored", "[sql][scatter]") {
  const Nodes n = MakeNodes();
  ScatterGather sg(n.self, HeldByAll(4, {n.self, n.b}), Opts());
  const std::vector<Fragment> first = sg.Start(kStart);
  const Fragment& to_b = To(first, n.b);
  CHECK_FALSE(sg.OnPartial(999, n.b, EncodeIndexes(to_b.chunks)));         // unknown
  CHECK_FALSE(sg.OnPartial(to_b.request_id, n.c, EncodeIndexes({1, 4})));  // not its holder
  CHECK(sg.OnFailure(to_b.request_id, n.c, Status::Unavailable("x"), kStart).empty());
  CHECK(sg.OnPartial(to_b.request_id, n.b, EncodeIndexes(to_b.chunks)));        // b still counts
  CHECK_FALSE(sg.OnPartial(to_b.request_id, n.b, EncodeIndexes(to_b.chunks)));  // duplicate
  CHECK(sg.OnFailure(to_b.request_id, n.b, Status::Unavailable("x"), kStart).empty());
  AnswerAll(sg, {To(first, n.self)});
  REQUIRE(sg.done());
  CHECK(sg.stats().replies_ignored == 5);
  Result<ScatterGather::Outcome> outcome = sg.Finish();
  REQUIRE(outcome.ok());
  CHECK(outcome->partials.size() == 2);
  CHECK(Coverage(outcome->partials).size() == 4);
}

TEST_CASE("A failed holder's other fragments fail with it", "[sql][scatter]") {
  const Nodes n = MakeNodes();
  ScatterGather sg(n.self, HeldByAll(9, {n.self, n.b, n.c}), Opts());
  const std::vector<Fragment> first = sg.Start(kStart);
  const std::vector<Fragment> retries =
      sg.OnFailure(To(first, n.b).request_id, n.b, Status::NotFound("no chunk"), kStart);
  const Fragment to_c = To(retries, n.c);  // c now has two fragments outstanding
  const std::vector<Fragment> again =
      sg.OnFailure(To(first, n.c).request_id, n.c, Status::IOError("disk"), kStart);
  REQUIRE(again.size() == 1);  // both of c's fragments, to the one node left
  CHECK(again[0].holder == n.self);
  std::set<size_t> moved(To(first, n.c).chunks.begin(), To(first, n.c).chunks.end());
  moved.insert(to_c.chunks.begin(), to_c.chunks.end());
  CHECK(Union(again) == moved);
  CHECK_FALSE(sg.OnPartial(to_c.request_id, n.c, EncodeIndexes(to_c.chunks)));
  AnswerAll(sg, {To(first, n.self), To(retries, n.self), again[0]});
  REQUIRE(sg.done());
  Result<ScatterGather::Outcome> outcome = sg.Finish();
  REQUIRE(outcome.ok());
  const std::map<size_t, size_t> times = Coverage(outcome->partials);
  CHECK(times.size() == 9);
  for (const auto& [chunk, count] : times) CHECK(count == 1);
  CHECK(sg.stats().fragments_failed == 3);
}

// Chunk 0 on b and c, chunk 1 on self and b, chunk 2 on c alone, chunk 3 on nobody; b and c fail.
struct Unreachable {
  Nodes n = MakeNodes();
  std::vector<ScatterGather::Chunk> chunks;
  Unreachable() {
    Rng rng(11);
    chunks = {{0, rng.NextId(), 10, {n.b, n.c}},
              {1, rng.NextId(), 20, {n.self, n.b}},
              {2, rng.NextId(), 40, {n.c}},
              {3, rng.NextId(), 80, {}}};
  }
  // Fails b and c and answers everything self is given.
  void Run(ScatterGather& sg) {
    std::vector<Fragment> out = sg.Start(kStart);
    while (!out.empty()) {
      std::vector<Fragment> next;
      for (const Fragment& f : out) {
        if (f.holder == n.self) {
          CHECK(sg.OnPartial(f.request_id, f.holder, EncodeIndexes(f.chunks)));
          continue;
        }
        for (Fragment& g :
             sg.OnFailure(f.request_id, f.holder, Status::Unavailable("down"), kStart)) {
          next.push_back(std::move(g));
        }
      }
      out = std::move(next);
    }
    REQUIRE(sg.done());
    CHECK(sg.MissingChunks() == std::vector<size_t>{0, 2, 3});
  }
};

TEST_CASE("When every replica of a chunk fails, the query fails naming exactly those chunks",
          "[sql][scatter]") {
  Unreachable setup;
  ScatterGather sg(setup.n.self, setup.chunks, Opts());
  setup.Run(sg);
  Result<ScatterGather::Outcome> outcome = sg.Finish();
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.status().code() == Status::Code::kUnavailable);
  const std::string& message = outcome.status().message();
  INFO(message);
  CHECK(message.find("3 of 4 chunks") != std::string::npos);
  CHECK(message.find("130 of 150 rows") != std::string::npos);
  for (size_t i : {0, 2, 3}) CHECK(message.find(setup.chunks[i].id.ToHex()) != std::string::npos);
  CHECK(message.find(setup.chunks[1].id.ToHex()) == std::string::npos);
}

TEST_CASE(
    "With partial answers allowed, the query answers with what was reachable and says "
    "how many rows that covers",
    "[sql][scatter]") {
  Unreachable setup;
  ScatterGather sg(setup.n.self, setup.chunks, Opts(/*allow_partial=*/true));
  setup.Run(sg);
  Result<ScatterGather::Outcome> outcome = sg.Finish();
  REQUIRE(outcome.ok());
  CHECK(outcome->rows_covered == 20);
  CHECK(outcome->rows_total == 150);
  CHECK(outcome->missing == std::vector<size_t>{0, 2, 3});
  CHECK(Coverage(outcome->partials) == std::map<size_t, size_t>{{1, 1}});
}

TEST_CASE("A statement error from a holder fails the query with that error, without retries",
          "[sql][scatter]") {
  const Nodes n = MakeNodes();
  ScatterGather sg(n.self, HeldByAll(6, {n.self, n.b, n.c}), Opts(/*allow_partial=*/true));
  const std::vector<Fragment> first = sg.Start(kStart);
  const Status error = Status::InvalidArgumentAt("division by zero", 12);
  CHECK(sg.OnFailure(To(first, n.b).request_id, n.b, error, kStart).empty());
  REQUIRE(sg.done());
  CHECK_FALSE(sg.OnPartial(To(first, n.self).request_id, n.self, EncodeIndexes({})));
  Result<ScatterGather::Outcome> outcome = sg.Finish();
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.status().ToString() == error.ToString());
  CHECK(outcome.status().position() == 12);
  CHECK(sg.stats().fragments_retried == 0);
}

TEST_CASE("max_attempts_per_chunk bounds how many replicas a chunk is sent to", "[sql][scatter]") {
  const Nodes n = MakeNodes();
  for (size_t attempts : {1, 2, 3}) {
    ScatterGather sg(n.self, {{0, n.self, 10, {n.b, n.c, n.d}}}, Opts(false, attempts));
    std::vector<Fragment> out = sg.Start(kStart);
    std::vector<NodeId> tried;
    while (!out.empty()) {
      REQUIRE(out.size() == 1);
      tried.push_back(out[0].holder);
      out = sg.OnFailure(out[0].request_id, out[0].holder, Status::Unavailable("down"), kStart);
    }
    CHECK(sg.done());
    const std::vector<NodeId> closest_first{n.b, n.c, n.d};
    CHECK(tried == std::vector<NodeId>(closest_first.begin(),
                                       closest_first.begin() + static_cast<long>(attempts)));
  }
}

TEST_CASE(
    "Finished at a query deadline, pending chunks are named as timed out, or left out "
    "when partial answers are allowed",
    "[sql][scatter]") {
  const Nodes n = MakeNodes();
  for (bool allow_partial : {false, true}) {
    ScatterGather sg(n.self, HeldByAll(6, {n.self, n.b}), Opts(allow_partial));
    const std::vector<Fragment> first = sg.Start(kStart);
    AnswerAll(sg, {To(first, n.self)});
    REQUIRE_FALSE(sg.done());
    const Fragment& to_b = To(first, n.b);
    Result<ScatterGather::Outcome> outcome = sg.Finish();
    CHECK(sg.done());
    CHECK_FALSE(sg.OnPartial(to_b.request_id, n.b, EncodeIndexes(to_b.chunks)));
    if (!allow_partial) {
      REQUIRE_FALSE(outcome.ok());
      CHECK(outcome.status().code() == Status::Code::kTimeout);
      CHECK(outcome.status().message().find("still pending") != std::string::npos);
      continue;
    }
    REQUIRE(outcome.ok());
    CHECK(outcome->missing == to_b.chunks);
    CHECK(outcome->rows_covered == 300);
    CHECK(outcome->rows_total == 600);
    CHECK(Coverage(outcome->partials).size() == 3);
  }
}

TEST_CASE("A query with no chunk left to read is done at once", "[sql][scatter]") {
  ScatterGather sg(MakeNodes().self, {}, Opts());
  CHECK(sg.Start(kStart).empty());
  CHECK(sg.done());
  Result<ScatterGather::Outcome> outcome = sg.Finish();
  REQUIRE(outcome.ok());
  CHECK(outcome->partials.empty());
  CHECK(outcome->rows_total == 0);
}

TEST_CASE(
    "Randomised: every chunk is counted exactly once, or the query names exactly the "
    "chunks no replica could scan",
    "[sql][scatter][random]") {
  constexpr int kRuns = 1000;
  size_t complete_runs = 0, failed_runs = 0, retries = 0;
  for (int run = 0; run < kRuns; ++run) {
    Rng rng(1000 + run);
    INFO("run " << run);
    std::vector<NodeId> nodes(5 + rng.Uniform(16));
    std::map<NodeId, Behaviour> behaviour;
    const double failing = 0.1 * static_cast<double>(rng.Uniform(4));  // share of bad holders
    for (NodeId& node : nodes) {
      node = rng.NextId();
      behaviour[node] = !rng.Bernoulli(failing) ? Behaviour::kAnswers
                                                : std::array{Behaviour::kErrors, Behaviour::kSilent,
                                                             Behaviour::kLate}[rng.Uniform(3)];
    }
    const NodeId self = nodes[rng.Uniform(nodes.size())];
    std::vector<ScatterGather::Chunk> chunks(rng.Uniform(41));
    std::vector<size_t> expected_missing;
    uint64_t next_index = 0;
    for (ScatterGather::Chunk& chunk : chunks) {
      chunk.index = next_index += 1 + rng.Uniform(3);
      chunk.id = rng.NextId();
      chunk.rows = rng.Uniform(1000);
      std::vector<NodeId> pool = nodes;
      // 1 to 4 distinct replicas, rarely none
      for (size_t r = rng.Bernoulli(0.01) ? 0 : 1 + rng.Uniform(4); r > 0; --r) {
        const size_t pick = rng.Uniform(pool.size());
        chunk.replicas.push_back(pool[pick]);
        pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(pick));
      }
      if (std::none_of(chunk.replicas.begin(), chunk.replicas.end(),
                       [&](const NodeId& r) { return behaviour[r] == Behaviour::kAnswers; })) {
        expected_missing.push_back(chunk.index);
      }
    }
    const bool allow_partial = rng.Bernoulli(0.5);
    ScatterGather sg(self, chunks, Opts(allow_partial, /*max_attempts=*/4));
    const testing::DriveLog log = testing::DriveToEnd(
        sg, behaviour, [](const Fragment& f) -> Result<Bytes> { return EncodeIndexes(f.chunks); },
        kTimeout, rng);

    std::set<NodeId> first_holders;
    for (const Fragment& f : log.first) CHECK(first_holders.insert(f.holder).second);
    CHECK(sg.stats().fragments_sent == log.sent.size());
    retries += sg.stats().fragments_retried;
    CHECK(sg.MissingChunks() == expected_missing);
    Result<ScatterGather::Outcome> outcome = sg.Finish();
    if (!expected_missing.empty() && !allow_partial) {
      ++failed_runs;
      REQUIRE_FALSE(outcome.ok());
      CHECK(outcome.status().code() == Status::Code::kUnavailable);
      for (const ScatterGather::Chunk& chunk : chunks) {
        if (chunk.index == expected_missing[0]) {
          CHECK(outcome.status().message().find(chunk.id.ToHex()) != std::string::npos);
        }
      }
      continue;
    }
    REQUIRE(outcome.ok());
    complete_runs += expected_missing.empty();
    CHECK(outcome->missing == expected_missing);
    const std::map<size_t, size_t> times = Coverage(outcome->partials);
    uint64_t rows_covered = 0, rows_total = 0;
    for (const ScatterGather::Chunk& chunk : chunks) {
      rows_total += chunk.rows;
      const bool missing =
          std::binary_search(expected_missing.begin(), expected_missing.end(), chunk.index);
      CHECK(times.count(chunk.index) == (missing ? 0 : 1));
      if (!missing) {
        CHECK(times.at(chunk.index) == 1);
        rows_covered += chunk.rows;
      }
    }
    CHECK(times.size() == chunks.size() - expected_missing.size());
    CHECK(outcome->partials.size() == log.accepted.size());
    CHECK(outcome->rows_covered == rows_covered);
    CHECK(outcome->rows_total == rows_total);
  }
  // The runs exercised what they are meant to.
  CHECK(complete_runs > 200);
  CHECK(failed_runs > 100);
  CHECK(retries > 500);
}

}  // namespace
}  // namespace lake::sql
