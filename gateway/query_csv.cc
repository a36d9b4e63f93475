#include "gateway/query_csv.h"

namespace lake::gateway {

std::string CsvField(const sql::Value& value) {
  if (value.is_null) return "";
  std::string text = value.ToString();
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string CsvHeader(const sql::QueryResult& result) {
  std::string line;
  for (size_t c = 0; c < result.names.size(); ++c) {
    if (c > 0) line += ',';
    line += CsvField(sql::Value::Varchar(result.names[c]));
  }
  return line + "\n";
}

std::string CsvRow(const sql::QueryResult& result, size_t r) {
  std::string line;
  const std::vector<sql::Value>& row = result.rows[r];
  for (size_t c = 0; c < row.size(); ++c) {
    if (c > 0) line += ',';
    line += CsvField(row[c]);
  }
  return line + "\n";
}

}  // namespace lake::gateway
