#include "store/csv_scanner.h"

#include <cctype>
#include <set>

namespace lake::store {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

CsvScanner::CsvScanner(const ByteSource& source, size_t target_chunk_bytes, CsvOptions csv)
    : source_(source), target_chunk_bytes_(target_chunk_bytes), reader_(source, 0, 1, csv) {}

Status CsvScanner::Fail(uint64_t line, uint64_t column, std::string_view what) {
  error_ = CsvPosition{line, column};
  return Status::InvalidArgument("line " + std::to_string(line) + ", column " +
                                 std::to_string(column) + ": " + std::string(what));
}

Status CsvScanner::ReadHeader() {
  if (source_.size() == 0) return Fail(1, 1, "empty file: a header row is required");
  Result<bool> got = reader_.Next(&fields_);
  if (!got.ok()) {
    error_ = reader_.error_position();
    return got.status();
  }
  if (!*got) return Fail(1, 1, "empty file: a header row is required");
  header_line_ = reader_.record_line();
  std::set<std::string> seen;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].empty()) return Fail(header_line_, i + 1, "empty column name in header");
    if (!seen.insert(Lower(fields_[i])).second) {
      return Fail(header_line_, i + 1, "duplicate column name '" + std::string(fields_[i]) + "'");
    }
    schema_.push_back(Column{std::string(fields_[i]), LogicalType::kVarchar});
  }
  inferrers_.resize(schema_.size());
  group_field_bytes_.assign(schema_.size(), 0);
  reader_.set_expected_fields(schema_.size());
  return Status::OK();
}

uint64_t CsvScanner::EstimatePlainBytes(uint64_t rows) const {
  // The columns decoded (common/vector.h): bitmap, then fixed-width values or offsets + text.
  uint64_t bytes = 0;
  for (size_t c = 0; c < schema_.size(); ++c) {
    const LogicalType type = inferrers_[c].Result();
    bytes += (rows + 7) / 8;
    bytes += type == LogicalType::kVarchar ? group_field_bytes_[c] + 4 * (rows + 1)
                                           : rows * FixedWidth(type);
  }
  return bytes;
}

Result<std::optional<RowGroupPlan>> CsvScanner::NextGroup() {
  RowGroupPlan group;
  group.index = groups_;
  group.first_row = rows_;
  std::fill(group_field_bytes_.begin(), group_field_bytes_.end(), 0);
  while (true) {
    Result<bool> got = reader_.Next(&fields_);
    if (!got.ok()) {
      error_ = reader_.error_position();
      return got.status();
    }
    if (!*got) break;
    if (group.rows == 0) {
      group.offset = reader_.record_offset();
      group.line = reader_.record_line();
    }
    for (size_t c = 0; c < fields_.size(); ++c) {
      inferrers_[c].Observe(fields_[c]);
      group_field_bytes_[c] += fields_[c].size();
    }
    ++rows_;
    ++group.rows;
    // Close the group when one more segment at this density would pass the target.
    if (group.rows % kSegmentRows == 0) {
      const uint64_t bytes = EstimatePlainBytes(group.rows);
      if (bytes + bytes / (group.rows / kSegmentRows) > target_chunk_bytes_) break;
    }
  }
  if (group.rows == 0) {
    if (rows_ == 0) return Fail(header_line_ + 1, 1, "no data rows after the header");
    for (size_t c = 0; c < schema_.size(); ++c) schema_[c].type = inferrers_[c].Result();
    return std::optional<RowGroupPlan>();
  }
  for (const TypeInferrer& inferrer : inferrers_) group.types.push_back(inferrer.Result());
  ++groups_;
  return std::optional<RowGroupPlan>(std::move(group));
}

}  // namespace lake::store
