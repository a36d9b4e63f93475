#include "local/store_table_provider.h"

#include <strings.h>

#include "store/catalog.h"
#include "store/chunk_codec.h"

namespace lake::local {

Status StoreTableProvider::Refresh() {
  LAKE_ASSIGN_OR_RETURN(std::vector<store::Manifest> manifests, store::ListManifests(store_));
  Pin(std::move(manifests));
  return Status::OK();
}

void StoreTableProvider::Pin(std::vector<store::Manifest> manifests) {
  manifests_.clear();
  for (store::Manifest& m : manifests) manifests_.emplace(m.name, std::move(m));
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

Result<std::vector<sql::ColumnRef>> StoreTableProvider::ReadChunk(
    const std::string& table, size_t chunk, const std::vector<size_t>& columns) const {
  const store::Manifest* m = Find(table);
  if (m == nullptr || chunk >= m->chunks.size()) {
    return Status::NotFound("no chunk " + std::to_string(chunk) + " in table " + table);
  }
  const ChunkId& id = m->chunks[chunk].id;
  std::vector<sql::ColumnRef> out(columns.size());
  std::vector<size_t> missing;  // positions in `columns` the cache lacks
  for (size_t i = 0; i < columns.size(); ++i) {
    if (cache_ != nullptr) out[i] = cache_->Find(id, columns[i]);
    if (!out[i]) missing.push_back(i);
  }
  if (missing.empty()) return out;
  std::vector<size_t> to_read;
  for (size_t i : missing) to_read.push_back(columns[i]);
  const bool caching = cache_ != nullptr && cache_->capacity() > 0;
  LAKE_ASSIGN_OR_RETURN(std::vector<store::DecodedPieces> read,
                        store_.GetChunkColumnPieces(id, to_read, kVectorSize));
  for (size_t k = 0; k < missing.size(); ++k) {
    ColumnPieces& pieces = read[k].pieces;
    // Dictionary-encoded columns come with their dictionaries. Cached pieces serve many scans:
    // the other VARCHAR pieces whose strings repeat get one built once here.
    for (Vector& piece : pieces) {
      if (caching && piece.type() == LogicalType::kVarchar && piece.dictionary() == nullptr) {
        piece.SetDictionary(BuildDictionary(piece));
      }
    }
    auto column = std::make_shared<const ColumnPieces>(std::move(pieces));
    if (cache_ != nullptr) cache_->Insert(id, to_read[k], column);
    out[missing[k]] = std::move(column);
  }
  return out;
}

namespace {

// A zone map bound as a value of the column's type (the zone keeps DATE and TIMESTAMP as int64).
sql::Value ZoneBound(LogicalType type, const store::ZoneValue& bound) {
  sql::Value value = sql::Value::Null(type);
  value.is_null = false;
  if (const auto* i = std::get_if<int64_t>(&bound)) value.integer = *i;
  if (const auto* d = std::get_if<double>(&bound)) value.real = *d;
  if (const auto* b = std::get_if<bool>(&bound)) value.boolean = *b;
  if (const auto* t = std::get_if<std::string>(&bound)) value.text = *t;
  return value;
}

}  // namespace

std::optional<sql::ColumnRange> StoreTableProvider::ChunkRange(const std::string& table,
                                                               size_t chunk, size_t column) const {
  const store::Manifest* m = Find(table);
  if (m == nullptr || chunk >= m->chunks.size()) return std::nullopt;
  const store::ChunkRef& ref = m->chunks[chunk];
  if (column >= ref.zones.size() || column >= m->schema.size()) return std::nullopt;
  const store::ZoneMap& zone = ref.zones[column];
  const LogicalType type = m->schema[column].type;
  sql::ColumnRange range;
  range.rows = ref.rows;
  range.null_count = zone.null_count;
  if (zone.min && zone.max) {
    range.min = ZoneBound(type, *zone.min);
    range.max = ZoneBound(type, *zone.max);
  }
  return range;
}

}  // namespace lake::local
