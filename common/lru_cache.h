// LruCache: values kept under their keys within a byte budget, the least recently used dropped
// first to make room. The caller says what each value costs, so one template serves caches of
// query answers and of chunk bytes alike. Keys name immutable things (content hashes, versions),
// so nothing is ever invalidated: old entries just age out.
// Thread-safety: not thread-safe.
#pragma once

#include <cstddef>
#include <list>
#include <unordered_map>
#include <utility>

namespace lake {

template <class Key, class Value>
class LruCache {
 public:
  // `capacity_bytes`: the budget; 0 keeps nothing.
  explicit LruCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

  // The value under `key` (it becomes the most recently used), or null. The pointer is valid
  // until the next Insert.
  const Value* Find(const Key& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    entries_.splice(entries_.begin(), entries_, it->second);
    return &it->second->value;
  }

  // Keeps `value` under `key` at a cost of `bytes`, replacing what was there and dropping the
  // least recently used entries to make room; a value costing more than the budget is not kept.
  void Insert(const Key& key, Value value, size_t bytes) {
    if (auto it = index_.find(key); it != index_.end()) Drop(it);
    if (bytes > capacity_) return;
    while (bytes_ + bytes > capacity_) Drop(index_.find(entries_.back().key));
    entries_.push_front(Entry{key, std::move(value), bytes});
    index_.emplace(key, entries_.begin());
    bytes_ += bytes;
  }

  size_t bytes() const { return bytes_; }
  size_t entries() const { return index_.size(); }

 private:
  struct Entry {
    Key key;
    Value value;
    size_t bytes;
  };
  using Index = std::unordered_map<Key, typename std::list<Entry>::iterator>;

  void Drop(typename Index::iterator it) {
    bytes_ -= it->second->bytes;
    entries_.erase(it->second);
    index_.erase(it);
  }

  const size_t capacity_;
  size_t bytes_ = 0;
  std::list<Entry> entries_;  // most recently used first
  Index index_;
};

}  // namespace lake
