// ImportCsv: turns a CSV into a stored dataset, atomically. Pass 1 (import_plan.h) validates the
// whole file and fixes the schema; pass 2 encodes row groups into chunks (in parallel on the
// given TaskRunner) and writes each new chunk together with a journal record "pending/<id>";
// the commit writes the manifest and drops the journal in one synced batch. So:
//  - a malformed file stores nothing;
//  - a failure in pass 2 removes the chunks it added;
//  - a crash before the commit leaves journal records that RecoverInterruptedImports() clears;
//  - once ImportCsv returns OK the dataset is durable.
// Re-importing a name writes version n+1 and deletes chunks only the old version used.
// Concurrency: imports into one store must not run concurrently (the node serialises them).
#pragma once

#include <cstdint>

#include "common/clock.h"
#include "common/id.h"
#include "common/result.h"
#include "common/task_runner.h"
#include "store/byte_source.h"
#include "store/chunk_store.h"
#include "store/import_plan.h"
#include "store/manifest.h"

namespace lake::store {

struct ImportEnv {
  const Clock* clock = nullptr;  // stamps the manifest; REQUIRES: non-null
  TaskRunner* runner = nullptr;  // encodes row groups; REQUIRES: non-null
  NodeId uploader;               // zero for a local import
  ProgressFn progress;           // may be empty
};

struct ImportSummary {
  Manifest manifest;
  Id manifest_id;           // BLAKE2b-256 of the encoded manifest
  uint64_t new_chunks = 0;  // chunks the store did not hold before
  uint64_t source_bytes = 0;
};

Result<ImportSummary> ImportCsv(ChunkStore& store, const ByteSource& source,
                                const ImportOptions& options, const ImportEnv& env,
                                CsvPosition* error_at = nullptr);

// Removes what imports interrupted by a crash left behind: journalled chunks that no manifest
// references. Call once when a store is opened. Returns how many chunks were removed.
Result<uint64_t> RecoverInterruptedImports(ChunkStore& store);

}  // namespace lake::store
