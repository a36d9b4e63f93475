// CombinedTables: several TableProviders seen as one (`p2plake sql --data-dir D --table
// name=file.csv`): a table belongs to the first provider that has it, which answers every call
// about it, zone maps included. Thread-safety: as the providers it combines.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sql/table_provider.h"

namespace lake::local {

class CombinedTables final : public sql::TableProvider {
 public:
  // REQUIRES: `provider` outlives this object.
  void Add(const sql::TableProvider* provider) { providers_.push_back(provider); }

  std::optional<Schema> FindTable(const std::string& name) const override;
  // Every provider's tables, ordered by name.
  std::vector<sql::TableInfo> ListTables() const override;
  Result<std::vector<sql::ColumnRef>> ReadChunk(const std::string& table, size_t chunk,
                                                const std::vector<size_t>& columns) const override;
  std::optional<sql::ColumnRange> ChunkRange(const std::string& table, size_t chunk,
                                             size_t column) const override;

 private:
  // The provider that answers for `table`, or nullptr.
  const sql::TableProvider* Owner(const std::string& table) const;

  std::vector<const sql::TableProvider*> providers_;
};

}  // namespace lake::local
