// MemTables: the tables a sqllogictest script builds with CREATE TABLE and INSERT ... VALUES (the
// engine has no DDL or DML), in memory, served to the engine as a TableProvider in small chunks so
// that partial aggregates, DISTINCT and top-N combine across chunks as over a real store.
// Owned by one script run. Thread-safety: Apply runs alone; the read methods may run concurrently
// with each other (the engine's scans).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/vector.h"
#include "sql/table_provider.h"

namespace lake::slt {

class MemTables final : public sql::TableProvider {
 public:
  // Rows per chunk of every table.
  static constexpr size_t kChunkRows = 16;

  // Applies `sql` if it is one CREATE TABLE, INSERT INTO ... VALUES or CREATE INDEX statement (an
  // index changes no answer, so it is accepted and has no effect). Column types come from the
  // declared ones (INTEGER -> BIGINT, VARCHAR/TEXT -> VARCHAR, REAL/FLOAT/DOUBLE/NUMERIC ->
  // DOUBLE, BOOLEAN, DATE, TIMESTAMP); constraints are ignored; VALUES are literals only. nullopt: `sql` is none of
  // these and is the engine's to run; otherwise the outcome, InvalidArgument for a statement of
  // these kinds that this loader cannot take (an expression among the VALUES, an unknown type,
  // an unknown table or column, a value of the wrong kind for its column).
  std::optional<Status> Apply(std::string_view sql);

  std::optional<Schema> FindTable(const std::string& name) const override;
  std::vector<sql::TableInfo> ListTables() const override;
  Result<std::vector<sql::ColumnRef>> ReadChunk(const std::string& table, size_t chunk,
                                                const std::vector<size_t>& columns) const override;

 private:
  struct Table {
    std::string name;  // as created
    Schema schema;
    std::vector<Vector> columns;  // one per schema column, all of the same size
  };

  Status CreateTable(const std::string& name, Schema schema);
  // REQUIRES: `row` has one entry per column of `table`, each nullopt (NULL) or of its type.
  void AppendRow(Table& table, const std::vector<std::optional<sql::Value>>& row);
  const Table* Find(const std::string& name) const;

  std::map<std::string, Table> tables_;  // by lowercased name (names are case-insensitive)
};

}  // namespace lake::slt
