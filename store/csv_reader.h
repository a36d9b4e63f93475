// CsvReader: streams RFC 4180 records out of a ByteSource, one block at a time; it never holds
// more than one block plus the record being read. Quoted fields may hold commas, newlines and
// doubled quotes; lines end in LF or CRLF; a leading UTF-8 BOM is skipped; blank lines are
// skipped; every field is checked to be UTF-8 without NUL bytes. A quote inside an unquoted field
// is kept as a literal character (as most CSV writers expect).
//
// Errors are InvalidArgument statuses whose message starts "line L, column C: ", where L is the
// 1-based physical line and C the 1-based field number; error_position() gives both as numbers.
// Thread-safety: not thread-safe; one reader per thread (several may share one ByteSource).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/byte_source.h"

namespace lake::store {

struct CsvOptions {
  size_t block_bytes = 1 << 20;       // bytes read from the source at a time
  size_t max_record_bytes = 8 << 20;  // a longer record is an error (protects memory)
};

struct CsvPosition {
  uint64_t line = 0;    // 1-based physical line
  uint64_t column = 0;  // 1-based field number
};

class CsvReader {
 public:
  // Reads records starting at byte `start_offset`, which must be a record boundary on physical
  // line `start_line`. Offset 0 skips a UTF-8 byte-order mark.
  CsvReader(const ByteSource& source, uint64_t start_offset, uint64_t start_line,
            CsvOptions options = CsvOptions());

  // Reads the next record into `fields`; the views stay valid until the next call. Returns true
  // for a record, false at the end of input, or an error (see above).
  Result<bool> Next(std::vector<std::string_view>* fields);

  // From now on a record with another number of fields is an error ("ragged row").
  void set_expected_fields(size_t n) { expected_fields_ = n; }

  // Where the record last returned by Next() starts: byte offset and physical line.
  uint64_t record_offset() const { return record_offset_; }
  uint64_t record_line() const { return record_line_; }
  // Bytes of the source consumed so far (the offset just past the last record).
  uint64_t consumed() const { return base_offset_ + begin_; }
  // Valid after Next() returned an error.
  const CsvPosition& error_position() const { return error_; }

 private:
  enum class Outcome { kRecord, kNeedMore, kError };

  Outcome ParseRecord(std::vector<std::string_view>* fields);
  Status Fill();
  Status Fail(uint64_t line, uint64_t column, std::string_view what);
  Status CheckField(std::string_view field, uint64_t line, uint64_t column);

  // Immutable after construction
  const ByteSource& source_;
  const CsvOptions options_;

  // Mutable state
  std::vector<char> buf_;
  size_t begin_ = 0;      // start of unread data in buf_
  size_t end_ = 0;        // end of valid data in buf_
  uint64_t base_offset_;  // source offset of buf_[0]
  bool eof_ = false;
  uint64_t line_;        // physical line at buf_[begin_]
  std::string scratch_;  // un-escaped copies of quoted fields holding ""
  size_t expected_fields_ = 0;
  size_t pending_column_ = 0;  // field being read when ParseRecord ran out of data
  uint64_t record_offset_ = 0;
  uint64_t record_line_ = 0;
  Status pending_error_;
  CsvPosition error_;
};

}  // namespace lake::store
