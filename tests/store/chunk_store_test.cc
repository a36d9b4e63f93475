#include "store/chunk_store.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "common/hash.h"
#include "common/rng.h"
#include "store/chunk_codec.h"
#include "store/mem_chunk_store.h"
#include "store/rocksdb_chunk_store.h"
#include "tests/support/random_data.h"

namespace lake::store {
namespace {

using testing::RandomBytes;

namespace fs = std::filesystem;

// A fresh directory path under the build tree, unique within this run; removed with its contents
// when the object goes out of scope.
struct ScopedDir {
  ScopedDir() {
    static std::atomic<int> counter{0};
    path = std::string(LAKE_BINARY_DIR) + "/test-tmp/chunk_store_" + std::to_string(::getpid()) +
           "_" + std::to_string(counter++);
    fs::remove_all(path);
    fs::create_directories(fs::path(path).parent_path());
  }
  ~ScopedDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  ScopedDir(const ScopedDir&) = delete;
  ScopedDir& operator=(const ScopedDir&) = delete;
  std::string path;
};

Bytes Text(std::string_view s) { return Bytes(s.begin(), s.end()); }

// The value of a Result; fails the test case (instead of asserting in Result) on an error.
template <class T>
T Must(Result<T> result) {
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  return std::move(result).value();
}

// One store under test: "mem" or "rocksdb" (in a fresh directory, removed afterwards).
class StoreFixture {
 public:
  explicit StoreFixture(const std::string& kind) {
    if (kind == "mem") {
      auto mem = std::make_unique<MemChunkStore>();
      mem_ = mem.get();
      store_ = std::move(mem);
    } else {
      Result<std::unique_ptr<RocksDbChunkStore>> opened = RocksDbChunkStore::Open(dir_.path);
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

  // Replaces column `column` of a stored (undamaged) encoded chunk with `part`, leaving the rest.
  void CorruptColumn(const ChunkId& id, uint32_t column, const Bytes& part) {
    if (rocks_ != nullptr) {
      REQUIRE(rocks_->TEST_OverwriteColumnPart(id, column, part).ok());
      return;
    }
    const Bytes bytes = Must(store_->GetChunk(id));
    const ChunkParts parts = Must(SplitChunkColumns(bytes));
    REQUIRE(column < parts.columns.size());
    Bytes damaged(parts.prefix.begin(), parts.prefix.end());
    for (size_t c = 0; c < parts.columns.size(); ++c) {
      const ByteView piece = c == column ? ByteView(part) : parts.columns[c];
      damaged.insert(damaged.end(), piece.begin(), piece.end());
    }
    mem_->TEST_CorruptChunk(id, damaged);
  }

  // How many values the RocksDB store keeps for chunks (whole chunks and column parts); nullopt
  // for the memory store.
  std::optional<size_t> ChunkValues() {
    if (rocks_ == nullptr) return std::nullopt;
    return Must(rocks_->TEST_CountChunkValues());
  }

 private:
  ScopedDir dir_;  // declared first: the store closes before its directory is removed
  std::unique_ptr<ChunkStore> store_;
  MemChunkStore* mem_ = nullptr;
  RocksDbChunkStore* rocks_ = nullptr;
};

#define EACH_STORE()                                                      \
  const std::string kind = GENERATE(as<std::string>{}, "mem", "rocksdb"); \
  INFO("store: " << kind);                                                \
  StoreFixture fixture(kind);                                             \
  ChunkStore& store = fixture.store()

// Stats() must describe exactly what the store holds.
void CheckStatsMatchContents(const ChunkStore& store) {
  const std::vector<ChunkId> ids = Must(store.ListChunks());
  uint64_t bytes = 0;
  for (const ChunkId& id : ids) bytes += Must(store.GetChunk(id)).size();
  const StoreStats stats = store.Stats();
  CHECK(stats.chunks == ids.size());
  CHECK(stats.chunk_bytes == bytes);
  CHECK(stats.records == Must(store.ScanRecords("")).size());
}

// Stats() must equal the expected counts, and what the store holds.
void CheckStats(const ChunkStore& store, uint64_t chunks, uint64_t chunk_bytes, uint64_t records) {
  const StoreStats stats = store.Stats();
  CHECK(stats.chunks == chunks);
  CHECK(stats.chunk_bytes == chunk_bytes);
  CHECK(stats.records == records);
  CheckStatsMatchContents(store);
}

TEST_CASE("ChunkStore puts, gets, checks and deletes chunks", "[store][chunk_store]") {
  EACH_STORE();
  Rng rng(1);
  const Bytes small = RandomBytes(rng, 100);
  const Bytes large = RandomBytes(rng, 10000);  // large enough for a RocksDB blob file
  const ChunkId small_id = Blake2b256(small), large_id = Blake2b256(large);

  CHECK(store.GetChunk(small_id).status().IsNotFound());
  CHECK_FALSE(Must(store.HasChunk(small_id)));

  REQUIRE(store.PutChunk(small_id, small).ok());
  REQUIRE(store.PutChunk(large_id, large).ok());
  CHECK(Must(store.HasChunk(small_id)));
  CHECK(Must(store.GetChunk(large_id)) == large);
  CHECK(Must(store.GetChunk(small_id)) == small);

  REQUIRE(store.DeleteChunk(small_id).ok());
  CHECK_FALSE(Must(store.HasChunk(small_id)));
  CHECK(store.GetChunk(small_id).status().IsNotFound());
  CHECK(Must(store.GetChunk(large_id)) == large);
  CHECK(store.DeleteChunk(small_id).ok());  // deleting an absent chunk is fine

  // An empty chunk is a chunk too.
  const ChunkId empty_id = Blake2b256(Bytes());
  REQUIRE(store.PutChunk(empty_id, Bytes()).ok());
  CHECK(Must(store.GetChunk(empty_id)).empty());
}

TEST_CASE("ChunkStore lists chunk ids in ascending order", "[store][chunk_store]") {
  EACH_STORE();
  CHECK(Must(store.ListChunks()).empty());

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
  CHECK(Must(store.ListChunks()) == ids);
}

TEST_CASE("ChunkStore stores, scans and deletes records", "[store][chunk_store]") {
  EACH_STORE();
  CHECK(store.GetRecord("missing").status().IsNotFound());
  for (const char* key : {"m/b", "m/a", "m", "n/a", "l/z", "m/\xff", "m/z", "ma"}) {
    REQUIRE(store.PutRecord(key, Text(std::string("value of ") + key)).ok());
  }
  REQUIRE(store.PutRecord("m/a", Text("replaced")).ok());
  CHECK(Must(store.GetRecord("m/a")) == Text("replaced"));
  CHECK(Must(store.GetRecord("n/a")) == Text("value of n/a"));

  const auto scanned = Must(store.ScanRecords("m/"));
  std::vector<std::string> keys;
  for (const auto& [key, value] : scanned) keys.push_back(key);
  // Byte order: 0xff sorts after 'z'; "m", "ma" and other prefixes are excluded.
  CHECK(keys == std::vector<std::string>{"m/a", "m/b", "m/z", "m/\xff"});
  REQUIRE(scanned.size() == 4);
  CHECK(scanned[0].second == Text("replaced"));
  CHECK(scanned[1].second == Text("value of m/b"));
  CHECK(Must(store.ScanRecords("")).size() == 8);
  CHECK(Must(store.ScanRecords("q/")).empty());

  REQUIRE(store.DeleteRecord("m/b").ok());
  CHECK(store.GetRecord("m/b").status().IsNotFound());
  CHECK(Must(store.ScanRecords("m/")).size() == 3);
  CHECK(store.DeleteRecord("never there").ok());
  REQUIRE(store.PutRecord("empty", Bytes()).ok());
  CHECK(Must(store.GetRecord("empty")).empty());
}

TEST_CASE("ChunkStore Stats count chunks, bytes and records, a repeated chunk once",
          "[store][chunk_store]") {
  EACH_STORE();
  CheckStats(store, 0, 0, 0);

  Rng rng(3);
  const Bytes a = RandomBytes(rng, 100), b = RandomBytes(rng, 5000);
  REQUIRE(store.PutChunk(Blake2b256(a), a).ok());
  REQUIRE(store.PutChunk(Blake2b256(b), b).ok());
  REQUIRE(store.PutChunk(Blake2b256(a), a).ok());  // the same chunk again
  CheckStats(store, 2, 5100, 0);

  REQUIRE(store.PutRecord("k1", Text("x")).ok());
  REQUIRE(store.PutRecord("k2", Text("y")).ok());
  REQUIRE(store.PutRecord("k1", Text("overwritten")).ok());
  CheckStats(store, 2, 5100, 2);

  REQUIRE(store.DeleteChunk(Blake2b256(b)).ok());
  REQUIRE(store.DeleteChunk(Blake2b256(b)).ok());  // already gone
  REQUIRE(store.DeleteRecord("k2").ok());
  REQUIRE(store.DeleteRecord("k2").ok());
  CheckStats(store, 1, 100, 1);
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

  for (const Bytes& chunk : chunks) CHECK(Must(store.GetChunk(Blake2b256(chunk))) == chunk);
  CHECK_FALSE(Must(store.HasChunk(Blake2b256(old_chunk))));
  CHECK(Must(store.GetRecord("dataset/x")) == Text("manifest"));
  CHECK(store.GetRecord("journal/old").status().IsNotFound());
  CheckStats(store, 3, 2000 + 5000 + 8000, 2);
  CHECK(store.Write(StoreBatch(), Durability::kSync).ok());  // an empty batch changes nothing
  CheckStats(store, 3, 2000 + 5000 + 8000, 2);
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
    CheckStats(store, 1, 700, 0);
  }
  SECTION("the same new record put twice") {
    batch.PutRecord("k", Text("1"));
    batch.PutRecord("k", Text("2"));
    REQUIRE(store.Write(batch, Durability::kSync).ok());
    CheckStats(store, 0, 0, 1);
  }
  SECTION("the same stored chunk deleted twice") {
    REQUIRE(store.PutChunk(id, chunk).ok());
    batch.DeleteChunk(id);
    batch.DeleteChunk(id);
    REQUIRE(store.Write(batch, Durability::kSync).ok());
    CheckStats(store, 0, 0, 0);
  }
  SECTION("the same stored record deleted twice") {
    REQUIRE(store.PutRecord("k", Text("1")).ok());
    REQUIRE(store.PutRecord("other", Text("2")).ok());
    batch.DeleteRecord("k");
    batch.DeleteRecord("k");
    REQUIRE(store.Write(batch, Durability::kSync).ok());
    CheckStats(store, 0, 0, 1);
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
  CHECK(Must(store.HasChunk(id)));  // still held, just bad

  fixture.Corrupt(id, Bytes());  // truncated to nothing
  CHECK(store.GetChunk(id).status().IsCorruption());
}

// An encoded chunk of `rows` rows: BIGINT, VARCHAR (NULLs and empty strings), DOUBLE (NULLs),
// BOOLEAN and DATE columns, filled from `rng` so that LZ4 cannot shrink them much. With 2000
// rows every column but the BOOLEAN one is over RocksDB's min_blob_size.
Bytes MixedChunk(Rng& rng, size_t rows) {
  RowGroup group;
  group.schema = {{"id", LogicalType::kBigInt},
                  {"name", LogicalType::kVarchar},
                  {"amount", LogicalType::kDouble},
                  {"flag", LogicalType::kBoolean},
                  {"day", LogicalType::kDate}};
  for (const Column& c : group.schema) group.columns.emplace_back(c.type);
  for (size_t r = 0; r < rows; ++r) {
    group.columns[0].Append<int64_t>(static_cast<int64_t>(rng.Next()));
    if (r % 7 == 3) {
      group.columns[1].AppendNull();
    } else {
      group.columns[1].AppendString(r % 5 == 0 ? std::string()
                                               : "name " + std::to_string(rng.Next()) + " é");
    }
    if (r % 4 == 1) {
      group.columns[2].AppendNull();
    } else {
      group.columns[2].Append<double>(rng.UniformDouble() * 1e6);
    }
    group.columns[3].Append<uint8_t>(static_cast<uint8_t>(rng.Uniform(2)));
    group.columns[4].Append<int32_t>(static_cast<int32_t>(rng.Uniform(40000)));
  }
  return EncodeChunk(group);
}

// GetChunkColumns must decode what DecodeChunkColumns decodes from GetChunk's bytes; encoding is
// deterministic, so equal encodings mean equal columns.
void CheckColumnsMatchChunk(const ChunkStore& store, const ChunkId& id,
                            const std::vector<size_t>& columns) {
  INFO("columns " << ::Catch::Detail::stringify(columns));
  const RowGroup expected = Must(DecodeChunkColumns(Must(store.GetChunk(id)), columns));
  const RowGroup actual = Must(store.GetChunkColumns(id, columns));
  REQUIRE(actual.schema == expected.schema);
  REQUIRE(actual.columns.size() == columns.size());
  CHECK(EncodeChunk(actual) == EncodeChunk(expected));
}

const std::vector<std::vector<size_t>> kColumnSubsets = {
    {}, {0}, {1}, {3}, {4, 0}, {1, 2}, {2, 1, 4}, {1, 1, 3}, {4, 3, 2, 1, 0}, {0, 1, 2, 3, 4}};

TEST_CASE("ChunkStore::GetChunkColumns equals DecodeChunkColumns of GetChunk",
          "[store][chunk_store]") {
  EACH_STORE();
  Rng rng(11);
  const Bytes large = MixedChunk(rng, 2000);  // column parts in blob files
  const Bytes small = MixedChunk(rng, 3);     // column parts in table files
  for (const Bytes* chunk : {&large, &small}) {
    const ChunkId id = Blake2b256(*chunk);
    REQUIRE(store.PutChunk(id, *chunk).ok());
    CHECK(Must(store.GetChunk(id)) == *chunk);
    for (const std::vector<size_t>& columns : kColumnSubsets) {
      CheckColumnsMatchChunk(store, id, columns);
    }
  }
  // Spot checks against the generator: row 3 of "name" is NULL, row 5 empty, row 1 a name.
  const RowGroup got = Must(store.GetChunkColumns(Blake2b256(large), {1, 2}));
  REQUIRE(got.schema.size() == 2);
  CHECK(got.schema[0].name == "name");
  CHECK(got.schema[1].type == LogicalType::kDouble);
  CHECK_FALSE(got.columns[0].IsValid(3));
  CHECK(got.columns[0].IsValid(5));
  CHECK(got.columns[0].GetString(5).empty());
  CHECK(got.columns[0].GetString(1).rfind("name ", 0) == 0);
  CHECK(got.columns[1].null_count() == 500);  // rows r with r % 4 == 1
  CheckStats(store, 2, large.size() + small.size(), 0);
}

TEST_CASE("ChunkStore::GetChunkColumns reports absent chunks, bad indexes and bad bytes",
          "[store][chunk_store]") {
  EACH_STORE();
  Rng rng(12);
  const Bytes chunk = MixedChunk(rng, 50);
  const ChunkId id = Blake2b256(chunk);
  CHECK(store.GetChunkColumns(id, {0}).status().IsNotFound());
  CHECK(store.GetChunkColumns(id, {}).status().IsNotFound());
  REQUIRE(store.PutChunk(id, chunk).ok());
  CHECK(store.GetChunkColumns(id, {5}).status().IsCorruption());  // 5 columns: 0..4
  CHECK(store.GetChunkColumns(id, {0, 1000000}).status().IsCorruption());
  CHECK(Must(store.GetChunkColumns(id, {})).columns.empty());

  // Bytes that are not an encoded chunk are stored (and hashed, and returned) fine, but have
  // no columns to decode.
  const Bytes opaque = RandomBytes(rng, 5000);
  REQUIRE(store.PutChunk(Blake2b256(opaque), opaque).ok());
  CHECK(Must(store.GetChunk(Blake2b256(opaque))) == opaque);
  CHECK(store.GetChunkColumns(Blake2b256(opaque), {0}).status().IsCorruption());
}

TEST_CASE("ChunkStore deletes every column part of a chunk", "[store][chunk_store]") {
  EACH_STORE();
  Rng rng(13);
  const Bytes kept = RandomBytes(rng, 300);  // stored whole
  REQUIRE(store.PutChunk(Blake2b256(kept), kept).ok());
  const std::optional<size_t> values_before = fixture.ChunkValues();
  if (values_before) CHECK(*values_before == 1);

  const Bytes large = MixedChunk(rng, 2000), small = MixedChunk(rng, 4);
  SECTION("one delete after another") {
    REQUIRE(store.PutChunk(Blake2b256(large), large).ok());
    REQUIRE(store.PutChunk(Blake2b256(small), small).ok());
    if (values_before) CHECK(*fixture.ChunkValues() == 1 + 5 + 5);
    REQUIRE(store.DeleteChunk(Blake2b256(large)).ok());
    REQUIRE(store.DeleteChunk(Blake2b256(small)).ok());
  }
  SECTION("put and deleted in one batch") {
    StoreBatch batch;
    batch.PutChunk(Blake2b256(large), large);
    batch.PutChunk(Blake2b256(small), small);
    batch.DeleteChunk(Blake2b256(small));
    batch.DeleteChunk(Blake2b256(large));
    REQUIRE(store.Write(batch, Durability::kBuffered).ok());
  }
  for (const Bytes* chunk : {&large, &small}) {
    CHECK(store.GetChunk(Blake2b256(*chunk)).status().IsNotFound());
    CHECK(store.GetChunkColumns(Blake2b256(*chunk), {0, 1}).status().IsNotFound());
    CHECK_FALSE(Must(store.HasChunk(Blake2b256(*chunk))));
  }
  CHECK(fixture.ChunkValues() == values_before);  // no leftover column parts
  CHECK(Must(store.ListChunks()) == std::vector<ChunkId>{Blake2b256(kept)});
  CheckStats(store, 1, 300, 0);
  REQUIRE(store.DeleteChunk(Blake2b256(kept)).ok());
  CheckStats(store, 0, 0, 0);
  if (values_before) CHECK(*fixture.ChunkValues() == 0);
}

TEST_CASE("ChunkStore::GetChunk reports a damaged column as Corruption", "[store][chunk_store]") {
  EACH_STORE();
  Rng rng(14);
  const Bytes chunk = MixedChunk(rng, 2000);
  const ChunkId id = Blake2b256(chunk);
  REQUIRE(store.PutChunk(id, chunk).ok());
  const ChunkParts parts = Must(SplitChunkColumns(chunk));
  const uint32_t column = GENERATE(0u, 1u, 3u);
  INFO("column " << column);
  Bytes part(parts.columns[column].begin(), parts.columns[column].end());
  SECTION("a flipped bit in the column's data") {
    part[part.size() - 2] ^= 0x10;
    fixture.CorruptColumn(id, column, part);
    CHECK(store.GetChunk(id).status().IsCorruption());
    // Not hashed: the scan path may decode the damaged value, or report Corruption; no crash.
    Result<RowGroup> got = store.GetChunkColumns(id, {column});
    CHECK((got.ok() || got.status().IsCorruption()));
  }
  SECTION("a truncated column") {
    part.pop_back();
    fixture.CorruptColumn(id, column, part);
    CHECK(store.GetChunk(id).status().IsCorruption());
    CHECK(store.GetChunkColumns(id, {column}).status().IsCorruption());
    CHECK(store.GetChunkColumns(id, {4, column}).status().IsCorruption());
  }
  SECTION("an empty column") {
    fixture.CorruptColumn(id, column, Bytes());
    CHECK(store.GetChunk(id).status().IsCorruption());
    CHECK(store.GetChunkColumns(id, {column}).status().IsCorruption());
  }
  CHECK(Must(store.HasChunk(id)));  // still held, just bad
}

TEST_CASE("ChunkStore accepts writes from several threads at once", "[store][chunk_store]") {
  EACH_STORE();
  std::vector<Bytes> chunks;
  Rng rng(7);
  for (int i = 0; i < 100; ++i) chunks.push_back(RandomBytes(rng, 64 + rng.Uniform(500)));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < chunks.size(); i += 4) {  // thread t writes every fourth chunk
        if (!store.PutChunk(Blake2b256(chunks[i]), chunks[i]).ok()) ++failures;
        if (!store.PutRecord("r/" + std::to_string(i), chunks[i]).ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(failures == 0);
  uint64_t bytes = 0;
  for (const Bytes& chunk : chunks) bytes += chunk.size();
  CheckStats(store, 100, bytes, 100);
}

TEST_CASE("RocksDbChunkStore keeps chunks, records and stats across a reopen",
          "[store][chunk_store][rocksdb]") {
  const ScopedDir scoped;
  const std::string& dir = scoped.path;  // holds the database between opens
  Rng rng(8);
  std::vector<Bytes> chunks;
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
    CheckStats(store, 4, 10 + 4095 + 4096 + 70000, 4);
  }
  for (int reopen = 0; reopen < 2; ++reopen) {  // the second time, data comes from flushed files
    INFO("reopen " << reopen);
    auto opened = RocksDbChunkStore::Open(dir);
    REQUIRE(opened.ok());
    RocksDbChunkStore& store = **opened;
    CheckStats(store, 4, 10 + 4095 + 4096 + 70000, 4);  // recounted from disk at open
    CHECK(store.GetChunk(Blake2b256(chunks[1])).status().IsNotFound());
    for (size_t i : {0, 2, 3, 4}) {
      CHECK(Must(store.GetChunk(Blake2b256(chunks[i]))) == chunks[i]);
    }
    CHECK(Must(store.GetRecord("dataset/b")) == Text("B"));
    CHECK(Must(store.GetRecord("journal/1")) == Text("J"));
    CHECK(Must(store.ScanRecords("dataset/")).size() == 2);
  }
}

// Flips 16 bytes in the middle of every blob file under `dir`, as failing media would; returns
// how many files it damaged.
size_t DamageBlobFiles(const std::string& dir) {
  size_t damaged = 0;
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
    ++damaged;
  }
  return damaged;
}

// A store in `dir` holding `chunk` (put, then read back whole after a reopen moved it into table
// and blob files), reopened after DamageBlobFiles damaged the blob files holding it.
std::unique_ptr<RocksDbChunkStore> StoreWithDamagedBlobs(const std::string& dir,
                                                         const Bytes& chunk) {
  const ChunkId id = Blake2b256(chunk);
  {
    auto opened = RocksDbChunkStore::Open(dir);
    REQUIRE(opened.ok());
    REQUIRE((*opened)->PutChunk(id, chunk).ok());
  }
  {
    auto opened = RocksDbChunkStore::Open(dir);
    REQUIRE(opened.ok());
    REQUIRE(Must((*opened)->GetChunk(id)) == chunk);
  }
  REQUIRE(DamageBlobFiles(dir) > 0);  // the chunk's values must live in blob files
  auto opened = RocksDbChunkStore::Open(dir);
  INFO(opened.status().ToString());
  REQUIRE(opened.ok());
  return std::move(*opened);
}

TEST_CASE("RocksDbChunkStore reports on-disk damage to a chunk as Corruption",
          "[store][chunk_store][rocksdb]") {
  const ScopedDir scoped;
  const std::string& dir = scoped.path;
  Rng rng(9);
  const Bytes chunk = RandomBytes(rng, 64 << 10);  // random: LZ4 cannot shrink it
  const ChunkId id = Blake2b256(chunk);
  // Closed before `scoped` removes the directory.
  const std::unique_ptr<RocksDbChunkStore> store = StoreWithDamagedBlobs(dir, chunk);
  Result<Bytes> got = store->GetChunk(id);
  INFO(got.status().ToString());
  REQUIRE_FALSE(got.ok());
  CHECK(got.status().IsCorruption());
}

TEST_CASE("RocksDbChunkStore keeps buffered writes across a clean close",
          "[store][chunk_store][rocksdb]") {
  const ScopedDir scoped;
  Rng rng(10);
  const Bytes chunk = RandomBytes(rng, 20000);
  {
    auto opened = RocksDbChunkStore::Open(scoped.path);
    REQUIRE(opened.ok());
    StoreBatch batch;  // the last write before closing, with no kSync write after it
    batch.PutChunk(Blake2b256(chunk), chunk);
    batch.PutRecord("journal/x", Text("X"));
    REQUIRE((*opened)->Write(batch, Durability::kBuffered).ok());
  }
  auto opened = RocksDbChunkStore::Open(scoped.path);
  REQUIRE(opened.ok());
  CHECK(Must((*opened)->GetChunk(Blake2b256(chunk))) == chunk);
  CHECK(Must((*opened)->GetRecord("journal/x")) == Text("X"));
  CHECK((*opened)->Stats().chunks == 1);
}

TEST_CASE("RocksDbChunkStore returns chunks byte for byte and by column after a reopen",
          "[store][chunk_store][rocksdb]") {
  const ScopedDir scoped;
  Rng rng(15);
  const std::vector<Bytes> chunks = {MixedChunk(rng, 2000), MixedChunk(rng, 3), MixedChunk(rng, 0),
                                     RandomBytes(rng, 9000)};
  {
    auto opened = RocksDbChunkStore::Open(scoped.path);
    REQUIRE(opened.ok());
    StoreBatch batch;
    for (const Bytes& chunk : chunks) batch.PutChunk(Blake2b256(chunk), chunk);
    REQUIRE((*opened)->Write(batch, Durability::kBuffered).ok());
  }
  for (int reopen = 0; reopen < 2; ++reopen) {  // the second time, data comes from flushed files
    INFO("reopen " << reopen);
    auto opened = RocksDbChunkStore::Open(scoped.path);
    REQUIRE(opened.ok());
    RocksDbChunkStore& store = **opened;
    uint64_t bytes = 0;
    for (const Bytes& chunk : chunks) {
      const ChunkId id = Blake2b256(chunk);
      const Bytes got = Must(store.GetChunk(id));
      CHECK(got == chunk);
      CHECK(Blake2b256(got) == id);
      bytes += chunk.size();
    }
    for (size_t i = 0; i < 2; ++i) {
      for (const std::vector<size_t>& columns : kColumnSubsets) {
        CheckColumnsMatchChunk(store, Blake2b256(chunks[i]), columns);
      }
    }
    CHECK(Must(store.GetChunkColumns(Blake2b256(chunks[2]), {4})).rows() == 0);
    CheckStats(store, chunks.size(), bytes, 0);
  }
}

TEST_CASE("RocksDbChunkStore reports on-disk damage to a column part as Corruption",
          "[store][chunk_store][rocksdb]") {
  const ScopedDir scoped;
  const std::string& dir = scoped.path;
  Rng rng(16);
  const Bytes chunk = MixedChunk(rng, 20000);  // ~500 KiB of columns that LZ4 cannot shrink much
  const ChunkId id = Blake2b256(chunk);
  // Closed before `scoped` removes the directory.
  const std::unique_ptr<RocksDbChunkStore> store = StoreWithDamagedBlobs(dir, chunk);
  Result<Bytes> got = store->GetChunk(id);
  INFO(got.status().ToString());
  REQUIRE_FALSE(got.ok());
  CHECK(got.status().IsCorruption());
  // Not hashed, yet the damaged part (wherever it is) fails its CRC-32C.
  Result<RowGroup> columns = store->GetChunkColumns(id, {0, 1, 2, 3, 4});
  INFO(columns.status().ToString());
  REQUIRE_FALSE(columns.ok());
  CHECK(columns.status().IsCorruption());
}

}  // namespace
}  // namespace lake::store
