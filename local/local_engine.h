// LocalEngine: the embedded SQL engine over what this machine holds, with no network: the
// datasets of attached stores (a data directory's) and CSV files imported into memory, seen as
// one catalog, scanned on a worker pool through a decoded-column cache. It is the one place the
// local query stack is assembled: `p2plake sql`, the node's query planner and the tests use it.
// Thread-safety: one call at a time (the engine's rule); scans fan out on the pool internally.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/task_runner.h"
#include "local/combined_tables.h"
#include "local/store_table_provider.h"
#include "sql/engine.h"
#include "store/chunk_store.h"
#include "store/column_cache.h"
#include "store/mem_chunk_store.h"

namespace lake::local {

struct LocalEngineOptions {
  size_t threads = 1;                            // workers for scans and CSV imports, >= 1
  size_t cache_bytes = 0;                        // decoded columns kept between scans; 0 = no cache
  uint64_t csv_chunk_bytes = uint64_t{1} << 20;  // target chunk size of imported CSV tables
};

class LocalEngine {
 public:
  explicit LocalEngine(const LocalEngineOptions& options);
  LocalEngine(const LocalEngine&) = delete;
  LocalEngine& operator=(const LocalEngine&) = delete;

  // Makes the datasets of `store` tables (an error reading them leaves the store attached, to
  // be read again by Refresh). REQUIRES: `store` outlives this object.
  Status AttachStore(const store::ChunkStore& store);
  // Imports the CSV file at `path` into memory as table `name`, its manifest stamped by
  // `clock`; the error names the file and, for a malformed file, the line and column.
  Status AttachCsv(const std::string& name, const std::string& path, const Clock& clock);
  // Re-reads the attached stores' manifests (datasets imported or replaced since).
  Status Refresh();

  sql::Engine& engine() { return engine_; }
  // Every attached table: the engine's catalog.
  const sql::TableProvider& tables() const { return tables_; }
  TaskRunner& runner() { return pool_; }
  // Decoded columns kept between scans, for other readers of the same stores (fragments).
  store::ColumnCache& cache() { return cache_; }

 private:
  // Immutable after construction
  const LocalEngineOptions options_;

  // Mutable state
  ThreadPool pool_;
  store::ColumnCache cache_;
  store::MemChunkStore csv_store_;  // CSV tables, created by the first AttachCsv
  std::vector<std::unique_ptr<StoreTableProvider>> providers_;
  StoreTableProvider* csv_tables_ = nullptr;
  CombinedTables tables_;
  sql::Engine engine_;
};

}  // namespace lake::local
