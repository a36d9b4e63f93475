#include "store/layered_chunk_store.h"

#include <algorithm>
#include <iterator>

namespace lake::store {

Status LayeredChunkStore::Write(const StoreBatch& /*batch*/, Durability /*durability*/) {
  return Status::Unsupported("a layered view of two stores is read-only");
}

Result<const ChunkStore*> LayeredChunkStore::Holder(const ChunkId& id) const {
  LAKE_ASSIGN_OR_RETURN(bool in_top, top_.HasChunk(id));
  return in_top ? &top_ : &base_;
}

Result<Bytes> LayeredChunkStore::GetChunk(const ChunkId& id) const {
  LAKE_ASSIGN_OR_RETURN(const ChunkStore* holder, Holder(id));
  return holder->GetChunk(id);
}

Result<std::vector<DecodedPieces>> LayeredChunkStore::GetChunkColumnPieces(
    const ChunkId& id, const std::vector<size_t>& columns, size_t piece_rows) const {
  LAKE_ASSIGN_OR_RETURN(const ChunkStore* holder, Holder(id));
  return holder->GetChunkColumnPieces(id, columns, piece_rows);
}

Result<bool> LayeredChunkStore::HasChunk(const ChunkId& id) const {
  LAKE_ASSIGN_OR_RETURN(const ChunkStore* holder, Holder(id));
  return holder == &top_ ? Result<bool>(true) : base_.HasChunk(id);
}

Result<std::vector<ChunkId>> LayeredChunkStore::ListChunks() const {
  LAKE_ASSIGN_OR_RETURN(std::vector<ChunkId> top, top_.ListChunks());
  LAKE_ASSIGN_OR_RETURN(std::vector<ChunkId> base, base_.ListChunks());
  std::vector<ChunkId> both;
  both.reserve(top.size() + base.size());
  std::set_union(top.begin(), top.end(), base.begin(), base.end(), std::back_inserter(both));
  return both;
}

Result<Bytes> LayeredChunkStore::GetRecord(const std::string& key) const {
  return base_.GetRecord(key);
}

Result<std::vector<std::pair<std::string, Bytes>>> LayeredChunkStore::ScanRecords(
    const std::string& prefix) const {
  return base_.ScanRecords(prefix);
}

StoreStats LayeredChunkStore::Stats() const {
  StoreStats stats = base_.Stats();
  const StoreStats top = top_.Stats();
  stats.chunks += top.chunks;
  stats.chunk_bytes += top.chunk_bytes;
  return stats;
}

}  // namespace lake::store
