#include "store/rocksdb_chunk_store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <optional>

#include "common/hash.h"

namespace lake::store {
namespace {

constexpr char kChunksFamily[] = "chunks";
constexpr char kMetaFamily[] = "chunk_meta";
constexpr char kRecordsFamily[] = "records";

rocksdb::Slice IdSlice(const ChunkId& id) {
  return rocksdb::Slice(reinterpret_cast<const char*>(id.bytes().data()), Id::kBytes);
}

rocksdb::Slice BytesSlice(const Bytes& bytes) {
  return rocksdb::Slice(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::string EncodeSize(uint64_t size) {
  std::string out(8, '\0');
  std::memcpy(out.data(), &size, 8);
  return out;
}

uint64_t DecodeSize(const std::string& value) {
  uint64_t size = 0;
  if (value.size() == 8) std::memcpy(&size, value.data(), 8);
  return size;
}

// RocksDB statuses map one to one onto ours.
Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::OK();
  const std::string message = std::string(context) + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(message);
  if (s.IsCorruption()) return Status::Corruption(message);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(message);
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) return Status::Unavailable(message);
  return Status::IOError(message);
}

rocksdb::ColumnFamilyOptions ChunkFamilyOptions() {
  rocksdb::ColumnFamilyOptions options;
  // Chunks are ~1 MiB, written once and read whole: keep them out of the LSM tree so compaction
  // never rewrites them.
  options.enable_blob_files = true;
  options.min_blob_size = 4096;
  options.blob_compression_type = rocksdb::kLZ4Compression;
  options.enable_blob_garbage_collection = true;
  options.write_buffer_size = 32 << 20;  // chunk values sit here until flushed: bounds RSS
  return options;
}

}  // namespace

Result<std::unique_ptr<RocksDbChunkStore>> RocksDbChunkStore::Open(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::IOError("cannot create " + path + ": " + ec.message());
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 4;
  // kBuffered writes skip the write-ahead log; a flush makes them durable. Flushing all column
  // families atomically keeps a chunk and its import-journal record together across a crash.
  db_options.atomic_flush = true;

  rocksdb::ColumnFamilyOptions small_options;
  small_options.compression = rocksdb::kLZ4Compression;
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, small_options},
      {kChunksFamily, ChunkFamilyOptions()},
      {kMetaFamily, small_options},
      {kRecordsFamily, small_options},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  LAKE_RETURN_IF_ERROR(
      FromRocks(rocksdb::DB::Open(db_options, path, families, &handles, &raw), "open " + path));
  std::unique_ptr<RocksDbChunkStore> store(new RocksDbChunkStore());
  store->db_.reset(raw);
  store->default_cf_ = handles[0];
  store->chunks_cf_ = handles[1];
  store->meta_cf_ = handles[2];
  store->records_cf_ = handles[3];
  LAKE_RETURN_IF_ERROR(store->LoadStats());
  return store;
}

RocksDbChunkStore::~RocksDbChunkStore() {
  if (!db_) return;
  for (auto* handle : {default_cf_, chunks_cf_, meta_cf_, records_cf_})
    db_->DestroyColumnFamilyHandle(handle);
  db_->Close().PermitUncheckedError();
}

Status RocksDbChunkStore::LoadStats() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), meta_cf_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++stats_.chunks;
    stats_.chunk_bytes += DecodeSize(it->value().ToString());
  }
  LAKE_RETURN_IF_ERROR(FromRocks(it->status(), "scan chunk metadata"));
  std::unique_ptr<rocksdb::Iterator> records(db_->NewIterator(rocksdb::ReadOptions(), records_cf_));
  for (records->SeekToFirst(); records->Valid(); records->Next()) ++stats_.records;
  return FromRocks(records->status(), "scan records");
}

Status RocksDbChunkStore::Write(const StoreBatch& batch, Durability durability) {
  std::lock_guard<std::mutex> lock(write_mu_);
  rocksdb::WriteBatch wb;
  StoreStats next = stats_;
  // What is stored as of the changes batched so far: the database overlaid with this batch, so a
  // batch that repeats a key keeps the counters exact. nullopt = absent.
  std::map<ChunkId, std::optional<uint64_t>> chunk_sizes;
  std::map<std::string, bool> records_present;
  auto stored_chunk_size = [&](const ChunkId& id) -> std::optional<uint64_t> {
    if (auto it = chunk_sizes.find(id); it != chunk_sizes.end()) return it->second;
    std::string meta;
    if (!db_->Get(rocksdb::ReadOptions(), meta_cf_, IdSlice(id), &meta).ok()) return std::nullopt;
    return DecodeSize(meta);
  };
  auto record_stored = [&](const std::string& key) {
    if (auto it = records_present.find(key); it != records_present.end()) return it->second;
    std::string ignored;
    return db_->Get(rocksdb::ReadOptions(), records_cf_, key, &ignored).ok();
  };

  for (const auto& [id, bytes] : batch.chunk_puts()) {
    if (stored_chunk_size(id)) continue;  // same id, same bytes: nothing to do
    LAKE_RETURN_IF_ERROR(FromRocks(wb.Put(chunks_cf_, IdSlice(id), BytesSlice(bytes)), "batch"));
    LAKE_RETURN_IF_ERROR(
        FromRocks(wb.Put(meta_cf_, IdSlice(id), EncodeSize(bytes.size())), "batch"));
    chunk_sizes[id] = bytes.size();
    ++next.chunks;
    next.chunk_bytes += bytes.size();
  }
  for (const ChunkId& id : batch.chunk_deletes()) {
    const std::optional<uint64_t> size = stored_chunk_size(id);
    if (!size) continue;
    LAKE_RETURN_IF_ERROR(FromRocks(wb.Delete(chunks_cf_, IdSlice(id)), "batch"));
    LAKE_RETURN_IF_ERROR(FromRocks(wb.Delete(meta_cf_, IdSlice(id)), "batch"));
    chunk_sizes[id] = std::nullopt;
    --next.chunks;
    next.chunk_bytes -= *size;
  }
  for (const auto& [key, value] : batch.record_puts()) {
    if (!record_stored(key)) ++next.records;
    records_present[key] = true;
    LAKE_RETURN_IF_ERROR(FromRocks(wb.Put(records_cf_, key, BytesSlice(value)), "batch"));
  }
  for (const std::string& key : batch.record_deletes()) {
    if (!record_stored(key)) continue;
    records_present[key] = false;
    --next.records;
    LAKE_RETURN_IF_ERROR(FromRocks(wb.Delete(records_cf_, key), "batch"));
  }
  rocksdb::WriteOptions options;
  if (durability == Durability::kSync) {
    // Buffered writes never reached the log: flush them to table and blob files first, so the
    // synced write below cannot outlive them in a crash.
    if (unflushed_buffered_writes_) {
      LAKE_RETURN_IF_ERROR(FromRocks(
          db_->Flush(rocksdb::FlushOptions(), {chunks_cf_, meta_cf_, records_cf_}), "flush"));
      unflushed_buffered_writes_ = false;
    }
    options.sync = true;
  } else {
    // Bulk chunk data is written once to blob files instead of twice (log, then blob).
    options.disableWAL = true;
  }
  LAKE_RETURN_IF_ERROR(FromRocks(db_->Write(options, &wb), "write"));
  if (durability == Durability::kBuffered) unflushed_buffered_writes_ = true;
  stats_ = next;
  return Status::OK();
}

Result<Bytes> RocksDbChunkStore::GetChunk(const ChunkId& id) const {
  rocksdb::PinnableSlice value;
  rocksdb::ReadOptions options;
  options.verify_checksums = true;
  LAKE_RETURN_IF_ERROR(
      FromRocks(db_->Get(options, chunks_cf_, IdSlice(id), &value), "chunk " + id.ShortHex()));
  Bytes bytes(value.data(), value.data() + value.size());
  if (Blake2b256(bytes) != id) {
    return Status::Corruption("chunk " + id.ShortHex() + " does not match its id");
  }
  return bytes;
}

Result<bool> RocksDbChunkStore::HasChunk(const ChunkId& id) const {
  std::string meta;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_cf_, IdSlice(id), &meta);
  if (s.IsNotFound()) return false;
  LAKE_RETURN_IF_ERROR(FromRocks(s, "chunk metadata"));
  return true;
}

Result<std::vector<ChunkId>> RocksDbChunkStore::ListChunks() const {
  std::vector<ChunkId> ids;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), meta_cf_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    auto id = Id::FromBytes(ByteView(reinterpret_cast<const uint8_t*>(key.data()), key.size()));
    if (!id) return Status::Corruption("chunk metadata key of the wrong size");
    ids.push_back(*id);
  }
  LAKE_RETURN_IF_ERROR(FromRocks(it->status(), "list chunks"));
  return ids;
}

Result<Bytes> RocksDbChunkStore::GetRecord(const std::string& key) const {
  rocksdb::PinnableSlice value;
  LAKE_RETURN_IF_ERROR(
      FromRocks(db_->Get(rocksdb::ReadOptions(), records_cf_, key, &value), "record " + key));
  return Bytes(value.data(), value.data() + value.size());
}

Result<std::vector<std::pair<std::string, Bytes>>> RocksDbChunkStore::ScanRecords(
    const std::string& prefix) const {
  std::vector<std::pair<std::string, Bytes>> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), records_cf_));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const rocksdb::Slice value = it->value();
    out.emplace_back(it->key().ToString(), Bytes(value.data(), value.data() + value.size()));
  }
  LAKE_RETURN_IF_ERROR(FromRocks(it->status(), "scan records"));
  return out;
}

StoreStats RocksDbChunkStore::Stats() const {
  std::lock_guard<std::mutex> lock(write_mu_);
  return stats_;
}

Status RocksDbChunkStore::TEST_OverwriteChunk(const ChunkId& id, const Bytes& bytes) {
  rocksdb::WriteOptions options;
  options.sync = true;
  return FromRocks(db_->Put(options, chunks_cf_, IdSlice(id), BytesSlice(bytes)), "overwrite");
}

}  // namespace lake::store
