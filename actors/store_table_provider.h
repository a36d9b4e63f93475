// StoreTableProvider: the datasets of a local ChunkStore as SQL tables (sql/table_provider.h).
// Each dataset's newest manifest gives the schema and the chunk order; a scan reads and decodes
// only the requested columns of a chunk (ChunkStore::GetChunkColumns: not hashed, the store's
// own checksums catch damage at rest).
// Thread-safety: ReadChunk may be called concurrently (the store allows it); Refresh may not.
#pragma once

#include <map>
#include <string>

#include "sql/table_provider.h"
#include "store/chunk_store.h"
#include "store/manifest.h"

namespace lake::actors {

class StoreTableProvider final : public sql::TableProvider {
 public:
  explicit StoreTableProvider(const store::ChunkStore& store) : store_(store) {}

  // Loads the current manifests; call after imports.
  Status Refresh();

  std::optional<Schema> FindTable(const std::string& name) const override;
  std::vector<sql::TableInfo> ListTables() const override;
  Result<std::vector<Vector>> ReadChunk(const std::string& table, size_t chunk,
                                        const std::vector<size_t>& columns) const override;
  // From the manifest's zone maps, without reading the chunk.
  std::optional<sql::ColumnRange> ChunkRange(const std::string& table, size_t chunk,
                                             size_t column) const override;

 private:
  const store::Manifest* Find(const std::string& name) const;

  const store::ChunkStore& store_;
  std::map<std::string, store::Manifest> manifests_;  // by name
};

}  // namespace lake::actors
