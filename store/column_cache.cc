#include "store/column_cache.h"

#include <cstring>

namespace lake::store {

size_t ColumnCache::KeyHash::operator()(const Key& key) const {
  // Chunk ids are BLAKE2b hashes: any 8 of their bytes are already uniform.
  uint64_t prefix;
  std::memcpy(&prefix, key.first.bytes().data(), sizeof prefix);
  return static_cast<size_t>(prefix ^ (key.second * 0x9e3779b97f4a7c15ULL));
}

std::shared_ptr<const ColumnPieces> ColumnCache::Find(const ChunkId& id, size_t column) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(Key{id, column});
  if (it == index_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->column;
}

void ColumnCache::Insert(const ChunkId& id, size_t column,
                         std::shared_ptr<const ColumnPieces> pieces) {
  size_t bytes = 0;
  for (const Vector& piece : *pieces) bytes += piece.MemoryBytes();
  if (bytes > capacity_) return;
  std::lock_guard<std::mutex> lock(mu_);
  const Key key{id, column};
  if (index_.count(key) != 0) return;  // a concurrent scan decoded it too
  while (bytes_ + bytes > capacity_) {
    const Entry& last = lru_.back();
    bytes_ -= last.bytes;
    index_.erase(last.key);
    lru_.pop_back();
  }
  lru_.push_front(Entry{key, std::move(pieces), bytes});
  index_.emplace(key, lru_.begin());
  bytes_ += bytes;
}

ColumnCache::Stats ColumnCache::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Stats{hits_, misses_, bytes_, lru_.size()};
}

}  // namespace lake::store
