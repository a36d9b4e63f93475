// ImportCsv end to end over the in-memory and RocksDB stores: content, determinism, late type
// widening, atomic failure, crash recovery, versions; and its halves StageCsv, CommitStaged and
// AbandonStaged.
#include "store/importer.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <string>

#include "common/clock.h"
#include "common/hash.h"
#include "common/task_runner.h"
#include "common/value_parse.h"
#include "store/catalog.h"
#include "store/chunk_codec.h"
#include "store/mem_chunk_store.h"
#include "store/rocksdb_chunk_store.h"

namespace lake::store {
namespace {

struct ImportFixture {
  ManualClock clock{FromMicros(1'700'000'000'000'000)};
  ThreadPool pool{2};
  InlineTaskRunner inline_runner;

  Result<ImportSummary> Import(ChunkStore& store, const std::string& csv, const std::string& name,
                               size_t target_bytes = 1 << 20, bool parallel = true,
                               CsvPosition* error_at = nullptr) {
    MemorySource source(csv);
    ImportOptions options;
    options.name = name;
    options.target_chunk_bytes = target_bytes;
    ImportEnv env;
    env.clock = &clock;
    env.runner = parallel ? static_cast<TaskRunner*>(&pool) : &inline_runner;
    return ImportCsv(store, source, options, env, error_at);
  }

  Result<StagedImport> Stage(ChunkStore& store, const std::string& csv, const std::string& name,
                             size_t target_bytes) {
    MemorySource source(csv);
    ImportOptions options;
    options.name = name;
    options.target_chunk_bytes = target_bytes;
    ImportEnv env;
    env.clock = &clock;
    env.runner = &pool;
    return StageCsv(store, source, options, env);
  }
};

// Decodes every chunk of `manifest` from `store` and concatenates column `column_idx`.
std::vector<std::string> ColumnText(const ChunkStore& store, const Manifest& manifest,
                                    size_t column_idx) {
  std::vector<std::string> out;
  for (const ChunkRef& ref : manifest.chunks) {
    Result<Bytes> bytes = store.GetChunk(ref.id);
    REQUIRE(bytes.ok());
    Result<RowGroup> group = DecodeChunk(*bytes);
    REQUIRE(group.ok());
    const Vector& v = group->columns[column_idx];
    for (size_t row = 0; row < v.size(); ++row) {
      if (!v.IsValid(row)) {
        out.push_back("<null>");
        continue;
      }
      switch (v.type()) {
        case LogicalType::kBigInt:
          out.push_back(std::to_string(v.Get<int64_t>(row)));
          break;
        case LogicalType::kDouble:
          out.push_back(FormatDouble(v.Get<double>(row)));
          break;
        case LogicalType::kBoolean:
          out.push_back(v.Get<uint8_t>(row) ? "true" : "false");
          break;
        case LogicalType::kDate:
          out.push_back(FormatDate(v.Get<int32_t>(row)));
          break;
        case LogicalType::kTimestamp:
          out.push_back(FormatTimestamp(v.Get<int64_t>(row)));
          break;
        case LogicalType::kVarchar:
          out.push_back(std::string(v.GetString(row)));
          break;
      }
    }
  }
  return out;
}

// `rows` data rows "i,<label i>,<i * 0.5>" after a header; optionally a different last row.
std::string NumberedCsv(int rows, const std::string& last_row = "") {
  std::string csv = "id,label,half\n";
  for (int i = 0; i < rows; ++i) {
    if (i == rows - 1 && !last_row.empty()) {
      csv += last_row + "\n";
    } else {
      csv +=
          std::to_string(i) + ",row " + std::to_string(i % 97) + "," + FormatDouble(i * 0.5) + "\n";
    }
  }
  return csv;
}

TEST_CASE_METHOD(ImportFixture, "ImportCsv stores typed columns that read back as the CSV said",
                 "[store][import]") {
  MemChunkStore store;
  const std::string csv =
      "id,name,score,active,born,seen\r\n"
      "1,\"Smith, Ann\",3.5,true,1990-01-31,2025-03-04T12:34:56\r\n"
      "2,,4,false,,2025-03-04 00:00:00.25\r\n"
      "-3,\"say \"\"hi\"\"\",,TRUE,2000-02-29,\r\n";
  Result<ImportSummary> summary = Import(store, csv, "people");
  REQUIRE(summary.ok());
  const Manifest& m = summary->manifest;
  CHECK(m.name == "people");
  CHECK(m.version == 1);
  CHECK(m.total_rows == 3);
  CHECK(m.created_at_us == ToMicros(clock.Now()));
  REQUIRE(m.schema.size() == 6);
  CHECK(m.schema[0] == Column{"id", LogicalType::kBigInt});
  CHECK(m.schema[1] == Column{"name", LogicalType::kVarchar});
  CHECK(m.schema[2] == Column{"score", LogicalType::kDouble});
  CHECK(m.schema[3] == Column{"active", LogicalType::kBoolean});
  CHECK(m.schema[4] == Column{"born", LogicalType::kDate});
  CHECK(m.schema[5] == Column{"seen", LogicalType::kTimestamp});
  CHECK(ColumnText(store, m, 0) == std::vector<std::string>{"1", "2", "-3"});
  CHECK(ColumnText(store, m, 1) == std::vector<std::string>{"Smith, Ann", "<null>", "say \"hi\""});
  CHECK(ColumnText(store, m, 2) == std::vector<std::string>{"3.5", "4", "<null>"});
  CHECK(ColumnText(store, m, 3) == std::vector<std::string>{"true", "false", "true"});
  CHECK(ColumnText(store, m, 4) == std::vector<std::string>{"1990-01-31", "<null>", "2000-02-29"});
  CHECK(ColumnText(store, m, 5) ==
        std::vector<std::string>{"2025-03-04 12:34:56", "2025-03-04 00:00:00.25", "<null>"});

  Result<std::optional<Manifest>> loaded = LoadManifest(store, "people");
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  CHECK(**loaded == m);
  CHECK(Blake2b256(EncodeManifest(**loaded)) == summary->manifest_id);
  CHECK(store.ScanRecords("pending/")->empty());
}

TEST_CASE_METHOD(ImportFixture, "ImportCsv cuts chunks near the target and keeps rows in order",
                 "[store][import]") {
  MemChunkStore store;
  const size_t target = 64 << 10;
  Result<ImportSummary> summary = Import(store, NumberedCsv(50'000), "numbers", target);
  REQUIRE(summary.ok());
  const Manifest& m = summary->manifest;
  REQUIRE(m.chunks.size() > 5);
  uint64_t rows = 0;
  for (size_t i = 0; i < m.chunks.size(); ++i) {
    rows += m.chunks[i].rows;
    // The target bounds the decoded columns; the encoded chunk is smaller still.
    Result<RowGroup> decoded = DecodeChunk(*store.GetChunk(m.chunks[i].id));
    REQUIRE(decoded.ok());
    size_t decoded_bytes = 0;
    for (const Vector& v : decoded->columns) decoded_bytes += v.MemoryBytes();
    CHECK(decoded_bytes <= target * 11 / 10);
    if (i + 1 < m.chunks.size()) CHECK(decoded_bytes >= target / 2);
    CHECK(m.chunks[i].bytes < decoded_bytes / 2);
  }
  CHECK(rows == 50'000);
  CHECK(store.Stats().chunks == m.chunks.size());
  const std::vector<std::string> ids = ColumnText(store, m, 0);
  REQUIRE(ids.size() == 50'000);
  for (size_t i = 0; i < ids.size(); i += 997) CHECK(ids[i] == std::to_string(i));
  // Zone maps describe each chunk's own id range.
  uint64_t first_row = 0;
  for (const ChunkRef& ref : m.chunks) {
    REQUIRE(ref.zones[0].min.has_value());
    CHECK(std::get<int64_t>(*ref.zones[0].min) == static_cast<int64_t>(first_row));
    CHECK(std::get<int64_t>(*ref.zones[0].max) == static_cast<int64_t>(first_row + ref.rows - 1));
    first_row += ref.rows;
  }
}

TEST_CASE_METHOD(ImportFixture, "The same file always yields the same chunk ids",
                 "[store][import]") {
  const std::string csv = NumberedCsv(20'000);
  MemChunkStore a, b;
  Result<ImportSummary> first = Import(a, csv, "t", 32 << 10, /*parallel=*/true);
  Result<ImportSummary> second = Import(b, csv, "t", 32 << 10, /*parallel=*/false);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  REQUIRE(first->manifest.chunks.size() > 1);
  CHECK(first->manifest.chunks == second->manifest.chunks);

  SECTION("re-importing into the same store makes version 2 and stores nothing new") {
    Result<ImportSummary> again = Import(a, csv, "t", 32 << 10);
    REQUIRE(again.ok());
    CHECK(again->manifest.version == 2);
    CHECK(again->new_chunks == 0);
    CHECK(again->manifest.chunks == first->manifest.chunks);
    CHECK(a.Stats().chunks == first->manifest.chunks.size());
  }
}

TEST_CASE_METHOD(ImportFixture, "A late value widens the column type in every chunk",
                 "[store][import]") {
  MemChunkStore store;
  SECTION("BIGINT becomes DOUBLE") {
    Result<ImportSummary> s = Import(store, NumberedCsv(30'000, "29999,late,3.5"), "w", 16 << 10);
    REQUIRE(s.ok());
    REQUIRE(s->manifest.chunks.size() > 3);
    CHECK(s->manifest.schema[2].type == LogicalType::kDouble);
    const std::vector<std::string> halves = ColumnText(store, s->manifest, 2);
    CHECK(halves[0] == "0");
    CHECK(halves[3] == "1.5");
    CHECK(halves.back() == "3.5");
  }
  SECTION("BIGINT becomes VARCHAR and keeps the original text") {
    std::string csv = "code,n\n007,1\n";
    for (int i = 0; i < 20'000; ++i) csv += std::to_string(i) + ",2\n";
    csv += "abc,3\n";
    Result<ImportSummary> s = Import(store, csv, "w", 16 << 10);
    REQUIRE(s.ok());
    CHECK(s->manifest.schema[0].type == LogicalType::kVarchar);
    const std::vector<std::string> codes = ColumnText(store, s->manifest, 0);
    CHECK(codes.front() == "007");
    CHECK(codes.back() == "abc");
  }
  // Chunks written before the widening are gone: only the manifest's chunks remain.
  Result<std::vector<Manifest>> manifests = ListManifests(store);
  REQUIRE(manifests.ok());
  REQUIRE(manifests->size() == 1);
  CHECK(store.Stats().chunks == manifests->front().chunks.size());
  for (const ChunkRef& ref : manifests->front().chunks) {
    Result<RowGroup> group = DecodeChunk(*store.GetChunk(ref.id));
    REQUIRE(group.ok());
    CHECK(group->schema == manifests->front().schema);
  }
}

TEST_CASE_METHOD(ImportFixture, "A file that fails at its last row stores nothing",
                 "[store][import]") {
  MemChunkStore store;
  REQUIRE(Import(store, "a,b\n1,2\n", "keep").ok());
  const StoreStats before = store.Stats();

  const int rows = 60'000;
  CsvPosition at;
  Result<ImportSummary> s =
      Import(store, NumberedCsv(rows, "1,2,3,4"), "broken", 16 << 10, true, &at);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().IsInvalidArgument());
  CHECK(at.line == rows + 1);  // the header is line 1
  CHECK(at.column == 4);
  CHECK(s.status().message().find("line " + std::to_string(rows + 1) + ", column 4") !=
        std::string::npos);
  CHECK(store.Stats().chunks == before.chunks);
  CHECK(store.Stats().records == before.records);
  CHECK(LoadManifest(store, "broken")->has_value() == false);
  CHECK(LoadManifest(store, "keep")->has_value());
}

// Fails every synced write, as if the process died at the commit.
class CrashAtCommitStore final : public ChunkStore {
 public:
  explicit CrashAtCommitStore(ChunkStore& disk) : disk_(disk) {}
  Status Write(const StoreBatch& batch, Durability durability) override {
    if (durability == Durability::kSync) return Status::IOError("power lost");
    return disk_.Write(batch, durability);
  }
  Result<Bytes> GetChunk(const ChunkId& id) const override { return disk_.GetChunk(id); }
  Result<std::vector<DecodedPieces>> GetChunkColumnPieces(const ChunkId& id,
                                                          const std::vector<size_t>& columns,
                                                          size_t piece_rows) const override {
    return disk_.GetChunkColumnPieces(id, columns, piece_rows);
  }
  Result<bool> HasChunk(const ChunkId& id) const override { return disk_.HasChunk(id); }
  Result<std::vector<ChunkId>> ListChunks() const override { return disk_.ListChunks(); }
  Result<Bytes> GetRecord(const std::string& key) const override { return disk_.GetRecord(key); }
  Result<std::vector<std::pair<std::string, Bytes>>> ScanRecords(
      const std::string& prefix) const override {
    return disk_.ScanRecords(prefix);
  }
  StoreStats Stats() const override { return disk_.Stats(); }

 private:
  ChunkStore& disk_;
};

TEST_CASE_METHOD(ImportFixture, "Recovery removes what an import interrupted before commit left",
                 "[store][import]") {
  MemChunkStore disk;
  REQUIRE(Import(disk, NumberedCsv(5'000), "kept", 16 << 10).ok());
  const StoreStats before = disk.Stats();
  CrashAtCommitStore crashing(disk);
  Result<ImportSummary> s = Import(crashing, NumberedCsv(40'000, "x,y,z"), "lost", 16 << 10);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().IsIOError());
  REQUIRE(disk.Stats().chunks > before.chunks);  // the "crash" left chunks behind
  REQUIRE_FALSE(disk.ScanRecords("pending/")->empty());

  Result<uint64_t> removed = RecoverInterruptedImports(disk);
  REQUIRE(removed.ok());
  // The first 5,000 rows are identical in both files, so shared chunks must survive.
  CHECK(*removed > 0);
  CHECK(disk.Stats().chunks == before.chunks);
  CHECK(disk.ScanRecords("pending/")->empty());
  Result<std::optional<Manifest>> kept = LoadManifest(disk, "kept");
  REQUIRE(kept.ok());
  REQUIRE(kept->has_value());
  for (const ChunkRef& ref : (*kept)->chunks) CHECK(disk.GetChunk(ref.id).ok());
}

TEST_CASE_METHOD(ImportFixture, "A new version deletes only chunks no dataset still uses",
                 "[store][import]") {
  MemChunkStore store;
  const std::string v1 = NumberedCsv(20'000);
  REQUIRE(Import(store, v1, "a", 16 << 10).ok());
  Result<ImportSummary> b = Import(store, v1, "b", 16 << 10);  // same chunks, another name
  REQUIRE(b.ok());
  const size_t shared = b->manifest.chunks.size();
  CHECK(store.Stats().chunks == shared);

  Result<ImportSummary> a2 = Import(store, "x\n1\n2\n", "a");
  REQUIRE(a2.ok());
  CHECK(a2->manifest.version == 2);
  CHECK(store.Stats().chunks == shared + 1);  // b still needs the old chunks
  for (const ChunkRef& ref : b->manifest.chunks) CHECK(store.GetChunk(ref.id).ok());

  Result<ImportSummary> b2 = Import(store, "y\n3\n", "b");
  REQUIRE(b2.ok());
  CHECK(store.Stats().chunks == 2);  // now nobody uses them
}

TEST_CASE_METHOD(ImportFixture, "An import into RocksDB survives reopening the store",
                 "[store][import][rocksdb]") {
  const std::string dir = std::string(LAKE_BINARY_DIR) + "/test-tmp/importer-rocksdb";
  std::filesystem::remove_all(dir);
  Manifest written;
  {
    Result<std::unique_ptr<RocksDbChunkStore>> store = RocksDbChunkStore::Open(dir);
    REQUIRE(store.ok());
    Result<ImportSummary> s = Import(**store, NumberedCsv(30'000), "persisted", 32 << 10);
    REQUIRE(s.ok());
    written = s->manifest;
  }
  Result<std::unique_ptr<RocksDbChunkStore>> store = RocksDbChunkStore::Open(dir);
  REQUIRE(store.ok());
  CHECK(*RecoverInterruptedImports(**store) == 0);
  Result<std::optional<Manifest>> loaded = LoadManifest(**store, "persisted");
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  CHECK(**loaded == written);
  CHECK((*store)->Stats().chunks == written.chunks.size());
  CHECK(ColumnText(**store, written, 0).size() == 30'000);
  store->reset();
  std::filesystem::remove_all(dir);
}

TEST_CASE_METHOD(ImportFixture, "Import rejects bad dataset names and empty inputs",
                 "[store][import]") {
  MemChunkStore store;
  CHECK(Import(store, "a\n1\n", "1bad").status().IsInvalidArgument());
  CsvPosition at;
  Result<ImportSummary> empty = Import(store, "", "e", 1 << 20, true, &at);
  CHECK(empty.status().IsInvalidArgument());
  CHECK(at.line == 1);
  Result<ImportSummary> header_only = Import(store, "a,b\n", "h", 1 << 20, true, &at);
  CHECK(header_only.status().IsInvalidArgument());
  CHECK(at.line == 2);
  Result<ImportSummary> garbage =
      Import(store, std::string("a,b\n\x00\xff\xfe,\x01\n", 10), "g", 1 << 20, true, &at);
  CHECK(garbage.status().IsInvalidArgument());
  CHECK(at.line == 2);
  CHECK(at.column == 1);
  CHECK(store.Stats().chunks == 0);
  CHECK(store.Stats().records == 0);
}

TEST_CASE_METHOD(ImportFixture, "A staged import shows nothing until it is committed",
                 "[store][import][stage]") {
  MemChunkStore store;
  // An existing dataset whose rows open the staged file, so some chunks are shared.
  REQUIRE(Import(store, NumberedCsv(5'000), "kept", 16 << 10).ok());
  const StoreStats before = store.Stats();
  const std::vector<ChunkId> chunks_before = *store.ListChunks();
  Result<std::optional<Manifest>> kept = LoadManifest(store, "kept");
  REQUIRE(kept.ok());
  REQUIRE(kept->has_value());

  Result<StagedImport> staged = Stage(store, NumberedCsv(40'000), "staged", 16 << 10);
  REQUIRE(staged.ok());
  const Manifest& m = staged->manifest;
  CHECK(m.name == "staged");
  CHECK(m.version == 0);
  CHECK(m.total_rows == 40'000);
  CHECK(staged->source_bytes == NumberedCsv(40'000).size());
  REQUIRE(m.chunks.size() > (*kept)->chunks.size());
  // Every chunk of the manifest is in the store; only those it did not hold are journalled.
  for (const ChunkRef& ref : m.chunks) CHECK(*store.HasChunk(ref.id));
  const std::set<ChunkId> shared(chunks_before.begin(), chunks_before.end());
  size_t fresh = 0;
  for (const ChunkRef& ref : m.chunks) fresh += shared.count(ref.id) == 0;
  REQUIRE(fresh > 0);
  REQUIRE(fresh < m.chunks.size());  // the first chunks are the same as kept's
  CHECK(staged->journalled.size() == fresh);
  CHECK(store.ScanRecords("pending/")->size() == fresh);
  for (const ChunkRef& ref : m.chunks) {
    CHECK(*IsStaged(store, ref.id) == (shared.count(ref.id) == 0));
  }
  CHECK(store.Stats().chunks == before.chunks + fresh);
  // ... but no dataset: nothing lists it.
  CHECK_FALSE(LoadManifest(store, "staged")->has_value());
  REQUIRE(ListManifests(store)->size() == 1);
  CHECK(ListManifests(store)->front().name == "kept");

  SECTION("CommitStaged makes it visible and drops the journal") {
    Manifest committed = m;
    committed.version = 7;
    const Bytes encoded = EncodeManifest(committed);
    StoreBatch extra;
    extra.PutRecord("note/staged", Bytes{1});
    REQUIRE(CommitStaged(store, *staged, committed, encoded, std::move(extra)).ok());
    CHECK(LoadManifest(store, "staged")->value() == committed);
    CHECK(store.ScanRecords("pending/")->empty());
    CHECK(store.GetRecord("note/staged").ok());  // the caller's batch went in with it
    CHECK(ListManifests(store)->size() == 2);
    CHECK(*RecoverInterruptedImports(store) == 0);
    for (const ChunkRef& ref : committed.chunks) {
      CHECK(store.GetChunk(ref.id).ok());
      CHECK_FALSE(*IsStaged(store, ref.id));
    }
  }
  SECTION("AbandonStaged removes its chunks and journal, keeping shared ones") {
    REQUIRE(AbandonStaged(store, *staged).ok());
    CHECK(*store.ListChunks() == chunks_before);
    CHECK(store.Stats().records == before.records);
    CHECK(store.ScanRecords("pending/")->empty());
    CHECK_FALSE(LoadManifest(store, "staged")->has_value());
  }
  SECTION("a crash between stage and commit leaves nothing after recovery") {
    Result<uint64_t> removed = RecoverInterruptedImports(store);
    REQUIRE(removed.ok());
    CHECK(*removed == fresh);
    CHECK(*store.ListChunks() == chunks_before);
    CHECK(store.Stats().records == before.records);
    CHECK(store.ScanRecords("pending/")->empty());
    CHECK_FALSE(LoadManifest(store, "staged")->has_value());
    for (const ChunkRef& ref : (*kept)->chunks) CHECK(store.GetChunk(ref.id).ok());
  }
}

TEST_CASE_METHOD(ImportFixture, "Staging a new version leaves the current one in place",
                 "[store][import][stage]") {
  MemChunkStore store;
  Result<ImportSummary> v1 = Import(store, NumberedCsv(3'000), "t", 16 << 10);
  REQUIRE(v1.ok());
  Result<StagedImport> staged = Stage(store, "x\n1\n2\n", "t", 16 << 10);
  REQUIRE(staged.ok());
  CHECK(LoadManifest(store, "t")->value() == v1->manifest);
  for (const ChunkRef& ref : v1->manifest.chunks) CHECK(*store.HasChunk(ref.id));

  // Committing version 2 replaces version 1 and deletes its chunks.
  Manifest v2 = staged->manifest;
  v2.version = 2;
  REQUIRE(CommitStaged(store, *staged, v2, EncodeManifest(v2)).ok());
  CHECK(LoadManifest(store, "t")->value() == v2);
  for (const ChunkRef& ref : v1->manifest.chunks) CHECK_FALSE(*store.HasChunk(ref.id));
  CHECK(store.Stats().chunks == v2.chunks.size());
}

TEST_CASE_METHOD(ImportFixture,
                 "A chunk a peer pushed while an import staged it outlives the import",
                 "[store][import][stage]") {
  MemChunkStore store;
  Result<StagedImport> staged = Stage(store, NumberedCsv(40'000), "staged", 16 << 10);
  REQUIRE(staged.ok());
  REQUIRE(staged->journalled.size() > 1);
  // A peer pushes the same bytes as one staged chunk; the node stores them as it stores every
  // push, acknowledges, and the peer counts this copy from then on.
  const ChunkId pushed = staged->journalled.front();
  Result<Bytes> bytes = store.GetChunk(pushed);
  REQUIRE(bytes.ok());
  StoreBatch push;
  push.PutChunk(pushed, *bytes);
  ClaimChunk(&push, pushed);
  REQUIRE(store.Write(push, Durability::kSync).ok());
  CHECK_FALSE(*IsStaged(store, pushed));
  CHECK(*IsStaged(store, staged->journalled.back()));

  SECTION("the import fails: its other chunks go, the pushed one stays") {
    REQUIRE(AbandonStaged(store, *staged).ok());
    CHECK(store.GetChunk(pushed).ok());
    CHECK(store.Stats().chunks == 1);
    CHECK(store.ScanRecords("pending/")->empty());
  }
  SECTION("the node dies before the commit: recovery keeps the pushed chunk") {
    Result<uint64_t> removed = RecoverInterruptedImports(store);
    REQUIRE(removed.ok());
    CHECK(*removed == staged->journalled.size() - 1);
    CHECK(store.GetChunk(pushed).ok());
    CHECK(store.ScanRecords("pending/")->empty());
  }
  SECTION("the import commits: every chunk is there and the journal is gone") {
    Manifest committed = staged->manifest;
    committed.version = 1;
    REQUIRE(CommitStaged(store, *staged, committed, EncodeManifest(committed)).ok());
    for (const ChunkRef& ref : committed.chunks) CHECK(store.GetChunk(ref.id).ok());
    CHECK(store.ScanRecords("pending/")->empty());
  }
}

}  // namespace
}  // namespace lake::store
