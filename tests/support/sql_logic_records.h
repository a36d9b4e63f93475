// Test support: the records of the sqllogictest corpus (tests/sql/**/*.test), read into values
// for the runners that answer them (the engine's own in tests/sql, the simulator's in
// tests/sim). Records are separated by blank lines; '#' lines are comments:
//   load <table> <csv path relative to the repo root>
//   statement ok|error      SQL up to a blank line; "statement error" may add "----" and a
//                           substring the message must contain
//   query <types> [nosort|rowsort]
//                           optional "-- sqlite: ..." template lines (dropped here), SQL, "----",
//                           then one row per line, TAB between values
// Reading checks nothing about a record beyond its shape; the runners judge the rest.
// Header-only; any test binary may include it. Thread-safety: pure functions.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace lake::testing {

struct SqlLogicRecord {
  size_t line = 0;                    // of the record's first line, 0-based
  std::vector<std::string> words;     // of the first line: the record type, then its arguments
  std::string sql;                    // statement and query records: the SQL lines, joined by \n
  bool has_results = false;           // a "----" line followed the SQL
  std::vector<std::string> expected;  // the lines after "----"
};

inline std::string JoinLines(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

// Every record of the file at `path`, in order.
inline std::vector<SqlLogicRecord> ReadSqlLogicRecords(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  std::vector<SqlLogicRecord> records;
  size_t i = 0;
  while (i < lines.size()) {
    if (lines[i].empty() || lines[i][0] == '#') {
      ++i;
      continue;
    }
    SqlLogicRecord record;
    record.line = i;
    std::istringstream words(lines[i]);
    for (std::string w; words >> w;) record.words.push_back(w);
    if (record.words.empty()) record.words.push_back("");  // blank but for spaces: no type
    ++i;
    // A load is one line; every other record runs to the next blank line.
    if (record.words[0] != "load") {
      std::vector<std::string> sql;
      for (; i < lines.size() && !lines[i].empty() && lines[i] != "----"; ++i) {
        if (lines[i].rfind("-- sqlite:", 0) != 0) sql.push_back(lines[i]);
      }
      record.sql = JoinLines(sql, "\n");
      if (i < lines.size() && lines[i] == "----") {
        record.has_results = true;
        for (++i; i < lines.size() && !lines[i].empty(); ++i) record.expected.push_back(lines[i]);
      }
    }
    records.push_back(std::move(record));
  }
  return records;
}

// The corpus files, sorted; LAKE_SLT_FILTER=<substring> keeps only the paths containing it.
inline std::vector<std::filesystem::path> SqlLogicCorpusFiles() {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  const char* filter = std::getenv("LAKE_SLT_FILTER");
  for (const auto& entry :
       fs::recursive_directory_iterator(fs::path(LAKE_SOURCE_DIR) / "tests" / "sql")) {
    if (!entry.is_regular_file() || entry.path().extension() != ".test") continue;
    if (filter != nullptr && entry.path().string().find(filter) == std::string::npos) continue;
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace lake::testing
