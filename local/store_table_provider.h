// StoreTableProvider: the datasets of a local ChunkStore as SQL tables (sql/table_provider.h).
// Each dataset's newest manifest (or the version a query pinned) gives the schema and the chunk
// order; a scan reads and decodes
// only the requested columns of a chunk, straight into the pieces scans read, dictionaries
// included (ChunkStore::GetChunkColumnPieces: not hashed, the store's own checksums catch damage
// at rest). With a ColumnCache, decoded columns are kept for the scans that come back to them.
// Thread-safety: ReadChunk may be called concurrently (the store allows it); Refresh may not.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sql/table_provider.h"
#include "store/chunk_store.h"
#include "store/column_cache.h"
#include "store/manifest.h"

namespace lake::local {

class StoreTableProvider final : public sql::TableProvider {
 public:
  // REQUIRES: `store` and `cache` (null: no caching) outlive this object.
  explicit StoreTableProvider(const store::ChunkStore& store, store::ColumnCache* cache = nullptr)
      : store_(store), cache_(cache) {}

  // Loads the current manifests; call after imports.
  Status Refresh();
  // Serves exactly `manifests` instead (a query's pinned versions, whatever the store's current
  // ones are), until the next Refresh.
  void Pin(std::vector<store::Manifest> manifests);

  std::optional<Schema> FindTable(const std::string& name) const override;
  std::vector<sql::TableInfo> ListTables() const override;
  Result<std::vector<sql::ColumnRef>> ReadChunk(const std::string& table, size_t chunk,
                                                const std::vector<size_t>& columns) const override;
  // From the manifest's zone maps, without reading the chunk.
  std::optional<sql::ColumnRange> ChunkRange(const std::string& table, size_t chunk,
                                             size_t column) const override;

 private:
  const store::Manifest* Find(const std::string& name) const;

  const store::ChunkStore& store_;
  store::ColumnCache* const cache_;
  std::map<std::string, store::Manifest> manifests_;  // by name
};

}  // namespace lake::local
