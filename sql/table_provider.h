// TableProvider: how the engine reaches table data without knowing where it lives. The local
// store (local/store_table_provider.h), CSV files given on the command line, and later remote
// chunk holders all appear as tables cut into chunks, each read column by column.
// Thread-safety: implementations must allow concurrent ReadChunk calls.
#pragma once

#include <strings.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/batch.h"
#include "common/result.h"
#include "common/vector.h"
#include "sql/binder.h"
#include "sql/value.h"

namespace lake::sql {

struct TableInfo {
  std::string name;
  Schema schema;
  uint64_t rows = 0;
  size_t chunks = 0;
};

// What a chunk's zone map says about one column: its NULL count and, when known, the smallest
// and largest non-NULL value (of the column's type).
struct ColumnRange {
  uint64_t rows = 0;
  uint64_t null_count = 0;
  std::optional<Value> min;  // both set or neither
  std::optional<Value> max;
};

// A decoded column in the pieces scans read, shared: a provider may keep it cached while scans
// read it.
using ColumnRef = std::shared_ptr<const ColumnPieces>;

class TableProvider : public Catalog {
 public:
  // Every table, ordered by name.
  virtual std::vector<TableInfo> ListTables() const = 0;
  std::optional<uint64_t> TableRows(const std::string& name) const override {
    for (const TableInfo& t : ListTables()) {
      if (t.name.size() == name.size() &&
          strncasecmp(t.name.data(), name.data(), name.size()) == 0) {
        return t.rows;
      }
    }
    return std::nullopt;
  }
  // REQUIRES: FindTable(table) succeeded. Reads columns `columns` (table column indexes, in that
  // order) of chunk `chunk` (0-based, < TableInfo::chunks): each column whole, in pieces.
  virtual Result<std::vector<ColumnRef>> ReadChunk(const std::string& table, size_t chunk,
                                                   const std::vector<size_t>& columns) const = 0;
  // The range of table column `column` in chunk `chunk`, if the provider keeps zone maps; the
  // engine skips chunks whose ranges cannot satisfy the WHERE clause. Same REQUIRES as ReadChunk.
  virtual std::optional<ColumnRange> ChunkRange(const std::string& /*table*/, size_t /*chunk*/,
                                                size_t /*column*/) const {
    return std::nullopt;
  }
};

}  // namespace lake::sql
