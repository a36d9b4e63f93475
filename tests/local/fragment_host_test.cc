// FragmentHost: a holder answers a fragment over the pinned version exactly as the engine over
// the whole dataset would for those chunks; it answers NotFound when it lacks the version or a
// chunk (so the planner tries another replica), Corruption for a malformed request, and stops
// when its query is cancelled.
#include "local/fragment_host.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <string>

#include "common/hash.h"
#include "common/task_runner.h"
#include "local/network_catalog.h"
#include "local/store_table_provider.h"
#include "sql/engine.h"
#include "sql/fragment_codec.h"
#include "store/catalog.h"
#include "store/mem_chunk_store.h"
#include "tests/support/import_text.h"

namespace lake::local {
namespace {

std::string NumbersCsv(int rows) {
  std::string csv = "id,grp\n";
  for (int i = 0; i < rows; ++i) csv += std::to_string(i) + "," + std::to_string(i % 7) + "\n";
  return csv;
}

struct Holder {
  store::MemChunkStore store;
  store::Manifest manifest;
  Id manifest_id;
  InlineTaskRunner runner;

  Holder() {
    testing::ImportText(store, "numbers", NumbersCsv(20000), 4096);
    Result<std::optional<store::Manifest>> loaded = store::LoadManifest(store, "numbers");
    REQUIRE(loaded.ok());
    REQUIRE(loaded->has_value());
    manifest = **loaded;
    REQUIRE(manifest.chunks.size() >= 4);
    const Bytes encoded = store::EncodeManifest(manifest);
    manifest_id = Blake2b256(encoded);
    REQUIRE(NetworkCatalog(store).PutManifestObject(manifest_id, encoded).ok());
  }

  Bytes Request(const std::string& sql, std::vector<uint64_t> chunks) {
    return sql::EncodeFragmentRequest(sql::FragmentRequest{sql, std::move(chunks)});
  }
};

const char kSql[] = "SELECT grp, COUNT(*), SUM(id) FROM numbers GROUP BY grp ORDER BY grp";

TEST_CASE("A holder's fragment over the pinned version merges to the engine's answer",
          "[local][fragment_host]") {
  Holder holder;
  FragmentHost host(holder.store, nullptr, &holder.runner);
  std::vector<Bytes> partials;
  for (uint64_t chunk = 0; chunk < holder.manifest.chunks.size(); ++chunk) {
    Result<Bytes> partial = host.Run(holder.manifest_id, holder.Request(kSql, {chunk}), nullptr);
    REQUIRE(partial.ok());
    partials.push_back(*partial);
  }
  StoreTableProvider tables(holder.store);
  REQUIRE(tables.Refresh().ok());
  sql::Engine engine(tables, &holder.runner);
  Result<sql::QueryResult> merged = engine.MergeFragments(kSql, partials);
  Result<std::vector<sql::QueryResult>> whole = engine.Run(kSql);
  REQUIRE(merged.ok());
  REQUIRE(whole.ok());
  CHECK(merged->rows == whole->back().rows);
  CHECK(merged->chunks_scanned == holder.manifest.chunks.size());
}

TEST_CASE("A holder lacking the version or a chunk answers NotFound before scanning",
          "[local][fragment_host]") {
  Holder holder;
  FragmentHost host(holder.store, nullptr, &holder.runner);
  const Bytes other{1, 2, 3};
  const Id unknown = Blake2b256(other);
  Result<Bytes> no_version = host.Run(unknown, holder.Request(kSql, {0}), nullptr);
  CHECK(no_version.status().IsNotFound());

  const ChunkId missing = holder.manifest.chunks[1].id;
  REQUIRE(holder.store.DeleteChunk(missing).ok());
  Result<Bytes> no_chunk = host.Run(holder.manifest_id, holder.Request(kSql, {0, 1}), nullptr);
  CHECK(no_chunk.status().IsNotFound());
  CHECK(no_chunk.status().message().find(missing.ToHex()) != std::string::npos);
  CHECK(host.Run(holder.manifest_id, holder.Request(kSql, {0, 2}), nullptr).ok());
}

TEST_CASE("A malformed fragment request is Corruption, never a statement error",
          "[local][fragment_host]") {
  Holder holder;
  FragmentHost host(holder.store, nullptr, &holder.runner);
  const Bytes garbage{0x93, 0x01, 0xff};
  CHECK(host.Run(holder.manifest_id, garbage, nullptr).status().IsCorruption());
  const uint64_t past_end = holder.manifest.chunks.size();
  CHECK(host.Run(holder.manifest_id, holder.Request(kSql, {past_end}), nullptr)
            .status()
            .IsCorruption());
  // The statement's own error stays InvalidArgument: the same on every replica.
  CHECK(host.Run(holder.manifest_id, holder.Request("SELECT nope FROM numbers", {0}), nullptr)
            .status()
            .IsInvalidArgument());
}

TEST_CASE("A cancelled fragment stops with Timeout", "[local][fragment_host]") {
  Holder holder;
  FragmentHost host(holder.store, nullptr, &holder.runner);
  std::atomic<bool> cancel{true};
  Result<Bytes> partial = host.Run(holder.manifest_id, holder.Request(kSql, {0, 1, 2}), &cancel);
  CHECK(partial.status().code() == Status::Code::kTimeout);
}

}  // namespace
}  // namespace lake::local
