// OverlayTables: another TableProvider's tables plus in-memory ones, each a single chunk: how
// the results of a query's subqueries (sql/join_plan.h, DerivedTable) are read by the same scans
// as stored tables. The in-memory tables are added before any read.
// Thread-safety: Add before sharing; reads may then run concurrently.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sql/table_provider.h"

namespace lake::sql {

class OverlayTables final : public TableProvider {
 public:
  explicit OverlayTables(const TableProvider& base) : base_(base) {}

  // Adds table `name` (one Vector per column of `schema`, equally long), shadowing any other.
  void Add(const std::string& name, Schema schema, const std::vector<Vector>& columns);

  std::optional<Schema> FindTable(const std::string& name) const override;
  std::vector<TableInfo> ListTables() const override;
  Result<std::vector<ColumnRef>> ReadChunk(const std::string& table, size_t chunk,
                                           const std::vector<size_t>& columns) const override;
  std::optional<ColumnRange> ChunkRange(const std::string& table, size_t chunk,
                                        size_t column) const override;

 private:
  struct Table {
    Schema schema;
    std::vector<ColumnRef> columns;
    uint64_t rows = 0;
  };

  const TableProvider& base_;
  std::map<std::string, Table> tables_;
};

}  // namespace lake::sql
