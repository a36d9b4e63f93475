// MemChunkStore: a ChunkStore in memory with the same contracts as the RocksDB one (atomic
// batches, verified GetChunk). Tests and the simulator use it; in the simulator it plays a node's
// disk and survives the node's restarts. kBuffered writes are as durable as kSync ones here.
// Chunks are held whole: GetChunkColumnPieces decodes the columns asked for from the held bytes.
// Thread-safety: all methods are safe to call concurrently (one mutex).
#pragma once

#include <map>
#include <mutex>

#include "store/chunk_store.h"

namespace lake::store {

class MemChunkStore final : public ChunkStore {
 public:
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

  // Test hook: replaces a stored chunk's bytes without re-hashing, as a disk fault would.
  void TEST_CorruptChunk(const ChunkId& id, Bytes bytes);

 private:
  mutable std::mutex mu_;
  // State below is protected by mu_.
  std::map<ChunkId, Bytes> chunks_;
  std::map<std::string, Bytes> records_;
  uint64_t chunk_bytes_ = 0;
};

}  // namespace lake::store
