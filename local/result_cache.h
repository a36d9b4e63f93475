// ResultCache: the answers of recent queries, so a dashboard or a team asking the same question
// again gets it without a scan. An answer is keyed by the query's text (normalised: runs of
// white space outside quotes become one space, trailing ';' and spaces dropped) and the
// versions (manifest ids) of the datasets it read: a new version of any of them is a different
// key, so no entry is ever stale and nothing needs invalidating; old entries age out. Bounded in
// bytes, the least recently used dropped first.
// Owned by the node's query planner. Thread-safety: not thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/id.h"
#include "common/lru_cache.h"
#include "sql/engine.h"

namespace lake::local {

class ResultCache {
 public:
  // `capacity_bytes` bounds the answers' estimated size; 0 keeps nothing.
  explicit ResultCache(size_t capacity_bytes) : answers_(capacity_bytes) {}

  static std::string Key(std::string_view sql, const std::vector<Id>& versions);

  // The answer cached under `key` (it becomes the most recently used), or nullopt.
  std::optional<sql::QueryResult> Find(const std::string& key);
  // Caches `result` under `key`, dropping the least recently used to make room; an answer
  // larger than the whole capacity is not kept.
  void Insert(const std::string& key, const sql::QueryResult& result);

  size_t bytes() const { return answers_.bytes(); }
  size_t entries() const { return answers_.entries(); }

 private:
  static size_t EstimateBytes(const std::string& key, const sql::QueryResult& result);

  LruCache<std::string, sql::QueryResult> answers_;
};

}  // namespace lake::local
