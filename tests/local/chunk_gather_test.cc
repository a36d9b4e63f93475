// ChunkGather: which node is asked for which chunk, what is accepted, and when it ends.
#include "local/chunk_gather.h"

#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/hash.h"
#include "common/rng.h"
#include "dht/placement.h"
#include "store/catalog.h"
#include "tests/support/import_text.h"
#include "tests/support/rechunk.h"

namespace lake::local {
namespace {

using Ask = ChunkGather::Ask;

NodeId NodeNumbered(int i) { return Blake2b256(AsBytes("node " + std::to_string(i))); }

// Real chunks (a chunk's shape is checked): a table cut into many.
std::map<ChunkId, Bytes> SomeChunks() {
  store::MemChunkStore source;
  std::string csv = "k,v\n";
  for (int i = 0; i < 400; ++i) csv += std::to_string(i) + ",x" + std::to_string(i % 7) + "\n";
  testing::ImportText(source, "t", csv);
  Rng rng(3);
  testing::Rechunk(source, "t", 30, rng);
  Result<std::optional<store::Manifest>> manifest = store::LoadManifest(source, "t");
  REQUIRE(manifest.ok());
  REQUIRE(manifest->has_value());
  std::map<ChunkId, Bytes> chunks;
  for (const store::ChunkRef& ref : (**manifest).chunks) {
    chunks[ref.id] = *source.GetChunk(ref.id);
  }
  REQUIRE(chunks.size() > 10);
  return chunks;
}

std::vector<ChunkId> IdsOf(const std::map<ChunkId, Bytes>& chunks) {
  std::vector<ChunkId> ids;
  for (const auto& [id, bytes] : chunks) ids.push_back(id);
  return ids;
}

TEST_CASE("A gather asks each chunk's closest other node, a window of chunks at a time",
          "[local][chunk_gather]") {
  const std::map<ChunkId, Bytes> chunks = SomeChunks();
  std::vector<NodeId> live;
  for (int i = 0; i < 8; ++i) live.push_back(NodeNumbered(i));
  const NodeId self = live[0];
  ChunkGather gather(IdsOf(chunks), live, self, /*replication=*/2, /*window=*/3);

  std::vector<Ask> outstanding = gather.Start();
  CHECK(outstanding.size() == 3);
  size_t answered = 0;
  while (!outstanding.empty()) {
    CHECK(outstanding.size() <= 3);
    const Ask ask = outstanding.front();
    outstanding.erase(outstanding.begin());
    // The closest node to the chunk other than this one.
    std::vector<NodeId> closest = dht::ClosestNodes(ask.chunk, live, 2);
    std::erase(closest, self);
    CHECK(ask.node == closest.front());
    CHECK_FALSE(gather.finished());
    for (const Ask& next : gather.OnAnswer(ask.chunk, ask.node, &chunks.at(ask.chunk))) {
      outstanding.push_back(next);
    }
    ++answered;
  }
  CHECK(answered == chunks.size());
  REQUIRE(gather.finished());
  CHECK(gather.status().ok());
  for (const auto& [id, bytes] : chunks) CHECK(*gather.chunks()->GetChunk(id) == bytes);
}

TEST_CASE("A gather asks the next node when one gives nothing, forged bytes or no chunk",
          "[local][chunk_gather]") {
  const std::map<ChunkId, Bytes> chunks = SomeChunks();
  const ChunkId chunk = chunks.begin()->first;
  const Bytes& good = chunks.begin()->second;
  std::vector<NodeId> live;
  for (int i = 0; i < 10; ++i) live.push_back(NodeNumbered(i));
  const std::vector<NodeId> order = dht::ClosestNodes(chunk, live, 4);
  // This node is the second closest: it is never asked, and the 4 = 2R sources follow it.
  ChunkGather gather({chunk}, live, order[1], /*replication=*/2, /*window=*/4);

  std::vector<Ask> asks = gather.Start();
  REQUIRE(asks.size() == 1);
  CHECK(asks[0].node == order[0]);
  asks = gather.OnAnswer(chunk, order[0], nullptr);  // an error, a timeout, a closed session
  REQUIRE(asks.size() == 1);
  CHECK(asks[0].node == order[2]);
  Bytes forged = good;
  forged.back() ^= 1;
  // Late answers, and answers from nodes not asked, change nothing.
  CHECK(gather.OnAnswer(chunk, order[0], &good).empty());
  CHECK(gather.OnAnswer(chunk, order[3], &good).empty());
  CHECK_FALSE(gather.finished());
  asks = gather.OnAnswer(chunk, order[2], &forged);  // fails its id
  REQUIRE(asks.size() == 1);
  CHECK(asks[0].node == order[3]);
  // Bytes that hash to the id but are no chunk: the id is of those bytes, not of a chunk.
  const std::string text = "not a chunk";
  const Bytes junk(text.begin(), text.end());
  ChunkGather shape({Blake2b256(junk)}, live, order[1], 2, 4);
  const std::vector<Ask> first = shape.Start();
  REQUIRE(first.size() == 1);
  CHECK(shape.OnAnswer(first[0].chunk, first[0].node, &junk).size() == 1);

  CHECK(gather.OnAnswer(chunk, order[3], &good).empty());
  REQUIRE(gather.finished());
  CHECK(gather.status().ok());
  CHECK(*gather.chunks()->GetChunk(chunk) == good);
}

TEST_CASE("A gather fails naming the chunk no node gave, and then ignores every answer",
          "[local][chunk_gather]") {
  const std::map<ChunkId, Bytes> chunks = SomeChunks();
  std::vector<NodeId> live;
  for (int i = 0; i < 3; ++i) live.push_back(NodeNumbered(i));
  // R = 3 on 3 nodes: each chunk has the 2 other nodes as its sources.
  ChunkGather gather(IdsOf(chunks), live, live[0], /*replication=*/3, /*window=*/2);
  std::vector<Ask> asks = gather.Start();
  REQUIRE(asks.size() == 2);
  const Ask doomed = asks[0];
  const Ask other = asks[1];
  const std::vector<Ask> next = gather.OnAnswer(doomed.chunk, doomed.node, nullptr);
  REQUIRE(next.size() == 1);
  CHECK(next[0].node != doomed.node);
  CHECK(gather.OnAnswer(doomed.chunk, next[0].node, nullptr).empty());
  REQUIRE(gather.finished());
  CHECK(gather.status().code() == Status::Code::kUnavailable);
  CHECK(gather.status().message().find(doomed.chunk.ShortHex()) != std::string::npos);
  CHECK(gather.OnAnswer(other.chunk, other.node, &chunks.at(other.chunk)).empty());
  CHECK(gather.chunks()->Stats().chunks == 0);
}

TEST_CASE("A gather of nothing is finished at once; one with no other node fails at once",
          "[local][chunk_gather]") {
  const NodeId self = NodeNumbered(0);
  ChunkGather nothing({}, {self}, self, 3, 4);
  CHECK(nothing.Start().empty());
  CHECK(nothing.finished());
  CHECK(nothing.status().ok());
  ChunkGather alone({Blake2b256(AsBytes("c"))}, {self}, self, 3, 4);
  CHECK(alone.Start().empty());
  CHECK(alone.finished());
  CHECK(alone.status().code() == Status::Code::kUnavailable);
}

TEST_CASE("A gather takes what the node's cache of fetched chunks holds, and adds what it fetches",
          "[local][chunk_gather]") {
  const std::map<ChunkId, Bytes> chunks = SomeChunks();
  std::vector<NodeId> live;
  for (int i = 0; i < 5; ++i) live.push_back(NodeNumbered(i));
  FetchedChunks cache(size_t{1} << 20);
  const std::vector<ChunkId> ids = IdsOf(chunks);
  // The first half fetched once, through the cache.
  const std::vector<ChunkId> half(ids.begin(), ids.begin() + static_cast<long>(ids.size() / 2));
  ChunkGather first(half, live, live[0], 2, 4, &cache);
  std::vector<Ask> outstanding = first.Start();
  while (!outstanding.empty()) {
    const Ask ask = outstanding.back();
    outstanding.pop_back();
    for (const Ask& next : first.OnAnswer(ask.chunk, ask.node, &chunks.at(ask.chunk))) {
      outstanding.push_back(next);
    }
  }
  REQUIRE(first.finished());
  CHECK(cache.entries() == half.size());

  // Every chunk: only those not cached are asked for, and all of them end up gathered.
  ChunkGather second(ids, live, live[0], 2, 4, &cache);
  std::set<ChunkId> asked;
  outstanding = second.Start();
  while (!outstanding.empty()) {
    const Ask ask = outstanding.back();
    outstanding.pop_back();
    asked.insert(ask.chunk);
    for (const Ask& next : second.OnAnswer(ask.chunk, ask.node, &chunks.at(ask.chunk))) {
      outstanding.push_back(next);
    }
  }
  REQUIRE(second.finished());
  CHECK(second.status().ok());
  CHECK(asked.size() == ids.size() - half.size());
  for (const ChunkId& id : half) CHECK_FALSE(asked.count(id));
  for (const auto& [id, bytes] : chunks) CHECK(*second.chunks()->GetChunk(id) == bytes);

  // Now all are cached: a third gather is done before it asks anyone.
  ChunkGather third(ids, live, live[0], 2, 4, &cache);
  CHECK(third.Start().empty());
  CHECK(third.finished());
  CHECK(third.status().ok());

  // Forged bytes are never cached: a chunk some node forged is asked of the next one.
  FetchedChunks clean(size_t{1} << 20);
  ChunkGather forged({ids[0]}, live, live[0], 2, 4, &clean);
  const std::vector<Ask> asks = forged.Start();
  REQUIRE(asks.size() == 1);
  Bytes bad = chunks.at(ids[0]);
  bad[bad.size() / 2] ^= 1;
  CHECK(forged.OnAnswer(ids[0], asks[0].node, &bad).size() == 1);
  CHECK(clean.entries() == 0);
}

}  // namespace
}  // namespace lake::local
