#include "store/csv_reader.h"

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// The first ',', '\n' or '\r' in [p, end), or end. Sixteen bytes per step with SSE2 (part of
// x86-64): fields are short, so a byte-at-a-time loop would mispredict once per field end.
const char* FindSpecial(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i comma = _mm_set1_epi8(',');
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  while (end - p >= 16) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hits =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(block, comma), _mm_cmpeq_epi8(block, lf)),
                     _mm_cmpeq_epi8(block, cr));
    const int mask = _mm_movemask_epi8(hits);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (p < end && !kSpecial[static_cast<uint8_t>(*p)]) ++p;
  return p;
}

// True if `text` is all ASCII without NUL: the common case, checked eight bytes at a time.
bool IsPlainText(std::string_view text) {
  constexpr uint64_t kLow = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    // High bit set anywhere, or a zero byte ((w - 1) & ~w sets the high bit of zero bytes).
    if (((word | ((word - kLow) & ~word)) & kHigh) != 0) return false;
  }
  for (; i < text.size(); ++i) {
    const auto c = static_cast<uint8_t>(text[i]);
    if (c == 0 || c >= 0x80) return false;
  }
  return true;
}

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
  LAKE_ASSIGN_OR_RETURN(
      size_t got, source_.ReadAt(base_offset_ + end_, buf_.data() + end_, buf_.size() - end_));
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
    // A CR as the very last byte ends the previous line, like a blank line.
    const bool lone_cr_at_end = begin_ + 1 == end_ && buf_[begin_] == '\r';
    if (begin_ == end_ || lone_cr_at_end) {
      if (eof_) return false;
      LAKE_RETURN_IF_ERROR(Fill());
      continue;
    }
    switch (ParseRecord(fields)) {
      case Outcome::kRecord:
        return true;
      case Outcome::kError:
        return pending_error_;
      case Outcome::kNeedMore:
        LAKE_RETURN_IF_ERROR(Fill());
        break;
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
      while (true) {
        p = FindSpecial(p, end);
        if (p < end && *p == '\r' && p + 1 < end && p[1] != '\n') {
          ++p;  // a lone CR inside a field is data
          continue;
        }
        break;
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

    fields->push_back(field);
    if (expected_fields_ != 0 && fields->size() > expected_fields_) {
      // Name the first field too many.
      pending_error_ = Fail(
          field_line, fields->size(),
          "ragged row: more than the header's " + std::to_string(expected_fields_) + " fields");
      return Outcome::kError;
    }
    if (record_done) break;
  }

  // Delimiters and quotes are ASCII, so checking the record's raw bytes checks every field; only
  // when that finds something suspicious do we look field by field to say where.
  if (!IsPlainText(std::string_view(base + begin_, static_cast<size_t>(p - (base + begin_))))) {
    uint64_t at_line = line_;
    for (size_t i = 0; i < fields->size(); ++i) {
      Status checked = CheckField((*fields)[i], at_line, i + 1);
      if (!checked.ok()) {
        pending_error_ = std::move(checked);
        return Outcome::kError;
      }
      at_line += CountNewlines((*fields)[i].data(), (*fields)[i].data() + (*fields)[i].size());
    }
  }
  if (expected_fields_ != 0 && fields->size() != expected_fields_) {
    // Name the first missing field.
    pending_error_ = Fail(line_, fields->size() + 1,
                          "ragged row: " + std::to_string(fields->size()) +
                              " fields, the header has " + std::to_string(expected_fields_));
    return Outcome::kError;
  }
  record_offset_ = base_offset_ + begin_;
  record_line_ = line_;
  begin_ = static_cast<size_t>(p - base);
  line_ = line;
  return Outcome::kRecord;
}

}  // namespace lake::store
