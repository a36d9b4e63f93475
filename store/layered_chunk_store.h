// LayeredChunkStore: a read-only view of two stores' chunks, `top` first, then `base`. A query
// that gathers chunks this node does not hold keeps them in memory for its own run (`top`) and
// reads them beside the node's store (`base`), which it must not change: those chunks are not
// this node's to keep, and the keeper's repair would otherwise count them as copies.
// Records (manifests, the catalog) are the base's alone.
// Thread-safety: as the two stores (both ChunkStores: concurrent calls are safe).
#pragma once

#include "store/chunk_store.h"

namespace lake::store {

class LayeredChunkStore final : public ChunkStore {
 public:
  // REQUIRES: both stores outlive this object.
  LayeredChunkStore(const ChunkStore& top, const ChunkStore& base) : top_(top), base_(base) {}

  // Refused (Unsupported): the view changes neither store.
  Status Write(const StoreBatch& batch, Durability durability) override;
  Result<Bytes> GetChunk(const ChunkId& id) const override;
  Result<std::vector<DecodedPieces>> GetChunkColumnPieces(const ChunkId& id,
                                                          const std::vector<size_t>& columns,
                                                          size_t piece_rows) const override;
  Result<bool> HasChunk(const ChunkId& id) const override;
  // Both stores' ids, ascending, each once.
  Result<std::vector<ChunkId>> ListChunks() const override;
  Result<Bytes> GetRecord(const std::string& key) const override;
  Result<std::vector<std::pair<std::string, Bytes>>> ScanRecords(
      const std::string& prefix) const override;
  // The base's, plus the top's chunks (a chunk in both counted twice).
  StoreStats Stats() const override;

 private:
  // The store that holds chunk `id`: top if it does, else base.
  Result<const ChunkStore*> Holder(const ChunkId& id) const;

  const ChunkStore& top_;
  const ChunkStore& base_;
};

}  // namespace lake::store
