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

}  // namespace lake::store
