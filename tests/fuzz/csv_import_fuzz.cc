// Fuzz target: CSV text as a user uploads it, through the record reader, type inference and the
// whole import into an in-memory store. The first byte sets the reader's block size and the
// importer's chunk size. Properties:
//  - the reader returns the same records and the same error wherever its blocks end;
//  - every field a column's inferrer saw parses as the type it inferred;
//  - an import either fails or stores chunks that decode to the manifest's schema and row counts,
//    and the same text imported with another chunk size has the same schema and rows.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/task_runner.h"
#include "store/byte_source.h"
#include "store/catalog.h"
#include "store/chunk_codec.h"
#include "store/csv_reader.h"
#include "store/importer.h"
#include "store/mem_chunk_store.h"
#include "store/type_inference.h"
#include "tests/fuzz/fuzz_check.h"

namespace lake::store {
namespace {

struct Records {
  std::vector<std::vector<std::string>> rows;
  Status status;
  CsvPosition error_at;
};

Records ReadAll(const ByteSource& source, size_t block_bytes) {
  CsvOptions options;
  options.block_bytes = block_bytes;
  CsvReader reader(source, 0, 1, options);
  Records out;
  std::vector<std::string_view> fields;
  while (true) {
    Result<bool> more = reader.Next(&fields);
    if (!more.ok()) {
      out.status = more.status();
      out.error_at = reader.error_position();
      return out;
    }
    if (!*more) return out;
    out.rows.emplace_back(fields.begin(), fields.end());
  }
}

void CheckInference(const Records& records) {
  if (records.rows.empty()) return;
  const size_t columns = records.rows[0].size();
  for (size_t c = 0; c < columns; ++c) {
    TypeInferrer inferrer;
    for (size_t r = 1; r < records.rows.size(); ++r) {
      if (c < records.rows[r].size()) inferrer.Observe(records.rows[r][c]);
    }
    const LogicalType type = inferrer.Result();
    Vector column(type);
    for (size_t r = 1; r < records.rows.size(); ++r) {
      if (c < records.rows[r].size()) FUZZ_CHECK(AppendParsed(records.rows[r][c], type, &column));
    }
  }
}

// Imports `source` as dataset "t"; the manifest if it succeeded, after checking its chunks.
std::optional<Manifest> Import(const ByteSource& source, size_t target_chunk_bytes) {
  MemChunkStore store;
  ManualClock clock(FromMicros(1'000'000));
  InlineTaskRunner runner;
  ImportOptions options;
  options.name = "t";
  options.target_chunk_bytes = target_chunk_bytes;
  // Blocks of the default 1 MiB would make each run page in megabytes for a few bytes of CSV.
  options.csv.block_bytes = 4096;
  ImportEnv env;
  env.clock = &clock;
  env.runner = &runner;
  Result<ImportSummary> summary = ImportCsv(store, source, options, env);
  if (!summary.ok()) {
    // A failed import leaves nothing behind.
    Result<std::vector<ChunkId>> left = store.ListChunks();
    FUZZ_CHECK(left.ok() && left->empty());
    return std::nullopt;
  }
  const Manifest& manifest = summary->manifest;
  uint64_t rows = 0;
  for (const ChunkRef& ref : manifest.chunks) {
    Result<Bytes> bytes = store.GetChunk(ref.id);
    FUZZ_CHECK(bytes.ok());
    Result<RowGroup> group = DecodeChunk(*bytes);
    FUZZ_CHECK(group.ok());
    FUZZ_CHECK(group->schema == manifest.schema);
    FUZZ_CHECK(group->rows() == ref.rows);
    rows += ref.rows;
  }
  FUZZ_CHECK(rows == manifest.total_rows);
  Result<std::optional<Manifest>> stored = LoadManifest(store, "t");
  FUZZ_CHECK(stored.ok() && stored->has_value());
  return manifest;
}

}  // namespace
}  // namespace lake::store

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lake::store;
  lake::fuzz::FuzzInput input(data, size);
  const uint8_t shape = input.Byte();
  const MemorySource source{std::string(lake::AsChars(input.Rest()))};

  const Records whole = ReadAll(source, size + 1);  // one block holds it all
  const Records pieces = ReadAll(source, 1 + shape % 16);
  FUZZ_CHECK(whole.status.ok() == pieces.status.ok());
  FUZZ_CHECK(whole.status.message() == pieces.status.message());
  if (whole.status.ok()) {
    FUZZ_CHECK(whole.rows == pieces.rows);
    CheckInference(whole);
  }

  const std::optional<Manifest> big = Import(source, 1 << 20);
  const std::optional<Manifest> small = Import(source, 64 + (shape >> 4) * 64);
  FUZZ_CHECK(big.has_value() == small.has_value());
  if (big.has_value()) {
    FUZZ_CHECK(big->schema == small->schema);
    FUZZ_CHECK(big->total_rows == small->total_rows);
  }
  return 0;
}
