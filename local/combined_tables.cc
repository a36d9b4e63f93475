#include "local/combined_tables.h"

#include <algorithm>

namespace lake::local {

const sql::TableProvider* CombinedTables::Owner(const std::string& table) const {
  for (const sql::TableProvider* p : providers_) {
    if (p->FindTable(table)) return p;
  }
  return nullptr;
}

std::optional<Schema> CombinedTables::FindTable(const std::string& name) const {
  const sql::TableProvider* owner = Owner(name);
  return owner == nullptr ? std::nullopt : owner->FindTable(name);
}

std::vector<sql::TableInfo> CombinedTables::ListTables() const {
  std::vector<sql::TableInfo> all;
  for (const sql::TableProvider* p : providers_) {
    for (sql::TableInfo& t : p->ListTables()) all.push_back(std::move(t));
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return all;
}

Result<std::vector<sql::ColumnRef>> CombinedTables::ReadChunk(
    const std::string& table, size_t chunk, const std::vector<size_t>& columns) const {
  const sql::TableProvider* owner = Owner(table);
  if (owner == nullptr) return Status::NotFound("table " + table);
  return owner->ReadChunk(table, chunk, columns);
}

std::optional<sql::ColumnRange> CombinedTables::ChunkRange(const std::string& table, size_t chunk,
                                                           size_t column) const {
  const sql::TableProvider* owner = Owner(table);
  return owner == nullptr ? std::nullopt : owner->ChunkRange(table, chunk, column);
}

}  // namespace lake::local
