#include "store/chunk_store.h"

namespace lake::store {

Status ChunkStore::PutChunk(const ChunkId& id, Bytes bytes) {
  StoreBatch batch;
  batch.PutChunk(id, std::move(bytes));
  return Write(batch, Durability::kSync);
}

Status ChunkStore::DeleteChunk(const ChunkId& id) {
  StoreBatch batch;
  batch.DeleteChunk(id);
  return Write(batch, Durability::kSync);
}

Status ChunkStore::PutRecord(std::string key, Bytes value) {
  StoreBatch batch;
  batch.PutRecord(std::move(key), std::move(value));
  return Write(batch, Durability::kSync);
}

Status ChunkStore::DeleteRecord(std::string key) {
  StoreBatch batch;
  batch.DeleteRecord(std::move(key));
  return Write(batch, Durability::kSync);
}

Result<RowGroup> ChunkStore::GetChunkColumns(const ChunkId& id,
                                             const std::vector<size_t>& columns) const {
  LAKE_ASSIGN_OR_RETURN(std::vector<DecodedPieces> whole,
                        GetChunkColumnPieces(id, columns, kWholeColumn));
  return WholeColumnsToRowGroup(std::move(whole));
}

}  // namespace lake::store
