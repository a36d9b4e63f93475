// ColumnCache: decoded chunk columns kept in memory for the scans that come back to them,
// bounded in bytes, the least recently used dropped first. Chunks are immutable and named by
// their content, so an entry can never go stale: a (chunk id, column) pair always decodes to
// the same values, and nothing needs invalidating when datasets change.
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "common/batch.h"
#include "common/id.h"

namespace lake::store {

class ColumnCache {
 public:
  // `capacity_bytes` bounds the decoded bytes held; 0 holds nothing.
  explicit ColumnCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

  // The cached column `column` of chunk `id`, or null.
  std::shared_ptr<const ColumnPieces> Find(const ChunkId& id, size_t column);
  // Caches `pieces` as that column, dropping the least recently used entries to make room. A
  // column larger than the whole capacity is not kept.
  void Insert(const ChunkId& id, size_t column, std::shared_ptr<const ColumnPieces> pieces);

  size_t capacity() const { return capacity_; }

  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    size_t bytes = 0;
    size_t entries = 0;
  };
  Stats stats() const;

 private:
  using Key = std::pair<ChunkId, size_t>;
  struct KeyHash {
    size_t operator()(const Key& key) const;
  };
  struct Entry {
    Key key;
    std::shared_ptr<const ColumnPieces> column;
    size_t bytes;
  };

  const size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> index_;
  size_t bytes_ = 0;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace lake::store
