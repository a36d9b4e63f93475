// Runs the sqllogictest corpus: every tests/sql/**/*.test file, a DuckDB-style
// subset whose expected answers tests/sql/generate_expected.py takes from SQLite. Records:
//   load <table> <csv path relative to the repo root>
//   statement ok|error      SQL up to a blank line; "statement error" may add "----" and a
//                           substring the message must contain (it must also name a position)
//   query <I|R|T|B...> [nosort|rowsort]
//                           optional "-- sqlite: ..." template lines (skipped here), SQL, "----",
//                           then one row per line, TAB between values, NULL as NULL, an
//                           empty string as (empty)
// (read by tests/support/sql_logic_records.h, which the simulator's corpus run shares)
// Each file gets its own MemChunkStore. Every query over a table is answered twice: by the engine
// as one statement, and as the distributed engine runs it, in leaf fragments whose requests and
// partial results go through their wire encodings, reading through a column cache (whose pieces
// carry string dictionaries). Every failing record is printed with
// file:line; the test fails if any did. LAKE_SLT_FILTER=<substring> runs only the files whose path
// contains it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "local/local_engine.h"
#include "sql/engine.h"
#include "sql/value.h"
#include "tests/sql/key_cells.h"
#include "tests/support/run_in_fragments.h"
#include "tests/support/sql_logic_records.h"

namespace lake {
namespace {

namespace fs = std::filesystem;

// Small chunks, so that even the small tables are cut into several and partial aggregates,
// DISTINCT and top-N are combined across chunks.
constexpr size_t kTargetChunkBytes = 16 << 10;

local::LocalEngineOptions EngineOptions(size_t cache_bytes) {
  local::LocalEngineOptions options;
  options.threads = 2;
  options.cache_bytes = cache_bytes;
  options.csv_chunk_bytes = kTargetChunkBytes;
  return options;
}

std::vector<std::string> SplitTabs(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t tab = s.find('\t', start);
    out.push_back(s.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return out;
}

using testing::JoinLines;
using testing::SqlLogicRecord;

bool TypeMatches(char letter, LogicalType type) {
  switch (letter) {
    case 'I':
      return type == LogicalType::kBigInt;
    case 'R':
      return type == LogicalType::kDouble;
    case 'B':
      return type == LogicalType::kBoolean;
    case 'T':
      return type == LogicalType::kVarchar || type == LogicalType::kDate ||
             type == LogicalType::kTimestamp;
  }
  return false;
}

// R values: relative tolerance 1e-9, absolute 1e-9 near zero.
bool RealMatches(const std::string& expected, const sql::Value& actual) {
  if (expected == "NULL" || actual.is_null) return expected == "NULL" && actual.is_null;
  char* end = nullptr;
  const double want = std::strtod(expected.c_str(), &end);
  if (end == expected.c_str() || *end != '\0') return false;
  double got;
  if (actual.type == LogicalType::kDouble)
    got = actual.real;
  else if (actual.type == LogicalType::kBigInt)
    got = static_cast<double>(actual.integer);
  else
    return false;
  const double diff = std::fabs(want - got);
  return diff <= 1e-9 || diff <= 1e-9 * std::max(std::fabs(want), std::fabs(got));
}

// The text a value is compared as; an empty string is written "(empty)", since a blank line ends
// the expected block.
std::string CellText(const sql::Value& v) {
  std::string text = v.ToString();
  if (!v.is_null && v.type == LogicalType::kVarchar && text.empty()) return "(empty)";
  return text;
}

struct Failure {
  std::string where;  // file:line
  std::string what;
};

class FileRunner {
 public:
  FileRunner(const fs::path& path, std::vector<Failure>* failures, int* queries, int* fragmented)
      : path_(path),
        rel_(fs::relative(path, LAKE_SOURCE_DIR).string()),
        failures_(failures),
        queries_(queries),
        fragmented_(fragmented) {}

  void Run() {
    for (const SqlLogicRecord& record : testing::ReadSqlLogicRecords(path_)) {
      const std::string& type = record.words[0];
      if (type == "load") {
        Load(record);
      } else if (type == "statement") {
        Statement(record);
      } else if (type == "query") {
        Query(record);
      } else {
        Fail(record.line, "unknown record type: " + JoinLines(record.words, " "));
      }
    }
  }

 private:
  void Fail(size_t line_idx, std::string what) {
    failures_->push_back({rel_ + ":" + std::to_string(line_idx + 1), std::move(what)});
  }

  void Load(const SqlLogicRecord& record) {
    const size_t start = record.line;
    const std::vector<std::string>& words = record.words;
    if (words.size() != 3) {
      Fail(start, "load takes a table name and a path");
      return;
    }
    const std::string csv = std::string(LAKE_SOURCE_DIR) + "/" + words[2];
    for (local::LocalEngine* engine : {&plain_, &cached_}) {
      if (Status loaded = engine->AttachCsv(words[1], csv, clock_); !loaded.ok()) {
        Fail(start, "load of " + csv + " failed: " + loaded.ToString());
        return;
      }
    }
  }

  void Statement(const SqlLogicRecord& record) {
    const size_t start = record.line;
    const std::vector<std::string>& words = record.words;
    const bool expect_error = words.size() > 1 && words[1] == "error";
    if (words.size() != 2 || (!expect_error && words[1] != "ok")) {
      Fail(start, "expected 'statement ok' or 'statement error'");
      return;
    }
    const std::string& sql = record.sql;
    const std::string wanted = JoinLines(record.expected, "\n");
    Result<std::vector<sql::QueryResult>> result = plain_.engine().Run(sql);
    if (!expect_error) {
      if (!result.ok()) Fail(start, "statement failed: " + result.status().ToString() + "\n" + sql);
      return;
    }
    if (result.ok()) {
      Fail(start, "statement succeeded but an error was expected\n" + sql);
      return;
    }
    const std::string& message = result.status().message();
    if (message.find(wanted) == std::string::npos) {
      Fail(start, "error message lacks \"" + wanted + "\": " + message + "\n" + sql);
    }
    const int position = result.status().position();
    if (position <= 0 || message.find("(at position " + std::to_string(position) + ")") ==
                             std::string::npos) {
      Fail(start, "error names no position: " + message + "\n" + sql);
    }
  }

  void Query(const SqlLogicRecord& record) {
    ++*queries_;
    const size_t start = record.line;
    const std::vector<std::string>& words = record.words;
    if (words.size() < 2 || words.size() > 3 ||
        (words.size() == 3 && words[2] != "nosort" && words[2] != "rowsort")) {
      Fail(start, "expected 'query <types> [nosort|rowsort]'");
      return;
    }
    const std::string& types = words[1];
    const bool rowsort = words.size() == 3 && words[2] == "rowsort";
    const std::string& sql = record.sql;
    if (!record.has_results) {
      Fail(start, "query without '----'");
      return;
    }
    const std::vector<std::string>& expected = record.expected;

    Result<std::vector<sql::QueryResult>> result = plain_.engine().Run(sql);
    if (!result.ok()) {
      Fail(start, "query failed: " + result.status().ToString() + "\n" + sql);
      return;
    }
    if (result->empty()) {
      Fail(start, "query returned no result\n" + sql);
      return;
    }
    Check(start, "", result->back(), types, expected, rowsort, sql);
    std::optional<sql::QueryResult> fragmented = RunFragmented(start, sql);
    if (fragmented) {
      ++*fragmented_;
      Check(start, "fragmented: ", *fragmented, types, expected, rowsort, sql);
    }
  }

  // A single SELECT over a table run as the distributed engine runs it (see
  // tests/support/run_in_fragments.h). nullopt (and nothing to check) for other statements.
  std::optional<sql::QueryResult> RunFragmented(size_t start, const std::string& sql) {
    std::optional<Result<sql::QueryResult>> merged = testing::RunInFragments(cached_, sql);
    if (!merged) return std::nullopt;
    if (!merged->ok()) {
      Fail(start, merged->status().ToString() + "\n" + sql);
      return std::nullopt;
    }
    return std::move(*merged).value();
  }

  // Compares answer `r` with the record's expected rows; `label` prefixes any failure.
  void Check(size_t start, const std::string& label, const sql::QueryResult& r,
             const std::string& types, std::vector<std::string> expected, bool rowsort,
             const std::string& sql) {
    if (r.types.size() != types.size()) {
      Fail(start, label + "expected " + std::to_string(types.size()) + " columns, got " +
                      std::to_string(r.types.size()) + "\n" + sql);
      return;
    }
    for (size_t c = 0; c < types.size(); ++c) {
      if (!TypeMatches(types[c], r.types[c])) {
        Fail(start, label + "column " + std::to_string(c + 1) + " is " +
                        std::string(TypeName(r.types[c])) + ", expected letter " + types[c] + "\n" +
                        sql);
        return;
      }
    }
    // Actual rows as text, keeping the Values for the numeric comparison of R columns.
    std::vector<std::pair<std::string, const std::vector<sql::Value>*>> actual;
    for (const std::vector<sql::Value>& row : r.rows) {
      std::vector<std::string> cells;
      for (const sql::Value& v : row) cells.push_back(CellText(v));
      actual.emplace_back(JoinLines(cells, "\t"), &row);
    }
    if (rowsort) {
      std::sort(expected.begin(), expected.end());
      std::sort(actual.begin(), actual.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    std::string mismatch;
    if (actual.size() != expected.size()) {
      mismatch = "expected " + std::to_string(expected.size()) + " rows, got " +
                 std::to_string(actual.size());
    }
    for (size_t row = 0; mismatch.empty() && row < expected.size(); ++row) {
      std::vector<std::string> want = SplitTabs(expected[row]);
      const std::vector<sql::Value>& got = *actual[row].second;
      bool same = want.size() == got.size();
      for (size_t c = 0; same && c < want.size(); ++c) {
        same = types[c] == 'R' ? RealMatches(want[c], got[c]) : want[c] == CellText(got[c]);
      }
      if (!same) {
        mismatch = "row " + std::to_string(row + 1) + ": expected [" + expected[row] + "], got [" +
                   actual[row].first + "]";
      }
    }
    if (mismatch.empty()) return;
    std::string what = label + mismatch + "\n" + sql + "\n-- expected:\n";
    for (size_t row = 0; row < expected.size() && row < 20; ++row) what += expected[row] + "\n";
    what += "-- actual:\n";
    for (size_t row = 0; row < actual.size() && row < 20; ++row) what += actual[row].first + "\n";
    Fail(start, what);
  }

  const fs::path path_;
  const std::string rel_;
  std::vector<Failure>* failures_;
  int* queries_;
  int* fragmented_;
  ManualClock clock_{FromMicros(1'700'000'000'000'000)};
  local::LocalEngine plain_{EngineOptions(0)};
  // The fragmented runs read through a column cache, as a node does: cached pieces carry the
  // dictionary form of repeating strings, which the kernels and hash tables use. So every
  // query is checked over plain columns and over dictionary-coded ones.
  local::LocalEngine cached_{EngineOptions(64 << 20)};
};

// Runs every corpus file and checks that all of them pass.
void RunCorpus() {
  const std::vector<fs::path> files = testing::SqlLogicCorpusFiles();
  REQUIRE(!files.empty());
  std::vector<Failure> failures;
  int queries = 0, fragmented = 0;
  for (const fs::path& file : files) {
    FileRunner runner(file, &failures, &queries, &fragmented);
    runner.Run();
  }
  for (const Failure& f : failures) std::cout << f.where << ": " << f.what << "\n\n";
  std::cout << files.size() << " files, " << queries << " query records (" << fragmented
            << " also run in fragments), " << failures.size() << " failures\n";
  INFO(failures.size() << " failing records (printed above)");
  CHECK(failures.empty());
  if (std::getenv("LAKE_SLT_FILTER") == nullptr) {
    CHECK(queries >= 150);     // nothing skipped
    CHECK(fragmented >= 150);  // the distributed path saw most of them
  }
}

TEST_CASE("sqllogictest corpus matches SQLite's answers", "[sql][slt]") { RunCorpus(); }

// The corpus' tables are far below the partition threshold; lowered to one entry, every GROUP BY
// and DISTINCT table is partitioned from its first entry, so every answer also comes out of the
// partitioned tables and their parallel merges, in the leaf and at the root.
TEST_CASE("sqllogictest corpus matches SQLite's answers with every hash table partitioned",
          "[sql][slt]") {
  sql::testing::ScopedPartitionThreshold partition_everything(1);
  RunCorpus();
}

}  // namespace
}  // namespace lake
