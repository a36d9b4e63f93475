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
  // The entry's bookkeeping (list node and index slot), the key, and the answer's values.
  size_t bytes = 2 * key.size() + 128;
  for (const std::string& name : result.names) bytes += sizeof(std::string) + name.size();
  for (const std::vector<sql::Value>& row : result.rows) {
    bytes += sizeof(row);
    for (const sql::Value& value : row) bytes += sizeof(sql::Value) + value.text.size();
  }
  return bytes;
}

std::optional<sql::QueryResult> ResultCache::Find(const std::string& key) {
  const sql::QueryResult* found = answers_.Find(key);
  if (found == nullptr) return std::nullopt;
  return *found;
}

void ResultCache::Insert(const std::string& key, const sql::QueryResult& result) {
  answers_.Insert(key, result, EstimateBytes(key, result));
}

}  // namespace lake::local
