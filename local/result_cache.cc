#include "local/result_cache.h"

#include <cctype>

namespace lake::local {

std::string ResultCache::Key(std::string_view sql, const std::vector<Id>& versions) {
  std::string key;
  char quote = 0;  // inside '...' or "..." while set
  bool pending_space = false;
  for (char c : sql) {
    if (quote == 0 && std::isspace(static_cast<unsigned char>(c))) {
      pending_space = !key.empty();
      continue;
    }
    if (pending_space) key += ' ';
    pending_space = false;
    key += c;
    if (quote == 0 && (c == '\'' || c == '"')) {
      quote = c;
    } else if (c == quote) {
      quote = 0;  // a doubled quote closes and reopens: the same text either way
    }
  }
  while (!key.empty() && (key.back() == ';' || key.back() == ' ')) key.pop_back();
  for (const Id& version : versions) key += '\n' + version.ToHex();
  return key;
}

size_t ResultCache::EstimateBytes(const std::string& key, const sql::QueryResult& result) {
  size_t bytes = sizeof(Entry) + key.size();
  for (const std::string& name : result.names) bytes += sizeof(std::string) + name.size();
  for (const std::vector<sql::Value>& row : result.rows) {
    bytes += sizeof(row);
    for (const sql::Value& value : row) bytes += sizeof(sql::Value) + value.text.size();
  }
  return bytes;
}

std::optional<sql::QueryResult> ResultCache::Find(const std::string& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  entries_.splice(entries_.begin(), entries_, it->second.first);
  return it->second.first->second;
}

void ResultCache::Insert(const std::string& key, const sql::QueryResult& result) {
  const size_t size = EstimateBytes(key, result);
  if (size > capacity_) return;
  if (auto it = index_.find(key); it != index_.end()) {
    bytes_ -= it->second.second;
    entries_.erase(it->second.first);
    index_.erase(it);
  }
  while (bytes_ + size > capacity_) {
    auto& oldest = entries_.back();
    auto it = index_.find(oldest.first);
    bytes_ -= it->second.second;
    index_.erase(it);
    entries_.pop_back();
  }
  entries_.emplace_front(key, result);
  index_.emplace(key, std::make_pair(entries_.begin(), size));
  bytes_ += size;
}

}  // namespace lake::local
