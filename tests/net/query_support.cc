#include "tests/net/query_support.h"

#include <strings.h>

#include <algorithm>
#include <cmath>

#include <catch2/catch.hpp>

#include "common/value_parse.h"

namespace lake::nettest {
namespace {

using nlohmann::json;

local::LocalEngineOptions EmbeddedOptions(uint64_t chunk_bytes) {
  local::LocalEngineOptions options;
  options.threads = 2;
  options.csv_chunk_bytes = chunk_bytes;
  return options;
}

// A cell of an /api/query row as the text sql::Value::ToString gives the same value: the
// gateway sends NULL as null, BIGINT as a number, DOUBLE as a number (non-finite ones as their
// text), BOOLEAN as a boolean and every other type as its text.
std::string CellText(const json& cell) {
  if (cell.is_null()) return "NULL";
  if (cell.is_string()) return cell.get<std::string>();
  if (cell.is_boolean()) return cell.get<bool>() ? "true" : "false";
  if (cell.is_number_integer()) return cell.dump();
  if (cell.is_number_float()) return FormatDouble(cell.get<double>());
  return cell.dump();  // never sent: compares unequal to any value's text
}

// The corpus runner's rule for R columns: equal text, or numbers within 1e-9 (relative, or
// absolute near zero).
bool DoubleTextsMatch(const std::string& want, const std::string& got) {
  if (want == got) return true;
  char* want_end = nullptr;
  char* got_end = nullptr;
  const double w = std::strtod(want.c_str(), &want_end);
  const double g = std::strtod(got.c_str(), &got_end);
  if (*want_end != '\0' || *got_end != '\0' || want.empty() || got.empty()) return false;
  const double diff = std::fabs(w - g);
  return diff <= 1e-9 || diff <= 1e-9 * std::max(std::fabs(w), std::fabs(g));
}

std::string JoinCells(const std::vector<std::string>& cells) {
  std::string text;
  for (size_t i = 0; i < cells.size(); ++i) text += (i ? "\t" : "") + cells[i];
  return text;
}

}  // namespace

std::string WriteQueryConfig(const std::string& path, uint32_t replication, uint64_t chunk_bytes,
                             const json& analytics) {
  json config = {{"storage",
                  {{"replicationFactor", replication},
                   {"writeQuorum", std::min<uint32_t>(2, replication)},
                   {"chunkSize", chunk_bytes},
                   {"repairInterval", 600000}}},
                 {"analytics", {{"resultCacheSize", 0}}}};
  config["analytics"].update(analytics);
  return WriteFile(path, config.dump());
}

std::string SlowCondition(const std::string& column, int copies) {
  std::string text = column;
  for (int i = 1; i < copies; ++i) text += " || " + column;
  // Hex note values are 16 characters long.
  return "(" + text + ") NOT LIKE '%" + std::string(8 * copies, '_') + "Z'";
}

bool CpuGrew(pid_t pid, milliseconds since, milliseconds by, milliseconds timeout) {
  return Eventually([&] { return CpuTime(pid) >= since + by; }, timeout, milliseconds(5));
}

EmbeddedEngine::EmbeddedEngine(uint64_t chunk_bytes) : engine_(EmbeddedOptions(chunk_bytes)) {}

Status EmbeddedEngine::Attach(const std::string& name, const std::string& path) {
  return engine_.AttachCsv(name, path, clock_);
}

Result<sql::QueryResult> EmbeddedEngine::Answer(const std::string& sql) {
  LAKE_ASSIGN_OR_RETURN(std::vector<sql::QueryResult> results, engine_.engine().Run(sql));
  if (results.empty()) return Status::InvalidArgument("no statement to run");
  return std::move(results.back());
}

size_t EmbeddedEngine::Chunks(const std::string& name) const {
  for (const sql::TableInfo& table : engine_.tables().ListTables()) {
    if (strcasecmp(table.name.c_str(), name.c_str()) == 0) return table.chunks;
  }
  return 0;
}

void LoadEverywhere(EmbeddedEngine& embedded, const Nodes& nodes, const std::string& dir,
                    const std::string& name, const std::string& csv) {
  const Status attached = embedded.Attach(name, WriteFile(dir + "/" + name + ".csv", csv));
  INFO(attached.ToString());
  REQUIRE(attached.ok());
  UploadEverywhere(*nodes.front(), name, csv, nodes);
}

std::string AnswerMismatch(const sql::QueryResult& expected, const json& body, bool sort_rows) {
  if (!body.is_object() || !body.contains("columns") || !body["columns"].is_array() ||
      !body.contains("data") || !body["data"].is_array()) {
    return "no columns and data in the answer";
  }
  const json& columns = body["columns"];
  const size_t width = expected.names.size();
  if (columns.size() != width) {
    return "expected " + std::to_string(width) + " columns, got " + columns.dump();
  }
  for (size_t c = 0; c < width; ++c) {
    const json want = {{"name", expected.names[c]},
                       {"type", std::string(TypeName(expected.types[c]))}};
    if (columns[c] != want) return "column " + std::to_string(c + 1) + ": " + columns[c].dump();
  }
  // Both sides' rows as text, cell by cell.
  std::vector<std::vector<std::string>> want_rows;
  for (const std::vector<sql::Value>& row : expected.rows) {
    std::vector<std::string> cells;
    for (const sql::Value& value : row) cells.push_back(value.ToString());
    want_rows.push_back(std::move(cells));
  }
  std::vector<std::vector<std::string>> got_rows;
  for (const json& row : body["data"]) {
    if (!row.is_array() || row.size() != width) return "a row of another width: " + row.dump();
    std::vector<std::string> cells;
    for (const json& cell : row) cells.push_back(CellText(cell));
    got_rows.push_back(std::move(cells));
  }
  if (sort_rows) {
    auto by_text = [](const auto& a, const auto& b) { return JoinCells(a) < JoinCells(b); };
    std::sort(want_rows.begin(), want_rows.end(), by_text);
    std::sort(got_rows.begin(), got_rows.end(), by_text);
  }
  if (want_rows.size() != got_rows.size()) {
    return "expected " + std::to_string(want_rows.size()) + " rows, got " +
           std::to_string(got_rows.size());
  }
  for (size_t r = 0; r < want_rows.size(); ++r) {
    for (size_t c = 0; c < width; ++c) {
      const bool same = expected.types[c] == LogicalType::kDouble
                            ? DoubleTextsMatch(want_rows[r][c], got_rows[r][c])
                            : want_rows[r][c] == got_rows[r][c];
      if (!same) {
        return "row " + std::to_string(r + 1) + ": expected [" + JoinCells(want_rows[r]) +
               "], got [" + JoinCells(got_rows[r]) + "]";
      }
    }
  }
  return "";
}

int64_t QueryStat(const QueryReply& reply, const std::string& name) {
  if (reply.status != 200 || !reply.body.is_object() || !reply.body.contains("stats")) return -1;
  const json& stats = reply.body["stats"];
  if (!stats.is_object() || !stats.contains(name) || !stats[name].is_number_integer()) return -1;
  return stats[name].get<int64_t>();
}

}  // namespace lake::nettest
