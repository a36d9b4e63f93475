// ResultCache: the answers of recent queries, so a dashboard or a team asking the same question
// again gets it without a scan. An answer is keyed by the query's text (normalised: runs of
// white space outside quotes become one space, trailing ';' and spaces dropped) and the
// versions (manifest ids) of the datasets it read: a new version of any of them is a different
// key, so no entry is ever stale and nothing needs invalidating; old entries age out. Bounded in
// bytes, the least recently used dropped first.
// Owned by the node's query planner. Thread-safety: not thread-safe.
#pragma once

#include <cstddef>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/id.h"
#include "sql/engine.h"

namespace lake::local {

class ResultCache {
 public:
  // `capacity_bytes` bounds the answers' estimated size; 0 keeps nothing.
  explicit ResultCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

  static std::string Key(std::string_view sql, const std::vector<Id>& versions);

  // The answer cached under `key` (it becomes the most recently used), or nullopt.
  std::optional<sql::QueryResult> Find(const std::string& key);
  // Caches `result` under `key`, dropping the least recently used to make room; an answer
  // larger than the whole capacity is not kept.
  void Insert(const std::string& key, const sql::QueryResult& result);

  size_t bytes() const { return bytes_; }
  size_t entries() const { return index_.size(); }

 private:
  using Entry = std::pair<std::string, sql::QueryResult>;
  static size_t EstimateBytes(const std::string& key, const sql::QueryResult& result);

  const size_t capacity_;
  size_t bytes_ = 0;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string, std::pair<std::list<Entry>::iterator, size_t>> index_;
};

}  // namespace lake::local
