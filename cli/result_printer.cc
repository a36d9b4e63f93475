#include "cli/result_printer.h"

#include <algorithm>

#include "common/utf8.h"
#include "gateway/query_csv.h"
#include "gateway/query_json.h"

namespace lake::cli {
namespace {

// Display width in characters (UTF-8 aware, so non-ASCII names stay aligned).
size_t Width(const std::string& s) {
  size_t width = 0;
  for (unsigned char c : s) width += (c & 0xC0) != 0x80;
  return width;
}

void PrintTable(const sql::QueryResult& r, std::ostream& out) {
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> widths;
  for (const std::string& name : r.names) widths.push_back(Width(name));
  for (const auto& row : r.rows) {
    std::vector<std::string> line;
    for (size_t c = 0; c < row.size(); ++c) {
      line.push_back(row[c].ToString());
      widths[c] = std::max(widths[c], Width(line.back()));
    }
    cells.push_back(std::move(line));
  }
  auto print_line = [&](const std::vector<std::string>& line, bool right_align_numbers) {
    for (size_t c = 0; c < line.size(); ++c) {
      const size_t pad = widths[c] - Width(line[c]);
      const bool numeric = right_align_numbers && (r.types[c] == LogicalType::kBigInt ||
                                                   r.types[c] == LogicalType::kDouble);
      out << (c == 0 ? "" : " | ");
      if (numeric) out << std::string(pad, ' ');
      out << line[c];
      if (!numeric && c + 1 < line.size()) out << std::string(pad, ' ');
    }
    out << "\n";
  };
  print_line(r.names, false);
  for (size_t c = 0; c < widths.size(); ++c) {
    out << (c == 0 ? "" : "-+-") << std::string(widths[c], '-');
  }
  out << "\n";
  for (const auto& line : cells) print_line(line, true);
  out << "(" << r.rows.size() << (r.rows.size() == 1 ? " row)\n" : " rows)\n");
}

}  // namespace

ResultFormat ResultFormatNamed(const std::string& name) {
  return name == "csv"    ? ResultFormat::kCsv
         : name == "json" ? ResultFormat::kJson
                          : ResultFormat::kTable;
}

void PrintResult(const sql::QueryResult& r, ResultFormat format, std::ostream& out) {
  switch (format) {
    case ResultFormat::kTable:
      PrintTable(r, out);
      return;
    case ResultFormat::kCsv:
      out << gateway::CsvHeader(r);
      for (size_t row = 0; row < r.rows.size(); ++row) out << gateway::CsvRow(r, row);
      return;
    case ResultFormat::kJson: {
      out << gateway::RowsToJson(r).dump() << "\n";
      return;
    }
  }
}

}  // namespace lake::cli
