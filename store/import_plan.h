// Import pass 1: reads the whole CSV once to validate it, infer every column's type, and cut it
// into row groups. Nothing is stored in this pass, so a file that is malformed anywhere (row 3
// million included) is rejected before a single chunk is written.
//
// Row groups are cut from per-segment statistics (every kSegmentRows rows: where the segment
// starts, and how many string bytes each column holds). Once the types are final these give each
// segment's exact encoded size, so groups come out near the target size, and pass 2 can encode
// every group independently, in parallel, starting from its recorded byte offset.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/logical_type.h"
#include "common/result.h"
#include "store/byte_source.h"
#include "store/csv_reader.h"

namespace lake::store {

inline constexpr uint64_t kSegmentRows = 1024;

struct ImportOptions {
  std::string name;                       // dataset name (see ValidateDatasetName)
  size_t target_chunk_bytes = 1 << 20;    // encoded size a row group aims for
  CsvOptions csv;
};

struct ImportProgress {
  enum class Phase { kScanning, kEncoding, kCommitting };
  Phase phase;
  uint64_t done;   // bytes scanned (kScanning) or chunks encoded (kEncoding)
  uint64_t total;  // file bytes or chunk count
};
using ProgressFn = std::function<void(const ImportProgress&)>;

struct RowGroupPlan {
  uint64_t offset;     // byte offset of the group's first record
  uint64_t line;       // physical line of that record
  uint64_t first_row;  // 0-based data row
  uint64_t rows;
};

struct ImportPlan {
  Schema schema;
  uint64_t rows = 0;
  std::vector<RowGroupPlan> groups;
};

// Pass 1. On a CSV error returns InvalidArgument ("line L, column C: ...") and, if `error_at` is
// given, the position as numbers. `progress` (may be empty) is called from this thread.
Result<ImportPlan> PlanImport(const ByteSource& source, const ImportOptions& options,
                              const ProgressFn& progress, CsvPosition* error_at);

}  // namespace lake::store
