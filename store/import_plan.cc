#include "store/import_plan.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "store/type_inference.h"

namespace lake::store {
namespace {

struct Segment {
  uint64_t offset;
  uint64_t line;
  uint64_t rows = 0;
  std::vector<uint64_t> field_bytes;  // per column: sum of field lengths (exact VARCHAR bytes)
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Status HeaderError(uint64_t line, uint64_t column, std::string_view what, CsvPosition* error_at) {
  if (error_at != nullptr) *error_at = CsvPosition{line, column};
  return Status::InvalidArgument("line " + std::to_string(line) + ", column " +
                                 std::to_string(column) + ": " + std::string(what));
}

// Encoded bytes of `rows` values of `type` holding `field_bytes` bytes of text (chunk_codec.h).
uint64_t EncodedBytes(LogicalType type, uint64_t rows, uint64_t field_bytes) {
  const uint64_t validity = (rows + 7) / 8;
  if (type == LogicalType::kVarchar) return validity + field_bytes + 4 * (rows + 1);
  return validity + rows * FixedWidth(type);
}

std::vector<RowGroupPlan> CutRowGroups(const std::vector<Segment>& segments, const Schema& schema,
                                       size_t target_bytes) {
  std::vector<RowGroupPlan> groups;
  uint64_t row = 0;
  uint64_t group_bytes = 0;
  for (const Segment& segment : segments) {
    uint64_t bytes = 0;
    for (size_t c = 0; c < schema.size(); ++c) {
      bytes += EncodedBytes(schema[c].type, segment.rows, segment.field_bytes[c]);
    }
    // Close the open group if this segment would carry it past the target.
    if (groups.empty() || (group_bytes > 0 && group_bytes + bytes > target_bytes)) {
      groups.push_back(RowGroupPlan{segment.offset, segment.line, row, 0});
      group_bytes = 0;
    }
    groups.back().rows += segment.rows;
    group_bytes += bytes;
    row += segment.rows;
  }
  return groups;
}

}  // namespace

Result<ImportPlan> PlanImport(const ByteSource& source, const ImportOptions& options,
                              const ProgressFn& progress, CsvPosition* error_at) {
  if (source.size() == 0) return HeaderError(1, 1, "empty file: a header row is required", error_at);
  CsvReader reader(source, 0, 1, options.csv);
  std::vector<std::string_view> fields;
  auto fail = [&](const Status& s) {
    if (error_at != nullptr) *error_at = reader.error_position();
    return s;
  };

  // Header: non-empty, distinct names (case-insensitively, as SQL will compare them).
  Result<bool> got = reader.Next(&fields);
  if (!got.ok()) return fail(got.status());
  if (!*got) return HeaderError(1, 1, "empty file: a header row is required", error_at);
  ImportPlan plan;
  std::set<std::string> seen;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].empty()) {
      return HeaderError(reader.record_line(), i + 1, "empty column name in header", error_at);
    }
    if (!seen.insert(Lower(fields[i])).second) {
      return HeaderError(reader.record_line(), i + 1,
                         "duplicate column name '" + std::string(fields[i]) + "'", error_at);
    }
    plan.schema.push_back(Column{std::string(fields[i]), LogicalType::kVarchar});
  }
  const size_t columns = plan.schema.size();
  const uint64_t header_line = reader.record_line();
  reader.set_expected_fields(columns);

  std::vector<TypeInferrer> inferrers(columns);
  std::vector<Segment> segments;
  uint64_t next_report = 0;
  while (true) {
    got = reader.Next(&fields);
    if (!got.ok()) return fail(got.status());
    if (!*got) break;
    if (plan.rows % kSegmentRows == 0) {
      segments.push_back(Segment{reader.record_offset(), reader.record_line(), 0,
                                 std::vector<uint64_t>(columns, 0)});
    }
    Segment& segment = segments.back();
    ++segment.rows;
    for (size_t c = 0; c < columns; ++c) {
      inferrers[c].Observe(fields[c]);
      segment.field_bytes[c] += fields[c].size();
    }
    ++plan.rows;
    if (progress && reader.consumed() >= next_report) {
      progress(ImportProgress{ImportProgress::Phase::kScanning, reader.consumed(), source.size()});
      next_report = reader.consumed() + (16 << 20);
    }
  }
  if (plan.rows == 0) {
    return HeaderError(header_line + 1, 1, "no data rows after the header", error_at);
  }
  for (size_t c = 0; c < columns; ++c) plan.schema[c].type = inferrers[c].Result();
  plan.groups = CutRowGroups(segments, plan.schema, options.target_chunk_bytes);
  if (progress) {
    progress(ImportProgress{ImportProgress::Phase::kScanning, source.size(), source.size()});
  }
  return plan;
}

}  // namespace lake::store
