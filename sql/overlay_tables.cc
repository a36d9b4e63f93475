#include "sql/overlay_tables.h"

namespace lake::sql {

void OverlayTables::Add(const std::string& name, Schema schema,
                        const std::vector<Vector>& columns) {
  Table table;
  table.schema = std::move(schema);
  table.rows = columns.empty() ? 0 : columns[0].size();
  for (const Vector& column : columns) {
    table.columns.push_back(
        std::make_shared<const ColumnPieces>(CutIntoPieces(column, /*dictionaries=*/false)));
  }
  tables_[name] = std::move(table);
}

std::optional<Schema> OverlayTables::FindTable(const std::string& name) const {
  auto it = tables_.find(name);
  if (it != tables_.end()) return it->second.schema;
  return base_.FindTable(name);
}

std::vector<TableInfo> OverlayTables::ListTables() const {
  std::vector<TableInfo> all = base_.ListTables();
  for (const auto& [name, table] : tables_) {
    all.push_back(TableInfo{name, table.schema, table.rows, 1});
  }
  return all;
}

Result<std::vector<ColumnRef>> OverlayTables::ReadChunk(const std::string& table, size_t chunk,
                                                        const std::vector<size_t>& columns) const {
  auto it = tables_.find(table);
  if (it == tables_.end()) return base_.ReadChunk(table, chunk, columns);
  std::vector<ColumnRef> out;
  for (size_t c : columns) out.push_back(it->second.columns[c]);
  return out;
}

std::optional<ColumnRange> OverlayTables::ChunkRange(const std::string& table, size_t chunk,
                                                     size_t column) const {
  if (tables_.count(table) != 0) return std::nullopt;
  return base_.ChunkRange(table, chunk, column);
}

}  // namespace lake::sql
