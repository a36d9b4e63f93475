// NetworkCatalog over an in-memory store: adopting pointers (newer only, tombstones, chunks of
// replaced versions deleted unless shared), refusing manifests that do not match their pointer,
// choosing what to adopt from and offer to a peer, and committing an upload unless a newer
// pointer arrived meanwhile.
#include "local/network_catalog.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/hash.h"
#include "common/task_runner.h"
#include "local/local_engine.h"
#include "store/catalog.h"
#include "store/mem_chunk_store.h"
#include "tests/support/import_text.h"

namespace lake::local {
namespace {

using dht::DatasetPointer;

dht::Identity TestIdentity(uint8_t fill) {
  dht::Identity::Seed seed;
  seed.fill(fill);
  return dht::Identity(seed);
}

// The manifest of `csv` imported as `name` into a scratch store; its chunks are copied into
// `chunks_to` when given (a node holds chunks placed on it, not necessarily all).
store::Manifest ManifestOf(const std::string& name, const std::string& csv,
                           store::ChunkStore* chunks_to) {
  store::MemChunkStore scratch;
  testing::ImportText(scratch, name, csv);
  Result<std::optional<store::Manifest>> manifest = store::LoadManifest(scratch, name);
  REQUIRE(manifest.ok());
  REQUIRE(manifest->has_value());
  if (chunks_to != nullptr) {
    for (const store::ChunkRef& ref : (*manifest)->chunks) {
      REQUIRE(chunks_to->PutChunk(ref.id, *scratch.GetChunk(ref.id)).ok());
    }
  }
  return **manifest;
}

// One published version: the manifest as a peer would send it and its signed pointer.
struct Version {
  store::Manifest manifest;
  Bytes encoded;
  DatasetPointer pointer;
};

Version Publish(const dht::Identity& by, store::Manifest manifest, uint64_t version) {
  manifest.version = version;
  Version v{manifest, store::EncodeManifest(manifest), {}};
  v.pointer =
      dht::SignDatasetPointer(by, manifest.name, version, Blake2b256(v.encoded), false, 1'000'000);
  return v;
}

// NetworkCatalog::Adopt, which must not fail: whether it adopted.
bool Adopt(NetworkCatalog& catalog, const DatasetPointer& pointer, const Bytes* manifest) {
  Result<bool> adopted = catalog.Adopt(pointer, manifest);
  INFO(pointer.name << " v" << pointer.version << ": " << adopted.status().ToString());
  REQUIRE(adopted.ok());
  return *adopted;
}

// Everything a store holds, to show that a refused call changed nothing.
struct Snapshot {
  std::vector<std::pair<std::string, Bytes>> records;
  std::vector<ChunkId> chunks;
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};
Snapshot Take(const store::ChunkStore& store) {
  return Snapshot{*store.ScanRecords(""), *store.ListChunks()};
}

std::vector<std::vector<sql::Value>> Rows(LocalEngine& engine, const std::string& query) {
  auto result = engine.engine().Run(query);
  INFO(query << ": " << result.status().ToString());
  REQUIRE(result.ok());
  return result->back().rows;
}

const std::string kCsvV1 = "x,label\n1,a\n2,b\n3,c\n";
const std::string kCsvV2 = "x,label\n10,j\n20,k\n";

TEST_CASE("An adopted pointer makes its dataset listed and queryable", "[local][catalog]") {
  const dht::Identity uploader = TestIdentity(1);
  store::MemChunkStore node;
  NetworkCatalog catalog(node);
  const Version v1 = Publish(uploader, ManifestOf("sales", kCsvV1, &node), 1);

  Result<bool> adopted = catalog.Adopt(v1.pointer, &v1.encoded);
  REQUIRE(adopted.ok());
  CHECK(*adopted);
  Result<std::vector<store::Manifest>> listed = store::ListManifests(node);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK(listed->front() == v1.manifest);
  CHECK(catalog.Pointer("sales")->value() == v1.pointer);
  CHECK(*catalog.Pointers() == std::vector<DatasetPointer>{v1.pointer});
  CHECK(catalog.ManifestObject(v1.pointer.manifest_id)->value() == v1.encoded);

  // The engine over this store answers as it does over the CSV imported locally.
  store::MemChunkStore reference;
  testing::ImportText(reference, "sales", kCsvV1);
  LocalEngine adopted_engine(LocalEngineOptions{});
  LocalEngine local_engine(LocalEngineOptions{});
  REQUIRE(adopted_engine.AttachStore(node).ok());
  REQUIRE(local_engine.AttachStore(reference).ok());
  const std::string query = "SELECT COUNT(*), SUM(x), MAX(label) FROM sales";
  CHECK(Rows(adopted_engine, query) == Rows(local_engine, query));
}

TEST_CASE("Only a pointer that supersedes ours is adopted", "[local][catalog]") {
  const dht::Identity a = TestIdentity(2);
  const dht::Identity b = TestIdentity(3);
  store::MemChunkStore node;
  NetworkCatalog catalog(node);
  const store::Manifest m1 = ManifestOf("t", kCsvV1, &node);
  const store::Manifest m2 = ManifestOf("t", kCsvV2, &node);
  const Version v1 = Publish(a, m1, 1);
  const Version v2 = Publish(a, m2, 2);
  REQUIRE(Adopt(catalog, v2.pointer, &v2.encoded));
  const Snapshot after_v2 = Take(node);

  CHECK_FALSE(Adopt(catalog, v1.pointer, &v1.encoded));  // older
  CHECK_FALSE(Adopt(catalog, v2.pointer, &v2.encoded));  // the same
  // The same version signed by another node: equal, so not adopted either.
  DatasetPointer same = dht::SignDatasetPointer(b, "t", 2, v2.pointer.manifest_id, false, 5);
  CHECK_FALSE(Adopt(catalog, same, &v2.encoded));
  CHECK(Take(node) == after_v2);

  // The same version with another manifest: the higher manifest id wins, on every node.
  store::Manifest other = m1;
  other.created_at_us += 1;
  const Version rival = Publish(b, other, 2);
  REQUIRE(rival.pointer.manifest_id != v2.pointer.manifest_id);
  const bool rival_wins = v2.pointer.manifest_id < rival.pointer.manifest_id;
  CHECK(Adopt(catalog, rival.pointer, &rival.encoded) == rival_wins);
  CHECK(catalog.Pointer("t")->value() == (rival_wins ? rival.pointer : v2.pointer));
}

TEST_CASE("A tombstone removes the dataset, its chunks and its manifest", "[local][catalog]") {
  const dht::Identity uploader = TestIdentity(4);
  store::MemChunkStore node;
  NetworkCatalog catalog(node);
  const Version v1 = Publish(uploader, ManifestOf("gone", kCsvV1, &node), 1);
  const Version kept = Publish(uploader, ManifestOf("kept", kCsvV2, &node), 1);
  REQUIRE(Adopt(catalog, v1.pointer, &v1.encoded));
  REQUIRE(Adopt(catalog, kept.pointer, &kept.encoded));
  REQUIRE(node.Stats().chunks == v1.manifest.chunks.size() + kept.manifest.chunks.size());

  const DatasetPointer tombstone = dht::SignDatasetPointer(uploader, "gone", 2, Id(), true, 9);
  REQUIRE(Adopt(catalog, tombstone, nullptr));
  CHECK_FALSE(store::LoadManifest(node, "gone")->has_value());
  CHECK(node.Stats().chunks == kept.manifest.chunks.size());
  for (const store::ChunkRef& ref : v1.manifest.chunks) CHECK_FALSE(*node.HasChunk(ref.id));
  CHECK_FALSE(catalog.ManifestObject(v1.pointer.manifest_id)->has_value());
  CHECK(catalog.Pointer("gone")->value() == tombstone);  // remembered, so v1 stays dead
  CHECK(store::LoadManifest(node, "kept")->has_value());

  CHECK_FALSE(Adopt(catalog, v1.pointer, &v1.encoded));
  CHECK_FALSE(store::LoadManifest(node, "gone")->has_value());
  // A later version brings the name back.
  const Version v3 = Publish(uploader, ManifestOf("gone", kCsvV2, &node), 3);
  REQUIRE(Adopt(catalog, v3.pointer, &v3.encoded));
  CHECK(store::LoadManifest(node, "gone")->value() == v3.manifest);
}

TEST_CASE("A new version deletes chunks only the old one used, keeping shared ones",
          "[local][catalog]") {
  const dht::Identity uploader = TestIdentity(5);
  store::MemChunkStore node;
  NetworkCatalog catalog(node);
  // "shared" is its own dataset; version 1 of "a" holds its chunks plus chunks of its own.
  const Version shared = Publish(uploader, ManifestOf("shared", kCsvV1, &node), 1);
  const store::Manifest own = ManifestOf("a", "x,label\n7,q\n8,r\n", &node);
  store::Manifest a1 = own;
  a1.chunks = shared.manifest.chunks;
  a1.chunks.insert(a1.chunks.end(), own.chunks.begin(), own.chunks.end());
  a1.total_rows = shared.manifest.total_rows + own.total_rows;
  a1.total_bytes = shared.manifest.total_bytes + own.total_bytes;
  const Version v1 = Publish(uploader, a1, 1);
  REQUIRE(store::DecodeManifest(v1.encoded).ok());
  REQUIRE(Adopt(catalog, shared.pointer, &shared.encoded));
  REQUIRE(Adopt(catalog, v1.pointer, &v1.encoded));

  const Version v2 = Publish(uploader, ManifestOf("a", kCsvV2, &node), 2);
  REQUIRE(Adopt(catalog, v2.pointer, &v2.encoded));
  for (const store::ChunkRef& ref : shared.manifest.chunks) CHECK(*node.HasChunk(ref.id));
  for (const store::ChunkRef& ref : own.chunks) CHECK_FALSE(*node.HasChunk(ref.id));
  for (const store::ChunkRef& ref : v2.manifest.chunks) CHECK(*node.HasChunk(ref.id));
  CHECK(node.Stats().chunks == shared.manifest.chunks.size() + v2.manifest.chunks.size());
  CHECK_FALSE(catalog.ManifestObject(v1.pointer.manifest_id)->has_value());
  CHECK(catalog.ManifestObject(v2.pointer.manifest_id)->value() == v2.encoded);

  LocalEngine engine(LocalEngineOptions{});
  REQUIRE(engine.AttachStore(node).ok());
  store::MemChunkStore reference;
  testing::ImportText(reference, "a", kCsvV2);
  testing::ImportText(reference, "shared", kCsvV1);
  LocalEngine expected(LocalEngineOptions{});
  REQUIRE(expected.AttachStore(reference).ok());
  for (const std::string query : {"SELECT SUM(x), COUNT(*) FROM a", "SELECT SUM(x) FROM shared"}) {
    CHECK(Rows(engine, query) == Rows(expected, query));
  }
}

TEST_CASE("A manifest that does not match its pointer is Corruption and changes nothing",
          "[local][catalog]") {
  const dht::Identity uploader = TestIdentity(6);
  store::MemChunkStore node;
  NetworkCatalog catalog(node);
  const Version v1 = Publish(uploader, ManifestOf("m", kCsvV1, &node), 1);
  REQUIRE(Adopt(catalog, v1.pointer, &v1.encoded));
  const Version v2 = Publish(uploader, ManifestOf("m", kCsvV2, &node), 2);
  const Snapshot with_v2_chunks = Take(node);

  const auto expect_refused = [&](const DatasetPointer& pointer, const Bytes* manifest) {
    Result<bool> adopted = catalog.Adopt(pointer, manifest);
    REQUIRE_FALSE(adopted.ok());
    CHECK(adopted.status().IsCorruption());
    CHECK(Take(node) == with_v2_chunks);
  };
  SECTION("other bytes than the pointer's manifest id") { expect_refused(v2.pointer, &v1.encoded); }
  SECTION("no manifest for a live pointer") { expect_refused(v2.pointer, nullptr); }
  SECTION("a manifest naming another dataset") {
    store::Manifest renamed = v2.manifest;
    renamed.name = "n";
    const Bytes encoded = store::EncodeManifest(renamed);
    const DatasetPointer pointer =
        dht::SignDatasetPointer(uploader, "m", 2, Blake2b256(encoded), false, 0);
    expect_refused(pointer, &encoded);
  }
  SECTION("a manifest of another version") {
    const DatasetPointer pointer =
        dht::SignDatasetPointer(uploader, "m", 3, v2.pointer.manifest_id, false, 0);
    expect_refused(pointer, &v2.encoded);
  }
  SECTION("bytes that hash to the pointer's id but are no manifest") {
    const Bytes junk{1, 2, 3};
    const DatasetPointer pointer =
        dht::SignDatasetPointer(uploader, "m", 2, Blake2b256(junk), false, 0);
    expect_refused(pointer, &junk);
  }
}

TEST_CASE("A pointer whose name is no valid dataset name is refused", "[local][catalog]") {
  // Names reach the SQL catalog and the store's record keys: a peer must not choose them freely.
  const dht::Identity peer = TestIdentity(12);
  store::MemChunkStore node;
  NetworkCatalog catalog(node);
  const store::Manifest base = ManifestOf("ok", kCsvV1, &node);
  const Snapshot before = Take(node);
  for (const std::string name : {"", "has space", "9lives", "x;drop", "a/b", "\xff"}) {
    INFO("name '" << name << "'");
    store::Manifest m = base;
    m.name = name;
    const Version v = Publish(peer, m, 1);
    Result<bool> adopted = catalog.Adopt(v.pointer, &v.encoded);
    CHECK_FALSE(adopted.ok());
    const DatasetPointer tombstone = dht::SignDatasetPointer(peer, name, 2, Id(), true, 0);
    CHECK_FALSE(catalog.Adopt(tombstone, nullptr).ok());
    CHECK(Take(node) == before);
  }
  // Control: the same manifest under its valid name is adopted.
  const Version ok = Publish(peer, base, 1);
  CHECK(Adopt(catalog, ok.pointer, &ok.encoded));
}

TEST_CASE("PutManifestObject stores only bytes that hash to the id and decode",
          "[local][catalog]") {
  store::MemChunkStore node;
  NetworkCatalog catalog(node);
  const Version v = Publish(TestIdentity(7), ManifestOf("p", kCsvV1, nullptr), 4);
  CHECK(catalog.PutManifestObject(Blake2b256(Bytes{9}), v.encoded).IsCorruption());
  const Bytes junk{0x81, 0xa1, 'v', 0x01};
  CHECK(catalog.PutManifestObject(Blake2b256(junk), junk).IsCorruption());
  CHECK(node.Stats().records == 0);
  REQUIRE(catalog.PutManifestObject(v.pointer.manifest_id, v.encoded).ok());
  CHECK(catalog.ManifestObject(v.pointer.manifest_id)->value() == v.encoded);
  CHECK_FALSE(store::LoadManifest(node, "p")->has_value());  // held, not adopted
}

TEST_CASE("ToAdopt and ToOffer pick exactly the newer and the missing pointers",
          "[local][catalog]") {
  const dht::Identity me = TestIdentity(8);
  const dht::Identity peer = TestIdentity(9);
  store::MemChunkStore node;
  NetworkCatalog catalog(node);
  const store::Manifest base = ManifestOf("a", kCsvV1, nullptr);
  const auto version = [&](const dht::Identity& by, const std::string& name, uint64_t v) {
    store::Manifest m = base;
    m.name = name;
    return Publish(by, m, v);
  };
  // Ours: a v2, b v1, c deleted at v3, f v1.
  const Version a2 = version(me, "a", 2), b1 = version(me, "b", 1), f1 = version(me, "f", 1);
  const DatasetPointer c3 = dht::SignDatasetPointer(me, "c", 3, Id(), true, 0);
  for (const Version* v : {&a2, &b1, &f1}) REQUIRE(Adopt(catalog, v->pointer, &v->encoded));
  REQUIRE(Adopt(catalog, c3, nullptr));

  // Theirs: a v1, b v2, c deleted at v3 too, d v1, and e twice (v1 and v2).
  const Version a1 = version(peer, "a", 1), b2 = version(peer, "b", 2), d1 = version(peer, "d", 1);
  const Version e1 = version(peer, "e", 1), e2 = version(peer, "e", 2);
  const DatasetPointer their_c3 = dht::SignDatasetPointer(peer, "c", 3, Id(), true, 0);
  const std::vector<DatasetPointer> theirs{a1.pointer, e2.pointer, b2.pointer,
                                           their_c3,   d1.pointer, e1.pointer};

  const auto names = [](const std::vector<DatasetPointer>& pointers) {
    std::set<std::pair<std::string, uint64_t>> out;
    for (const DatasetPointer& p : pointers) out.emplace(p.name, p.version);
    return out;
  };
  Result<std::vector<DatasetPointer>> adopt = catalog.ToAdopt(theirs);
  REQUIRE(adopt.ok());
  CHECK(adopt->size() == 3);
  CHECK(names(*adopt) == std::set<std::pair<std::string, uint64_t>>{{"b", 2}, {"d", 1}, {"e", 2}});
  Result<std::vector<DatasetPointer>> offer = catalog.ToOffer(theirs);
  REQUIRE(offer.ok());
  CHECK(offer->size() == 2);
  CHECK(names(*offer) == std::set<std::pair<std::string, uint64_t>>{{"a", 2}, {"f", 1}});
  // Against an empty catalog: nothing to adopt, everything to offer.
  CHECK(catalog.ToAdopt({})->empty());
  CHECK(catalog.ToOffer({})->size() == 4);
  // A page of a catalog covering names [b, f) gets offers in that range alone.
  Result<std::vector<DatasetPointer>> page = catalog.ToOffer({}, {"b", "f"});
  REQUIRE(page.ok());
  CHECK(names(*page) == std::set<std::pair<std::string, uint64_t>>{{"b", 1}, {"c", 3}});
  CHECK(names(*catalog.ToOffer({}, {"c", ""})) ==
        std::set<std::pair<std::string, uint64_t>>{{"c", 3}, {"f", 1}});
}

TEST_CASE("CommitUpload publishes a staged import unless a newer pointer arrived",
          "[local][catalog]") {
  const dht::Identity me = TestIdentity(10);
  const dht::Identity other = TestIdentity(11);
  store::MemChunkStore node;
  NetworkCatalog catalog(node);
  ManualClock clock(FromMicros(5'000'000));
  InlineTaskRunner runner;
  store::ImportOptions options;
  options.name = "up";
  store::ImportEnv env;
  env.clock = &clock;
  env.runner = &runner;
  Result<store::StagedImport> staged =
      store::StageCsv(node, store::MemorySource(kCsvV2), options, env);
  REQUIRE(staged.ok());
  store::Manifest manifest = staged->manifest;
  manifest.version = 2;
  const Bytes encoded = store::EncodeManifest(manifest);
  const DatasetPointer mine = dht::SignDatasetPointer(me, "up", 2, Blake2b256(encoded), false, 0);

  SECTION("nothing newer: the dataset, its pointer and its manifest object appear at once") {
    const Version theirs1 = Publish(other, ManifestOf("up", kCsvV1, &node), 1);
    REQUIRE(Adopt(catalog, theirs1.pointer, &theirs1.encoded));
    REQUIRE(catalog.CommitUpload(*staged, manifest, encoded, mine).ok());
    CHECK(store::LoadManifest(node, "up")->value() == manifest);
    CHECK(catalog.Pointer("up")->value() == mine);
    CHECK(catalog.ManifestObject(mine.manifest_id)->value() == encoded);
    CHECK_FALSE(catalog.ManifestObject(theirs1.pointer.manifest_id)->has_value());
    CHECK(node.ScanRecords("pending/")->empty());
    for (const store::ChunkRef& ref : theirs1.manifest.chunks) CHECK_FALSE(*node.HasChunk(ref.id));
  }
  SECTION("a newer or equal pointer arrived: Unavailable, and nothing is committed") {
    const uint64_t their_version = GENERATE(2, 3);
    // At version 2 the race is decided by manifest id: make theirs the winner.
    store::Manifest their_manifest = ManifestOf("up", kCsvV1, &node);
    Version theirs = Publish(other, their_manifest, their_version);
    while (their_version == 2 && !(mine.manifest_id < theirs.pointer.manifest_id)) {
      ++their_manifest.created_at_us;
      theirs = Publish(other, their_manifest, their_version);
    }
    REQUIRE(Adopt(catalog, theirs.pointer, &theirs.encoded));
    const Snapshot before = Take(node);
    const Status committed = catalog.CommitUpload(*staged, manifest, encoded, mine);
    CHECK(committed.code() == Status::Code::kUnavailable);
    CHECK(Take(node) == before);
    CHECK(store::LoadManifest(node, "up")->value() == theirs.manifest);
    // The caller abandons the staged chunks; those the adopted version uses stay.
    REQUIRE(store::AbandonStaged(node, *staged).ok());
    CHECK(node.ScanRecords("pending/")->empty());
    for (const store::ChunkRef& ref : theirs.manifest.chunks) CHECK(*node.HasChunk(ref.id));
    for (const store::ChunkRef& ref : manifest.chunks) CHECK_FALSE(*node.HasChunk(ref.id));
  }
  SECTION("our own pointer, already adopted, is not committed twice") {
    REQUIRE(Adopt(catalog, mine, &encoded));
    const Status committed = catalog.CommitUpload(*staged, manifest, encoded, mine);
    CHECK(committed.code() == Status::Code::kUnavailable);
  }
}

}  // namespace
}  // namespace lake::local
