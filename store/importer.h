// ImportCsv: turns a CSV into a stored dataset, atomically and in one streaming read.
//
// A CsvScanner (csv_scanner.h) reads the file once, inferring types and cutting row groups; as
// each group closes, workers on the TaskRunner re-read just that group's bytes (still in the page
// cache), convert them to the types known at that point, and write the chunk together with a
// journal record "pending/<id>". If a later row widens a type (BIGINT -> DOUBLE -> VARCHAR), the
// groups encoded with the narrower type are re-encoded at the end, so every chunk carries the
// final schema. The commit writes the manifest and drops the journal in one synced batch. So:
//  - a file that is malformed anywhere leaves nothing: chunks written before the bad row are
//    removed again;
//  - a crash before the commit leaves journal records that RecoverInterruptedImports() clears;
//    a chunk a peer pushed meanwhile (ClaimChunk) is no longer the import's and stays;
//  - once ImportCsv returns OK the dataset is durable;
//  - the same file always yields the same chunks (boundaries and types depend only on the bytes).
// Re-importing a name writes version n+1 and deletes chunks only the old version used.
// Concurrency: imports into one store must not run concurrently (the node serialises them).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/id.h"
#include "common/result.h"
#include "common/task_runner.h"
#include "store/byte_source.h"
#include "store/chunk_store.h"
#include "store/csv_reader.h"
#include "store/manifest.h"

namespace lake::store {

struct ImportOptions {
  std::string name;                     // dataset name (see ValidateDatasetName)
  size_t target_chunk_bytes = 1 << 20;  // decoded size a row group aims for (csv_scanner.h)
  CsvOptions csv;
};

struct ImportProgress {
  enum class Phase { kScanning, kEncoding, kCommitting };
  Phase phase;
  uint64_t done;   // bytes scanned (kScanning) or chunks written (kEncoding)
  uint64_t total;  // file bytes or chunk count
};
// Called from the import's threads, one call at a time.
using ProgressFn = std::function<void(const ImportProgress&)>;

struct ImportEnv {
  const Clock* clock = nullptr;  // stamps the manifest; REQUIRES: non-null
  TaskRunner* runner = nullptr;  // scans and encodes; REQUIRES: non-null
  NodeId uploader;               // zero for a local import
  ProgressFn progress;           // may be empty
};

struct ImportSummary {
  Manifest manifest;
  Id manifest_id;           // BLAKE2b-256 of the encoded manifest
  uint64_t new_chunks = 0;  // chunks the store did not hold before
  uint64_t source_bytes = 0;
};

// On a CSV error returns InvalidArgument ("line L, column C: ...") and, if `error_at` is given,
// the position as numbers. ImportCsv is StageCsv then CommitStaged with the next local version.
Result<ImportSummary> ImportCsv(ChunkStore& store, const ByteSource& source,
                                const ImportOptions& options, const ImportEnv& env,
                                CsvPosition* error_at = nullptr);

// The two halves of an import, for callers that must do something between writing the chunks
// and making the dataset visible (a network upload replicates the chunks first).
struct StagedImport {
  Manifest manifest;                // version unset (0): the caller chooses it
  std::vector<ChunkId> journalled;  // chunks this import wrote (journalled until commit or abandon)
  uint64_t source_bytes = 0;
};
// Writes the chunks (buffered) with their journal records; nothing is visible yet, and a crash
// before CommitStaged leaves nothing after RecoverInterruptedImports. Errors as ImportCsv's.
Result<StagedImport> StageCsv(ChunkStore& store, const ByteSource& source,
                              const ImportOptions& options, const ImportEnv& env,
                              CsvPosition* error_at = nullptr);
// Makes `manifest` (staged.manifest with its version set; `encoded` its encoding) current and
// drops the journal, in one synced batch together with `batch` (see ReplaceDataset).
Status CommitStaged(ChunkStore& store, const StagedImport& staged, const Manifest& manifest,
                    const Bytes& encoded, StoreBatch batch = {});
// Removes a staged import's chunks (those no dataset references) and its journal.
Status AbandonStaged(ChunkStore& store, const StagedImport& staged);

// Adds to `batch` the drop of chunk `id`'s journal record, if an import here journalled it: the
// chunk then outlives that import, whatever becomes of it (CommitStaged, AbandonStaged and
// RecoverInterruptedImports delete only chunks still journalled). For a chunk a peer pushed:
// once acknowledged, the peer counts this copy, even when an import here staged the same bytes
// and then fails or dies. A chunk no dataset ever names is the orphan collector's.
void ClaimChunk(StoreBatch* batch, const ChunkId& id);
// Whether chunk `id` is journalled: written by an import not yet committed (or interrupted), so
// its bytes may still be buffered (Durability::kBuffered) and go with that import. A node asked
// whether it holds a chunk answers no for these, or a peer would drop a copy on its word.
Result<bool> IsStaged(const ChunkStore& store, const ChunkId& id);

// Removes what imports interrupted by a crash left behind: journalled chunks that no manifest
// references. Call once when a store is opened. Returns how many chunks were removed.
Result<uint64_t> RecoverInterruptedImports(ChunkStore& store);

}  // namespace lake::store
