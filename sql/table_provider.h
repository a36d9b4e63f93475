// TableProvider: how the engine reaches table data without knowing where it lives. The local
// store (actors/store_table_provider.h), CSV files given on the command line, and later remote
// chunk holders all appear as tables cut into chunks, each read column by column.
// Thread-safety: implementations must allow concurrent ReadChunk calls.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/vector.h"
#include "sql/binder.h"

namespace lake::sql {

struct TableInfo {
  std::string name;
  Schema schema;
  uint64_t rows = 0;
  size_t chunks = 0;
};

class TableProvider : public Catalog {
 public:
  // Every table, ordered by name.
  virtual std::vector<TableInfo> ListTables() const = 0;
  // REQUIRES: FindTable(table) succeeded. Reads columns `columns` (table column indexes, in that
  // order) of chunk `chunk` (0-based, < TableInfo::chunks): one full-length Vector per column.
  virtual Result<std::vector<Vector>> ReadChunk(const std::string& table, size_t chunk,
                                                const std::vector<size_t>& columns) const = 0;
};

}  // namespace lake::sql
