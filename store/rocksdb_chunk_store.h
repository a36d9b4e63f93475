// RocksDbChunkStore: the on-disk ChunkStore. One RocksDB database with three column families:
//   chunks      an encoded chunk (chunk_codec.h) in column parts, one value per column:
//               chunk id (32 bytes) ++ column index (4 bytes, big-endian) -> that column's
//               bytes, so a scan reads only the columns it needs. Bytes SplitChunkColumns cannot
//               cut (not a chunk in EncodeChunk's layout) are kept whole: chunk id -> bytes.
//               Values of 4 KiB and more go to blob files (large, write-once). RocksDB
//               compresses none of them: the chunk format compresses where it pays.
//   chunk_meta  chunk id -> encoded size (8 bytes LE), followed for a chunk kept in column parts
//               by its prefix (the bytes before the first column): Has/List/Stats without
//               reading chunks, and what GetChunk needs to put the parts back together. A chunk
//               kept whole (as every chunk was before column parts) has the size alone.
//   records     key -> small value (manifests, import journal)
// Reads ask RocksDB to verify its checksums (table blocks, blob records), check each column
// part's own CRC-32C, and read a chunk's values from one snapshot. A StoreBatch becomes one rocksdb::WriteBatch, so it is atomic across
// crashes. kSync writes fsync the write-ahead log; kBuffered writes (bulk chunk data) skip it and
// are flushed to disk before the next kSync write, which keeps the durability contract of
// chunk_store.h. This file is the only place that includes RocksDB. Thread-safety: all methods
// are safe to call concurrently; writes are serialised internally.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/chunk_store.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class PinnableSlice;
struct ReadOptions;
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
  Result<std::vector<DecodedPieces>> GetChunkColumnPieces(const ChunkId& id,
                                                          const std::vector<size_t>& columns,
                                                          size_t piece_rows) const override;
  Result<bool> HasChunk(const ChunkId& id) const override;
  Result<std::vector<ChunkId>> ListChunks() const override;
  Result<Bytes> GetRecord(const std::string& key) const override;
  Result<std::vector<std::pair<std::string, Bytes>>> ScanRecords(
      const std::string& prefix) const override;
  StoreStats Stats() const override;

  // Test hooks: damage as a fault below us would, without hashing. OverwriteChunk replaces what
  // is stored for chunk `id` with `bytes` (kept in column parts if they split; Stats follow);
  // OverwriteColumnPart replaces the value of column part `column` of `id` alone.
  Status TEST_OverwriteChunk(const ChunkId& id, const Bytes& bytes);
  Status TEST_OverwriteColumnPart(const ChunkId& id, uint32_t column, const Bytes& bytes);
  // Test hook: how many values the chunks family holds (whole chunks and column parts).
  Result<size_t> TEST_CountChunkValues() const;

 private:
  RocksDbChunkStore() = default;
  Status LoadStats();
  // The chunk_meta value of `id`, pinned; NotFound if absent.
  Status ReadMeta(const rocksdb::ReadOptions& options, const ChunkId& id,
                  rocksdb::PinnableSlice* meta) const;
  // The whole value of a chunk kept whole.
  Status ReadWhole(const rocksdb::ReadOptions& options, const ChunkId& id,
                   rocksdb::PinnableSlice* value) const;
  // Column parts `columns` (ascending, no repeats) of `id` into `values` (same order), and in
  // `parts` the part bytes inside them, checked against their CRC-32C. Corruption if one is
  // missing (its chunk_meta says it is there) or fails its CRC.
  Status ReadParts(const rocksdb::ReadOptions& options, const ChunkId& id,
                   const std::vector<size_t>& columns, std::vector<rocksdb::PinnableSlice>* values,
                   std::vector<ByteView>* parts) const;

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
