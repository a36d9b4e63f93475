// Test support: one SELECT run as the distributed engine runs it, over a LocalEngine's tables:
// one leaf fragment per chunk plus an empty one, each request and partial result through its
// wire encoding, merged by the root stage. Header-only; any test binary that links lake_local
// may include it.
#pragma once

#include <strings.h>

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "local/local_engine.h"
#include "sql/fragment_codec.h"
#include "sql/parser.h"

namespace lake::testing {

// The merged answer of `sql`, or nullopt when `sql` is not exactly one SELECT over a table (the
// statement has nothing to spread). A failing fragment or merge is the error. `statement_time`
// travels in every request, as a root sends its own (and the merge binds with it).
inline std::optional<Result<sql::QueryResult>> RunInFragments(
    local::LocalEngine& engine, const std::string& sql,
    std::optional<int64_t> statement_time = std::nullopt) {
  Result<std::vector<sql::Statement>> parsed = sql::Parse(sql);
  if (!parsed.ok() || parsed->size() != 1 || (*parsed)[0].kind != sql::Statement::Kind::kSelect) {
    return std::nullopt;
  }
  engine.engine().SetStatementTime(statement_time);  // FragmentTable and the merge bind with it
  Result<std::string> table = engine.engine().FragmentTable(sql);
  if (!table.ok() || table->empty()) return std::nullopt;
  // A query driven by a subquery's result rather than a stored table has no chunks to spread.
  std::optional<size_t> chunks;
  for (const sql::TableInfo& t : engine.tables().ListTables()) {
    if (strcasecmp(t.name.c_str(), table->c_str()) == 0) chunks = t.chunks;
  }
  if (!chunks) return std::nullopt;
  std::vector<Bytes> partials;
  for (size_t chunk = 0; chunk <= *chunks; ++chunk) {
    sql::FragmentRequest request{sql, {}, statement_time};
    if (chunk < *chunks) request.chunks.push_back(chunk);
    Result<Bytes> partial = engine.engine().RunFragment(sql::EncodeFragmentRequest(request));
    if (!partial.ok()) {
      return Result<sql::QueryResult>(
          Status::InvalidArgument("fragment failed: " + partial.status().ToString()));
    }
    partials.push_back(std::move(*partial));
  }
  Result<sql::QueryResult> merged = engine.engine().MergeFragments(sql, partials);
  if (merged.ok() && merged->chunks_scanned + merged->chunks_pruned != *chunks) {
    return Result<sql::QueryResult>(Status::InvalidArgument(
        "fragments account for " + std::to_string(merged->chunks_scanned + merged->chunks_pruned) +
        " of " + std::to_string(*chunks) + " chunks"));
  }
  return merged;
}

}  // namespace lake::testing
