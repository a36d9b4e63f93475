// LayeredChunkStore: a query's gathered chunks read beside the node's own, neither changed.
#include "store/layered_chunk_store.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "common/hash.h"
#include "store/mem_chunk_store.h"

namespace lake::store {
namespace {

Bytes Text(const std::string& s) { return Bytes(s.begin(), s.end()); }

TEST_CASE("A layered store reads each chunk from the store that has it, the top one first",
          "[store][layered]") {
  MemChunkStore top, base;
  const Bytes only_top = Text("held by the query"), only_base = Text("held by the node"),
              both = Text("held by both");
  REQUIRE(top.PutChunk(Blake2b256(only_top), only_top).ok());
  REQUIRE(top.PutChunk(Blake2b256(both), both).ok());
  REQUIRE(base.PutChunk(Blake2b256(only_base), only_base).ok());
  REQUIRE(base.PutChunk(Blake2b256(both), both).ok());
  REQUIRE(base.PutRecord("manifest/t", Text("m")).ok());
  REQUIRE(top.PutRecord("manifest/u", Text("not seen")).ok());
  const LayeredChunkStore layered(top, base);

  CHECK(*layered.GetChunk(Blake2b256(only_top)) == only_top);
  CHECK(*layered.GetChunk(Blake2b256(only_base)) == only_base);
  CHECK(*layered.GetChunk(Blake2b256(both)) == both);
  CHECK(*layered.HasChunk(Blake2b256(only_top)));
  CHECK(*layered.HasChunk(Blake2b256(only_base)));
  const ChunkId absent = Blake2b256(Text("nobody's"));
  CHECK_FALSE(*layered.HasChunk(absent));
  CHECK(layered.GetChunk(absent).status().IsNotFound());

  std::vector<ChunkId> expected{Blake2b256(only_top), Blake2b256(only_base), Blake2b256(both)};
  std::sort(expected.begin(), expected.end());
  CHECK(*layered.ListChunks() == expected);
  // Records are the node's own: the query's store has none that count.
  CHECK(*layered.GetRecord("manifest/t") == Text("m"));
  CHECK(layered.GetRecord("manifest/u").status().IsNotFound());
  CHECK(layered.ScanRecords("manifest/")->size() == 1);
}

TEST_CASE("A layered store refuses writes and leaves both stores as they were",
          "[store][layered]") {
  MemChunkStore top, base;
  LayeredChunkStore layered(top, base);
  const Bytes bytes = Text("x");
  const Status put = layered.PutChunk(Blake2b256(bytes), bytes);
  CHECK(put.code() == Status::Code::kUnsupported);
  CHECK(top.Stats().chunks == 0);
  CHECK(base.Stats().chunks == 0);
}

}  // namespace
}  // namespace lake::store
