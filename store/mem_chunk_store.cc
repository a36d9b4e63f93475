#include "store/mem_chunk_store.h"

#include "common/hash.h"

namespace lake::store {

Status MemChunkStore::Write(const StoreBatch& batch, Durability) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, bytes] : batch.chunk_puts()) {
    auto [it, inserted] = chunks_.try_emplace(id, bytes);
    if (inserted) chunk_bytes_ += bytes.size();
  }
  for (const ChunkId& id : batch.chunk_deletes()) {
    auto it = chunks_.find(id);
    if (it == chunks_.end()) continue;
    chunk_bytes_ -= it->second.size();
    chunks_.erase(it);
  }
  for (const auto& [key, value] : batch.record_puts()) records_[key] = value;
  for (const std::string& key : batch.record_deletes()) records_.erase(key);
  return Status::OK();
}

Result<Bytes> MemChunkStore::GetChunk(const ChunkId& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = chunks_.find(id);
  if (it == chunks_.end()) return Status::NotFound("chunk " + id.ShortHex() + " not stored");
  if (Blake2b256(it->second) != id) {
    return Status::Corruption("chunk " + id.ShortHex() + " does not match its id");
  }
  return it->second;
}

Result<std::vector<DecodedPieces>> MemChunkStore::GetChunkColumnPieces(
    const ChunkId& id, const std::vector<size_t>& columns, size_t piece_rows) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = chunks_.find(id);
  if (it == chunks_.end()) return Status::NotFound("chunk " + id.ShortHex() + " not stored");
  return DecodeChunkColumnPieces(it->second, columns, piece_rows);
}

Result<bool> MemChunkStore::HasChunk(const ChunkId& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return chunks_.count(id) != 0;
}

Result<std::vector<ChunkId>> MemChunkStore::ListChunks() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ChunkId> ids;
  ids.reserve(chunks_.size());
  for (const auto& entry : chunks_) ids.push_back(entry.first);
  return ids;
}

Result<Bytes> MemChunkStore::GetRecord(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = records_.find(key);
  if (it == records_.end()) return Status::NotFound("record " + key + " not stored");
  return it->second;
}

Result<std::vector<std::pair<std::string, Bytes>>> MemChunkStore::ScanRecords(
    const std::string& prefix) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, Bytes>> out;
  for (auto it = records_.lower_bound(prefix);
       it != records_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    out.emplace_back(it->first, it->second);
  }
  return out;
}

StoreStats MemChunkStore::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return StoreStats{chunks_.size(), chunk_bytes_, records_.size()};
}

void MemChunkStore::TEST_CorruptChunk(const ChunkId& id, Bytes bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = chunks_.find(id);
  if (it == chunks_.end()) return;
  chunk_bytes_ = chunk_bytes_ - it->second.size() + bytes.size();
  it->second = std::move(bytes);
}

}  // namespace lake::store
