// CsvScanner: the importer's first look at a CSV. It reads the file front to back once, checks
// the header, narrows every column's type as rows go by (type_inference.h), and cuts the rows into
// row groups whose decoded (plain: 8 bytes a number, a string's bytes and offset) size is near
// the target; encoding makes the stored chunk smaller still. Each group it hands out carries where it
// starts in the file and the column types known when it closed, which are correct for every row
// up to that point; a later row may still widen a type, and the importer re-encodes the earlier
// groups it affects (importer.h). The scanner stores nothing.
// Thread-safety: not thread-safe; one scanner per import.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/logical_type.h"
#include "common/result.h"
#include "store/byte_source.h"
#include "store/csv_reader.h"
#include "store/type_inference.h"

namespace lake::store {

// Group sizes are re-estimated every kSegmentRows rows.
inline constexpr uint64_t kSegmentRows = 1024;

struct RowGroupPlan {
  uint64_t index = 0;      // 0-based, in file order
  uint64_t offset = 0;     // byte offset of the group's first record
  uint64_t line = 0;       // physical line of that record
  uint64_t first_row = 0;  // 0-based data row
  uint64_t rows = 0;
  std::vector<LogicalType> types;  // column types valid for every row up to the group's end
};

class CsvScanner {
 public:
  CsvScanner(const ByteSource& source, size_t target_chunk_bytes, CsvOptions csv);

  // Reads the header: required, names non-empty and distinct (ignoring case, as SQL does).
  Status ReadHeader();
  // Scans to the end of the next row group. Returns nullopt once the file is exhausted, after
  // which schema() is final. REQUIRES: ReadHeader() succeeded.
  Result<std::optional<RowGroupPlan>> NextGroup();

  // Column names with the types inferred so far.
  const Schema& schema() const { return schema_; }
  uint64_t rows() const { return rows_; }
  uint64_t bytes_scanned() const { return reader_.consumed(); }
  // Where the last error was; valid after ReadHeader() or NextGroup() failed.
  const CsvPosition& error_position() const { return error_; }

 private:
  Status Fail(uint64_t line, uint64_t column, std::string_view what);
  uint64_t EstimatePlainBytes(uint64_t rows) const;

  // Immutable after construction
  const ByteSource& source_;
  const size_t target_chunk_bytes_;

  // Mutable state
  CsvReader reader_;
  Schema schema_;
  std::vector<TypeInferrer> inferrers_;
  std::vector<uint64_t> group_field_bytes_;  // per column, text bytes in the open group
  std::vector<std::string_view> fields_;
  uint64_t rows_ = 0;
  uint64_t groups_ = 0;
  uint64_t header_line_ = 0;
  CsvPosition error_;
};

}  // namespace lake::store
