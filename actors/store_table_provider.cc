#include "actors/store_table_provider.h"

#include <strings.h>

#include "store/catalog.h"
#include "store/chunk_codec.h"

namespace lake::actors {

Status StoreTableProvider::Refresh() {
  LAKE_ASSIGN_OR_RETURN(std::vector<store::Manifest> manifests, store::ListManifests(store_));
  manifests_.clear();
  for (store::Manifest& m : manifests) manifests_.emplace(m.name, std::move(m));
  return Status::OK();
}

const store::Manifest* StoreTableProvider::Find(const std::string& name) const {
  auto it = manifests_.find(name);
  if (it != manifests_.end()) return &it->second;
  // SQL folds unquoted names to lower case; dataset names keep theirs.
  for (const auto& [key, manifest] : manifests_) {
    if (strcasecmp(key.c_str(), name.c_str()) == 0) return &manifest;
  }
  return nullptr;
}

std::optional<Schema> StoreTableProvider::FindTable(const std::string& name) const {
  const store::Manifest* m = Find(name);
  if (m == nullptr) return std::nullopt;
  return m->schema;
}

std::vector<sql::TableInfo> StoreTableProvider::ListTables() const {
  std::vector<sql::TableInfo> tables;
  for (const auto& [name, m] : manifests_) {
    tables.push_back(sql::TableInfo{name, m.schema, m.total_rows, m.chunks.size()});
  }
  return tables;
}

Result<std::vector<Vector>> StoreTableProvider::ReadChunk(
    const std::string& table, size_t chunk, const std::vector<size_t>& columns) const {
  const store::Manifest* m = Find(table);
  if (m == nullptr || chunk >= m->chunks.size()) {
    return Status::NotFound("no chunk " + std::to_string(chunk) + " in table " + table);
  }
  LAKE_ASSIGN_OR_RETURN(Bytes bytes, store_.GetChunk(m->chunks[chunk].id));
  LAKE_ASSIGN_OR_RETURN(store::RowGroup group, store::DecodeChunkColumns(bytes, columns));
  return std::move(group.columns);
}

}  // namespace lake::actors
