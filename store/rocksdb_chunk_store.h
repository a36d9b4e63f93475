// RocksDbChunkStore: the on-disk ChunkStore. One RocksDB database with three column families:
//   chunks      chunk id (32 bytes) -> encoded chunk; values go to blob files (large, write-once)
//   chunk_meta  chunk id -> encoded size (8 bytes LE): Has/List/Stats without reading chunks
//   records     key -> small value (manifests, import journal)
// A StoreBatch becomes one rocksdb::WriteBatch, so it is atomic across crashes. kSync writes
// fsync the write-ahead log; kBuffered writes (bulk chunk data) skip it and are flushed to disk
// before the next kSync write, which keeps the durability contract of chunk_store.h. This file is
// the only place that includes RocksDB. Thread-safety: all methods are safe to call concurrently;
// writes are serialised internally.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/chunk_store.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace lake::store {

class RocksDbChunkStore final : public ChunkStore {
 public:
  // Opens the database in directory `path`, creating the directory and database if missing.
  static Result<std::unique_ptr<RocksDbChunkStore>> Open(const std::string& path);
  ~RocksDbChunkStore() override;
  RocksDbChunkStore(const RocksDbChunkStore&) = delete;
  RocksDbChunkStore& operator=(const RocksDbChunkStore&) = delete;

  Status Write(const StoreBatch& batch, Durability durability) override;
  Result<Bytes> GetChunk(const ChunkId& id) const override;
  Result<bool> HasChunk(const ChunkId& id) const override;
  Result<std::vector<ChunkId>> ListChunks() const override;
  Result<Bytes> GetRecord(const std::string& key) const override;
  Result<std::vector<std::pair<std::string, Bytes>>> ScanRecords(
      const std::string& prefix) const override;
  StoreStats Stats() const override;

  // Test hook: stores `bytes` under `id` without hashing, as a fault below us would.
  Status TEST_OverwriteChunk(const ChunkId& id, const Bytes& bytes);

 private:
  RocksDbChunkStore() = default;
  Status LoadStats();

  // Immutable after Open
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* default_cf_ = nullptr;  // unused, but its handle must be freed
  rocksdb::ColumnFamilyHandle* chunks_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* records_cf_ = nullptr;

  // Serialises writes so the counters below match the database.
  mutable std::mutex write_mu_;
  // Protected by write_mu_.
  StoreStats stats_;
  bool unflushed_buffered_writes_ = false;
};

}  // namespace lake::store
