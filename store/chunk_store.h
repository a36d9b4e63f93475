// ChunkStore: where a node keeps chunks (content-addressed blobs) and small named records
// (manifests, import journals). Two implementations share this interface: RocksDbChunkStore
// (disk) and MemChunkStore (tests and the simulator, which plays the disk with it).
//
// Contracts every implementation keeps:
//  - Write() applies a StoreBatch atomically: all of it or none of it, even across a crash.
//  - A kSync write is durable when it returns, and so is every write acknowledged before it.
//  - Chunk ids are checked where bytes enter the node, not on every read: PutChunk REQUIRES
//    id == Blake2b256(bytes), and the writers hash themselves (the importer computes each id;
//    bytes from peers must be verified before they are put).
//  - GetChunk() returns exactly the bytes put and verifies them against the id, returning
//    Corruption instead of bad data: it is what replication ships to peers.
//  - GetChunkColumnPieces() decodes only the columns asked for and does not hash: it is the scan
//    path, where hashing whole chunks cost more than reading them. Damage at rest is caught below
//    the codec instead: RocksDbChunkStore checks each column part's CRC-32C on every read
//    (MemChunkStore has no media to damage). Malformed bytes are Corruption, never a crash.
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/id.h"
#include "common/result.h"
#include "store/chunk_codec.h"

namespace lake::store {

// A set of changes applied together by ChunkStore::Write, in this order: chunk puts, chunk
// deletes, record puts, record deletes (each group in the order added).
class StoreBatch {
 public:
  // REQUIRES: id == Blake2b256(bytes) (callers hash once; GetChunk verifies, scans trust it).
  void PutChunk(const ChunkId& id, Bytes bytes) { chunk_puts_.emplace_back(id, std::move(bytes)); }
  void DeleteChunk(const ChunkId& id) { chunk_deletes_.push_back(id); }
  void PutRecord(std::string key, Bytes value) {
    record_puts_.emplace_back(std::move(key), std::move(value));
  }
  void DeleteRecord(std::string key) { record_deletes_.push_back(std::move(key)); }

  bool empty() const {
    return chunk_puts_.empty() && chunk_deletes_.empty() && record_puts_.empty() &&
           record_deletes_.empty();
  }
  const std::vector<std::pair<ChunkId, Bytes>>& chunk_puts() const { return chunk_puts_; }
  const std::vector<ChunkId>& chunk_deletes() const { return chunk_deletes_; }
  const std::vector<std::pair<std::string, Bytes>>& record_puts() const { return record_puts_; }
  const std::vector<std::string>& record_deletes() const { return record_deletes_; }

 private:
  std::vector<std::pair<ChunkId, Bytes>> chunk_puts_;
  std::vector<ChunkId> chunk_deletes_;
  std::vector<std::pair<std::string, Bytes>> record_puts_;
  std::vector<std::string> record_deletes_;
};

enum class Durability {
  kSync,      // durable on return (fsync'd write-ahead log)
  kBuffered,  // durable once a later kSync write returns, or lost together with it in a crash
};

struct StoreStats {
  uint64_t chunks = 0;
  uint64_t chunk_bytes = 0;
  uint64_t records = 0;
};

class ChunkStore {
 public:
  virtual ~ChunkStore() = default;

  virtual Status Write(const StoreBatch& batch, Durability durability) = 0;

  // NotFound if absent; Corruption if the stored bytes do not hash to `id`.
  virtual Result<Bytes> GetChunk(const ChunkId& id) const = 0;
  // The columns at `columns` (in that order) of the chunk, in pieces of `piece_rows` rows,
  // decoded as DecodeChunkColumnPieces would decode GetChunk's bytes, reading only those columns
  // where the store keeps them apart. Not verified against `id` (see the contracts above).
  // NotFound if absent; Corruption for malformed bytes or an index out of range.
  // REQUIRES: piece_rows a positive multiple of 64.
  virtual Result<std::vector<DecodedPieces>> GetChunkColumnPieces(
      const ChunkId& id, const std::vector<size_t>& columns, size_t piece_rows) const = 0;
  // The same, each column whole: what DecodeChunkColumns decodes from GetChunk's bytes.
  Result<RowGroup> GetChunkColumns(const ChunkId& id, const std::vector<size_t>& columns) const;
  virtual Result<bool> HasChunk(const ChunkId& id) const = 0;
  // Every chunk id held, in ascending order.
  virtual Result<std::vector<ChunkId>> ListChunks() const = 0;

  // NotFound if absent.
  virtual Result<Bytes> GetRecord(const std::string& key) const = 0;
  // Every record whose key starts with `prefix`, in ascending key order.
  virtual Result<std::vector<std::pair<std::string, Bytes>>> ScanRecords(
      const std::string& prefix) const = 0;

  virtual StoreStats Stats() const = 0;

  // Single-change conveniences over Write(), durable on return.
  Status PutChunk(const ChunkId& id, Bytes bytes);
  Status DeleteChunk(const ChunkId& id);
  Status PutRecord(std::string key, Bytes value);
  Status DeleteRecord(std::string key);
};

}  // namespace lake::store
