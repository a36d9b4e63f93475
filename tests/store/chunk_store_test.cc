#include "store/chunk_store.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "common/hash.h"
#include "common/rng.h"
#include "store/mem_chunk_store.h"
#include "store/rocksdb_chunk_store.h"

namespace lake::store {
namespace {

namespace fs = std::filesystem;

// A fresh, empty directory path under the build tree, unique within this process run, removed
// (with everything in it) when this object goes out of scope.
class ScopedDir {
 public:
  ScopedDir() {
    static std::atomic<int> counter{0};
    const fs::path dir = fs::path(LAKE_BINARY_DIR) / "test-tmp" /
                         ("chunk_store_" + std::to_string(::getpid()) + "_" +
                          std::to_string(counter++));
    fs::remove_all(dir);
    fs::create_directories(dir.parent_path());
    path_ = dir.string();
  }
  ~ScopedDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScopedDir(const ScopedDir&) = delete;
  ScopedDir& operator=(const ScopedDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Bytes RandomBytes(Rng& rng, size_t n) {
  Bytes bytes(n);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng.Next());
  return bytes;
}

Bytes Text(std::string_view s) { return Bytes(s.begin(), s.end()); }

// One store under test: "mem" or "rocksdb" (in a fresh directory, removed afterwards).
class StoreFixture {
 public:
  explicit StoreFixture(const std::string& kind) {
    if (kind == "mem") {
      auto mem = std::make_unique<MemChunkStore>();
      mem_ = mem.get();
      store_ = std::move(mem);
    } else {
      Result<std::unique_ptr<RocksDbChunkStore>> opened = RocksDbChunkStore::Open(dir_.path());
      INFO(opened.status().ToString());
      REQUIRE(opened.ok());
      rocks_ = opened->get();
      store_ = std::move(*opened);
    }
  }

  ChunkStore& store() { return *store_; }

  // Replaces a stored chunk's bytes without re-hashing, as a fault below the store would.
  void Corrupt(const ChunkId& id, const Bytes& bytes) {
    if (mem_ != nullptr) {
      mem_->TEST_CorruptChunk(id, bytes);
    } else {
      REQUIRE(rocks_->TEST_OverwriteChunk(id, bytes).ok());
    }
  }

 private:
  ScopedDir dir_;  // declared first: the store closes before its directory is removed
  std::unique_ptr<ChunkStore> store_;
  MemChunkStore* mem_ = nullptr;
  RocksDbChunkStore* rocks_ = nullptr;
};

#define EACH_STORE()                                                           \
  const std::string kind = GENERATE(as<std::string>{}, "mem", "rocksdb");      \
  INFO("store: " << kind);                                                     \
  StoreFixture fixture(kind);                                                  \
  ChunkStore& store = fixture.store()

// Stats() must describe exactly what the store holds.
void CheckStatsMatchContents(const ChunkStore& store) {
  Result<std::vector<ChunkId>> ids = store.ListChunks();
  REQUIRE(ids.ok());
  uint64_t bytes = 0;
  for (const ChunkId& id : *ids) {
    Result<Bytes> chunk = store.GetChunk(id);
    REQUIRE(chunk.ok());
    bytes += chunk->size();
  }
  Result<std::vector<std::pair<std::string, Bytes>>> records = store.ScanRecords("");
  REQUIRE(records.ok());
  const StoreStats stats = store.Stats();
  CHECK(stats.chunks == ids->size());
  CHECK(stats.chunk_bytes == bytes);
  CHECK(stats.records == records->size());
}

TEST_CASE("ChunkStore puts, gets, checks and deletes chunks", "[store][chunk_store]") {
  EACH_STORE();
  Rng rng(1);
  const Bytes small = RandomBytes(rng, 100);
  const Bytes large = RandomBytes(rng, 10000);  // large enough for a RocksDB blob file
  const ChunkId small_id = Blake2b256(small), large_id = Blake2b256(large);

  CHECK(store.GetChunk(small_id).status().IsNotFound());
  REQUIRE(store.HasChunk(small_id).ok());
  CHECK_FALSE(*store.HasChunk(small_id));

  REQUIRE(store.PutChunk(small_id, small).ok());
  REQUIRE(store.PutChunk(large_id, large).ok());
  CHECK(*store.HasChunk(small_id));
  Result<Bytes> got = store.GetChunk(large_id);
  REQUIRE(got.ok());
  CHECK(*got == large);
  CHECK(*store.GetChunk(small_id) == small);

  REQUIRE(store.DeleteChunk(small_id).ok());
  CHECK_FALSE(*store.HasChunk(small_id));
  CHECK(store.GetChunk(small_id).status().IsNotFound());
  CHECK(*store.GetChunk(large_id) == large);
  CHECK(store.DeleteChunk(small_id).ok());  // deleting an absent chunk is fine

  // An empty chunk is a chunk too.
  const ChunkId empty_id = Blake2b256(Bytes());
  REQUIRE(store.PutChunk(empty_id, Bytes()).ok());
  Result<Bytes> empty = store.GetChunk(empty_id);
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

TEST_CASE("ChunkStore lists chunk ids in ascending order", "[store][chunk_store]") {
  EACH_STORE();
  Result<std::vector<ChunkId>> none = store.ListChunks();
  REQUIRE(none.ok());
  CHECK(none->empty());

  Rng rng(2);
  std::vector<ChunkId> ids;
  for (int i = 0; i < 30; ++i) {
    const Bytes bytes = RandomBytes(rng, 1 + rng.Uniform(6000));
    ids.push_back(Blake2b256(bytes));
    REQUIRE(store.PutChunk(ids.back(), bytes).ok());
  }
  REQUIRE(store.DeleteChunk(ids[7]).ok());
  ids.erase(ids.begin() + 7);
  std::sort(ids.begin(), ids.end());
  Result<std::vector<ChunkId>> listed = store.ListChunks();
  REQUIRE(listed.ok());
  CHECK(*listed == ids);
}

TEST_CASE("ChunkStore stores, scans and deletes records", "[store][chunk_store]") {
  EACH_STORE();
  CHECK(store.GetRecord("missing").status().IsNotFound());
  for (const char* key : {"m/b", "m/a", "m", "n/a", "l/z", "m/\xff", "m/z", "ma"}) {
    REQUIRE(store.PutRecord(key, Text(std::string("value of ") + key)).ok());
  }
  REQUIRE(store.PutRecord("m/a", Text("replaced")).ok());
  CHECK(*store.GetRecord("m/a") == Text("replaced"));
  CHECK(*store.GetRecord("n/a") == Text("value of n/a"));

  Result<std::vector<std::pair<std::string, Bytes>>> scanned = store.ScanRecords("m/");
  REQUIRE(scanned.ok());
  std::vector<std::string> keys;
  for (const auto& [key, value] : *scanned) keys.push_back(key);
  // Byte order: 0xff sorts after 'z'; "m", "ma" and other prefixes are excluded.
  CHECK(keys == std::vector<std::string>{"m/a", "m/b", "m/z", "m/\xff"});
  REQUIRE(scanned->size() == 4);
  CHECK((*scanned)[0].second == Text("replaced"));
  CHECK((*scanned)[1].second == Text("value of m/b"));

  Result<std::vector<std::pair<std::string, Bytes>>> all = store.ScanRecords("");
  REQUIRE(all.ok());
  CHECK(all->size() == 8);
  CHECK(store.ScanRecords("q/")->empty());

  REQUIRE(store.DeleteRecord("m/b").ok());
  CHECK(store.GetRecord("m/b").status().IsNotFound());
  CHECK(store.ScanRecords("m/")->size() == 3);
  CHECK(store.DeleteRecord("never there").ok());
  REQUIRE(store.PutRecord("empty", Bytes()).ok());
  CHECK(store.GetRecord("empty")->empty());
}

TEST_CASE("ChunkStore Stats count chunks, bytes and records, a repeated chunk once",
          "[store][chunk_store]") {
  EACH_STORE();
  const StoreStats empty = store.Stats();
  CHECK(empty.chunks == 0);
  CHECK(empty.chunk_bytes == 0);
  CHECK(empty.records == 0);

  Rng rng(3);
  const Bytes a = RandomBytes(rng, 100), b = RandomBytes(rng, 5000);
  REQUIRE(store.PutChunk(Blake2b256(a), a).ok());
  REQUIRE(store.PutChunk(Blake2b256(b), b).ok());
  REQUIRE(store.PutChunk(Blake2b256(a), a).ok());  // the same chunk again
  CHECK(store.Stats().chunks == 2);
  CHECK(store.Stats().chunk_bytes == 5100);

  REQUIRE(store.PutRecord("k1", Text("x")).ok());
  REQUIRE(store.PutRecord("k2", Text("y")).ok());
  REQUIRE(store.PutRecord("k1", Text("overwritten")).ok());
  CHECK(store.Stats().records == 2);

  REQUIRE(store.DeleteChunk(Blake2b256(b)).ok());
  REQUIRE(store.DeleteChunk(Blake2b256(b)).ok());  // already gone
  REQUIRE(store.DeleteRecord("k2").ok());
  REQUIRE(store.DeleteRecord("k2").ok());
  const StoreStats after = store.Stats();
  CHECK(after.chunks == 1);
  CHECK(after.chunk_bytes == 100);
  CHECK(after.records == 1);
  CheckStatsMatchContents(store);
}

TEST_CASE("ChunkStore applies a batch of mixed changes together", "[store][chunk_store]") {
  EACH_STORE();
  Rng rng(4);
  const Bytes old_chunk = RandomBytes(rng, 300);
  REQUIRE(store.PutChunk(Blake2b256(old_chunk), old_chunk).ok());
  REQUIRE(store.PutRecord("journal/old", Text("old")).ok());

  StoreBatch batch;
  CHECK(batch.empty());
  std::vector<Bytes> chunks;
  for (int i = 0; i < 3; ++i) {
    chunks.push_back(RandomBytes(rng, 2000 + 3000 * i));
    batch.PutChunk(Blake2b256(chunks.back()), chunks.back());
  }
  batch.DeleteChunk(Blake2b256(old_chunk));
  batch.PutRecord("dataset/x", Text("manifest"));
  batch.PutRecord("journal/new", Text("new"));
  batch.DeleteRecord("journal/old");
  CHECK_FALSE(batch.empty());
  REQUIRE(store.Write(batch, Durability::kBuffered).ok());

  for (const Bytes& chunk : chunks) CHECK(*store.GetChunk(Blake2b256(chunk)) == chunk);
  CHECK_FALSE(*store.HasChunk(Blake2b256(old_chunk)));
  CHECK(*store.GetRecord("dataset/x") == Text("manifest"));
  CHECK(store.GetRecord("journal/old").status().IsNotFound());
  const StoreStats stats = store.Stats();
  CHECK(stats.chunks == 3);
  CHECK(stats.chunk_bytes == 2000 + 5000 + 8000);
  CHECK(stats.records == 2);
  CheckStatsMatchContents(store);

  CHECK(store.Write(StoreBatch(), Durability::kSync).ok());  // an empty batch changes nothing
  CHECK(store.Stats().chunks == 3);
}

TEST_CASE("ChunkStore Stats stay exact when a batch repeats a key", "[store][chunk_store]") {
  EACH_STORE();
  Rng rng(5);
  const Bytes chunk = RandomBytes(rng, 700);
  const ChunkId id = Blake2b256(chunk);
  StoreBatch batch;
  SECTION("the same new chunk put twice") {
    batch.PutChunk(id, chunk);
    batch.PutChunk(id, chunk);
    REQUIRE(store.Write(batch, Durability::kSync).ok());
    CHECK(store.Stats().chunks == 1);
    CHECK(store.Stats().chunk_bytes == 700);
    CheckStatsMatchContents(store);
  }
  SECTION("the same new record put twice") {
    batch.PutRecord("k", Text("1"));
    batch.PutRecord("k", Text("2"));
    REQUIRE(store.Write(batch, Durability::kSync).ok());
    CHECK(store.Stats().records == 1);
    CheckStatsMatchContents(store);
  }
  SECTION("the same stored chunk deleted twice") {
    REQUIRE(store.PutChunk(id, chunk).ok());
    batch.DeleteChunk(id);
    batch.DeleteChunk(id);
    REQUIRE(store.Write(batch, Durability::kSync).ok());
    CHECK(store.Stats().chunks == 0);
    CHECK(store.Stats().chunk_bytes == 0);
    CheckStatsMatchContents(store);
  }
  SECTION("the same stored record deleted twice") {
    REQUIRE(store.PutRecord("k", Text("1")).ok());
    REQUIRE(store.PutRecord("other", Text("2")).ok());
    batch.DeleteRecord("k");
    batch.DeleteRecord("k");
    REQUIRE(store.Write(batch, Durability::kSync).ok());
    CHECK(store.Stats().records == 1);
    CheckStatsMatchContents(store);
  }
}

TEST_CASE("ChunkStore::GetChunk returns Corruption for bytes that do not match the id",
          "[store][chunk_store]") {
  EACH_STORE();
  Rng rng(6);
  const Bytes chunk = RandomBytes(rng, 6000);
  const ChunkId id = Blake2b256(chunk);
  REQUIRE(store.PutChunk(id, chunk).ok());
  Bytes damaged = chunk;
  damaged[3000] ^= 0x01;
  fixture.Corrupt(id, damaged);
  Result<Bytes> got = store.GetChunk(id);
  REQUIRE_FALSE(got.ok());
  CHECK(got.status().IsCorruption());
  CHECK(*store.HasChunk(id));  // still held, just bad

  fixture.Corrupt(id, Bytes());  // truncated to nothing
  CHECK(store.GetChunk(id).status().IsCorruption());
}

TEST_CASE("ChunkStore accepts writes from several threads at once", "[store][chunk_store]") {
  EACH_STORE();
  std::vector<std::vector<Bytes>> per_thread(4);
  Rng rng(7);
  for (auto& chunks : per_thread) {
    for (int i = 0; i < 25; ++i) chunks.push_back(RandomBytes(rng, 64 + rng.Uniform(500)));
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < per_thread.size(); ++t) {
    threads.emplace_back([&, t] {
      for (const Bytes& chunk : per_thread[t]) {
        if (!store.PutChunk(Blake2b256(chunk), chunk).ok()) ++failures;
        if (!store.PutRecord("t" + std::to_string(t) + "/" + std::to_string(chunk.size()),
                             chunk).ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(failures == 0);
  CHECK(store.Stats().chunks == 100);
  CheckStatsMatchContents(store);
}

TEST_CASE("RocksDbChunkStore keeps chunks, records and stats across a reopen",
          "[store][chunk_store][rocksdb]") {
  const ScopedDir scoped;
  const std::string& dir = scoped.path();
  Rng rng(8);
  std::vector<Bytes> chunks;
  StoreStats before;
  {
    auto opened = RocksDbChunkStore::Open(dir);
    REQUIRE(opened.ok());
    RocksDbChunkStore& store = **opened;
    for (size_t size : {10, 100, 4095, 4096, 70000}) {
      chunks.push_back(RandomBytes(rng, size));
      REQUIRE(store.PutChunk(Blake2b256(chunks.back()), chunks.back()).ok());
    }
    REQUIRE(store.DeleteChunk(Blake2b256(chunks[1])).ok());
    REQUIRE(store.PutRecord("dataset/a", Text("A")).ok());
    REQUIRE(store.PutRecord("dataset/b", Text("B")).ok());
    StoreBatch buffered;  // a kBuffered write followed by a kSync one is durable
    buffered.PutRecord("journal/1", Text("J"));
    REQUIRE(store.Write(buffered, Durability::kBuffered).ok());
    REQUIRE(store.PutRecord("journal/2", Text("K")).ok());
    before = store.Stats();
  }
  for (int reopen = 0; reopen < 2; ++reopen) {  // the second time, data comes from flushed files
    INFO("reopen " << reopen);
    auto opened = RocksDbChunkStore::Open(dir);
    REQUIRE(opened.ok());
    RocksDbChunkStore& store = **opened;
    const StoreStats after = store.Stats();
    CHECK(after.chunks == 4);
    CHECK(after.chunks == before.chunks);
    CHECK(after.chunk_bytes == 10 + 4095 + 4096 + 70000);
    CHECK(after.chunk_bytes == before.chunk_bytes);
    CHECK(after.records == 4);
    for (size_t i = 0; i < chunks.size(); ++i) {
      Result<Bytes> got = store.GetChunk(Blake2b256(chunks[i]));
      if (i == 1) {
        CHECK(got.status().IsNotFound());
      } else {
        REQUIRE(got.ok());
        CHECK(*got == chunks[i]);
      }
    }
    CHECK(*store.GetRecord("dataset/b") == Text("B"));
    CHECK(*store.GetRecord("journal/1") == Text("J"));
    CHECK(store.ScanRecords("dataset/")->size() == 2);
    CheckStatsMatchContents(store);
  }
}

TEST_CASE("RocksDbChunkStore reports on-disk damage to a chunk as Corruption",
          "[store][chunk_store][rocksdb]") {
  const ScopedDir scoped;
  const std::string& dir = scoped.path();
  Rng rng(9);
  const Bytes chunk = RandomBytes(rng, 64 << 10);  // random: LZ4 cannot shrink it
  const ChunkId id = Blake2b256(chunk);
  {
    auto opened = RocksDbChunkStore::Open(dir);
    REQUIRE(opened.ok());
    REQUIRE((*opened)->PutChunk(id, chunk).ok());
  }
  {
    // Reopening replays the write-ahead log into table and blob files.
    auto opened = RocksDbChunkStore::Open(dir);
    REQUIRE(opened.ok());
    REQUIRE(*(*opened)->GetChunk(id) == chunk);
  }
  size_t damaged_files = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".blob") continue;
    std::fstream file(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(file);
    std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    REQUIRE(bytes.size() > 1024);
    for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 16; ++i) bytes[i] ^= 0x5a;
    file.seekp(0);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(file);
    ++damaged_files;
  }
  REQUIRE(damaged_files > 0);  // the chunk value must live in a blob file

  auto opened = RocksDbChunkStore::Open(dir);  // closed before `scoped` removes the directory
  INFO(opened.status().ToString());
  REQUIRE(opened.ok());
  Result<Bytes> got = (*opened)->GetChunk(id);
  INFO(got.status().ToString());
  REQUIRE_FALSE(got.ok());
  CHECK(got.status().IsCorruption());
}

TEST_CASE("RocksDbChunkStore::Open fails on a path that is a regular file",
          "[store][chunk_store][rocksdb]") {
  const ScopedDir scoped;
  { std::ofstream(scoped.path()) << "not a database"; }
  auto opened = RocksDbChunkStore::Open(scoped.path());
  CHECK_FALSE(opened.ok());
}

}  // namespace
}  // namespace lake::store
