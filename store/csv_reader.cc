#include "store/csv_reader.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "common/utf8.h"

namespace lake::store {
namespace {

// Bytes that end an unquoted field's fast scan.
constexpr std::array<bool, 256> MakeSpecialTable() {
  std::array<bool, 256> table{};
  table[static_cast<uint8_t>(',')] = true;
  table[static_cast<uint8_t>('\n')] = true;
  table[static_cast<uint8_t>('\r')] = true;
  return table;
}
constexpr std::array<bool, 256> kSpecial = MakeSpecialTable();

uint64_t CountNewlines(const char* first, const char* last) {
  return static_cast<uint64_t>(std::count(first, last, '\n'));
}

}  // namespace

CsvReader::CsvReader(const ByteSource& source, uint64_t start_offset, uint64_t start_line,
                     CsvOptions options)
    : source_(source), options_(options), base_offset_(start_offset), line_(start_line) {
  buf_.resize(options_.block_bytes);
  if (start_offset == 0) {
    // A BOM can only appear at the very start; read it here so records never see it.
    char bom[3];
    auto got = source_.ReadAt(0, bom, 3);
    if (got.ok() && *got == 3 && std::memcmp(bom, "\xEF\xBB\xBF", 3) == 0) base_offset_ = 3;
  }
}

Status CsvReader::Fail(uint64_t line, uint64_t column, std::string_view what) {
  error_ = CsvPosition{line, column};
  return Status::InvalidArgument("line " + std::to_string(line) + ", column " +
                                 std::to_string(column) + ": " + std::string(what));
}

Status CsvReader::CheckField(std::string_view field, uint64_t line, uint64_t column) {
  if (std::memchr(field.data(), '\0', field.size()) != nullptr) {
    return Fail(line, column, "NUL byte in field (binary data is not CSV)");
  }
  if (!IsValidUtf8(field)) return Fail(line, column, "invalid UTF-8");
  return Status::OK();
}

Status CsvReader::Fill() {
  // Keep the unread tail, move it to the front, then top the buffer up from the source.
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    base_offset_ += begin_;
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) {
    if (buf_.size() >= options_.max_record_bytes) {
      return Fail(line_, pending_column_ + 1,
                  "record longer than " + std::to_string(options_.max_record_bytes) +
                      " bytes (unterminated quote or a field too large)");
    }
    buf_.resize(std::min(buf_.size() * 2, options_.max_record_bytes));
  }
  LAKE_ASSIGN_OR_RETURN(size_t got, source_.ReadAt(base_offset_ + end_, buf_.data() + end_,
                                                   buf_.size() - end_));
  if (got == 0) eof_ = true;
  end_ += got;
  return Status::OK();
}

Result<bool> CsvReader::Next(std::vector<std::string_view>* fields) {
  while (true) {
    // Skip blank lines between records.
    while (begin_ < end_) {
      if (buf_[begin_] == '\n') {
        ++begin_, ++line_;
      } else if (buf_[begin_] == '\r' && begin_ + 1 < end_ && buf_[begin_ + 1] == '\n') {
        begin_ += 2, ++line_;
      } else {
        break;
      }
    }
    const bool lone_cr_at_end = begin_ + 1 == end_ && buf_[begin_] == '\r';
    if (begin_ == end_ || (lone_cr_at_end && !eof_)) {
      if (eof_) return false;
      LAKE_RETURN_IF_ERROR(Fill());
      continue;
    }
    switch (ParseRecord(fields)) {
      case Outcome::kRecord: return true;
      case Outcome::kError: return pending_error_;
      case Outcome::kNeedMore: LAKE_RETURN_IF_ERROR(Fill()); break;
    }
  }
}

CsvReader::Outcome CsvReader::ParseRecord(std::vector<std::string_view>* fields) {
  const char* const base = buf_.data();
  const char* p = base + begin_;
  const char* const end = base + end_;
  uint64_t line = line_;
  fields->clear();
  scratch_.clear();
  // Un-escaped text is never longer than its source, so views into scratch_ stay valid.
  scratch_.reserve(static_cast<size_t>(end - p));
  auto error = [&](uint64_t at_line, std::string_view what) {
    pending_error_ = Fail(at_line, fields->size() + 1, what);
    return Outcome::kError;
  };

  while (true) {
    pending_column_ = fields->size();
    std::string_view field;
    const uint64_t field_line = line;
    bool quoted_field = false;
    if (p < end && *p == '"') {
      quoted_field = true;
      const char* segment = p + 1;
      const size_t scratch_start = scratch_.size();
      bool escaped = false;
      while (true) {
        const char* close =
            static_cast<const char*>(std::memchr(segment, '"', static_cast<size_t>(end - segment)));
        if (close == nullptr) {
          if (eof_) return error(field_line, "unterminated quoted field");
          return Outcome::kNeedMore;
        }
        if (close + 1 == end && !eof_) return Outcome::kNeedMore;  // "" may straddle blocks
        if (close + 1 < end && close[1] == '"') {
          escaped = true;
          scratch_.append(segment, static_cast<size_t>(close + 1 - segment));
          segment = close + 2;
          continue;
        }
        line += CountNewlines(p + 1, close);
        if (escaped) {
          scratch_.append(segment, static_cast<size_t>(close - segment));
          field = std::string_view(scratch_).substr(scratch_start);
        } else {
          field = std::string_view(p + 1, static_cast<size_t>(close - p - 1));
        }
        p = close + 1;
        break;
      }
    } else {
      const char* start = p;
      while (p < end) {
        if (!kSpecial[static_cast<uint8_t>(*p)]) {
          ++p;
        } else if (*p == '\r' && p + 1 < end && p[1] != '\n') {
          ++p;  // a lone CR inside a field is data
        } else {
          break;
        }
      }
      field = std::string_view(start, static_cast<size_t>(p - start));
    }

    // What ends the field: a comma, a line end, or the end of input.
    bool record_done = false;
    if (p == end) {
      if (!eof_) return Outcome::kNeedMore;
      record_done = true;
    } else if (*p == ',') {
      ++p;
    } else if (*p == '\n') {
      ++p, ++line, record_done = true;
    } else if (*p == '\r') {
      if (p + 1 == end && !eof_) return Outcome::kNeedMore;
      p += (p + 1 < end && p[1] == '\n') ? 2 : 1;
      ++line, record_done = true;
    } else if (quoted_field) {
      return error(line, "unexpected character after closing quote");
    }

    Status checked = CheckField(field, field_line, fields->size() + 1);
    if (!checked.ok()) {
      pending_error_ = std::move(checked);
      return Outcome::kError;
    }
    fields->push_back(field);
    if (expected_fields_ != 0 && fields->size() > expected_fields_) {
      return error(field_line, "ragged row: more than the header's " +
                                   std::to_string(expected_fields_) + " fields");
    }
    if (record_done) break;
  }

  if (expected_fields_ != 0 && fields->size() != expected_fields_) {
    pending_error_ = Fail(line_, fields->size(),
                          "ragged row: " + std::to_string(fields->size()) + " fields, the header has " +
                              std::to_string(expected_fields_));
    return Outcome::kError;
  }
  record_offset_ = base_offset_ + begin_;
  record_line_ = line_;
  begin_ = static_cast<size_t>(p - base);
  line_ = line;
  return Outcome::kRecord;
}

}  // namespace lake::store
