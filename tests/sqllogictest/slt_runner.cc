#include "tests/sqllogictest/slt_runner.h"

#include <regex>
#include <sstream>

#include "sql/engine.h"
#include "tests/sqllogictest/mem_tables.h"
#include "tests/sqllogictest/slt_format.h"
#include "tests/support/sql_logic_records.h"

namespace lake::slt {
namespace {

constexpr size_t kWrongExamples = 5;

std::vector<std::string> Words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// The record's own header once its leading skipif/onlyif lines are taken off (the shared record
// reader sees those as the header and the real header as the first SQL line). Returns whether
// the conditions let us run it.
bool PeelConditions(testing::SqlLogicRecord* record) {
  bool run = true;
  while (!record->words.empty() && (record->words[0] == "skipif" || record->words[0] == "onlyif")) {
    const bool named = record->words.size() > 1 && record->words[1] == kDatabaseName;
    if ((record->words[0] == "skipif") == named) run = false;
    const size_t newline = record->sql.find('\n');
    record->words = Words(record->sql.substr(0, newline));
    record->sql = newline == std::string::npos ? "" : record->sql.substr(newline + 1);
  }
  return run;
}

// An error message without the position it names, so that one kind of refusal counts once.
std::string ErrorKind(const std::string& message) {
  static const std::regex kPosition(R"( ?\(at position [0-9]+\))");
  return std::regex_replace(message, kPosition, "");
}

class ScriptRun {
 public:
  explicit ScriptRun(TaskRunner* runner) : engine_(tables_, runner) {}

  ScriptReport Run(const std::filesystem::path& path) {
    for (testing::SqlLogicRecord& record : testing::ReadSqlLogicRecords(path)) {
      const bool run = PeelConditions(&record);
      const std::string type = record.words.empty() ? "" : record.words[0];
      if (type == "halt") break;
      if (!run) {
        report_.skipped += type == "query";
        continue;
      }
      if (type == "statement") {
        Statement(record);
      } else if (type == "query") {
        Query(record);
      } else if (type != "hash-threshold") {
        // The recorded form of each answer (a list or a hash) says how to compare it, so the
        // threshold itself is not needed.
        ++report_.errors["runner: unknown record type " + type];
      }
    }
    return std::move(report_);
  }

 private:
  void Statement(const testing::SqlLogicRecord& record) {
    ++report_.statements;
    const bool expect_error = record.words.size() > 1 && record.words[1] == "error";
    Status status;
    if (std::optional<Status> applied = tables_.Apply(record.sql)) {
      status = *applied;
    } else {
      status = engine_.Run(record.sql).status();
    }
    if (status.ok() == expect_error) {
      ++report_.statements_failed;
      ++report_.errors["statement: " + (status.ok() ? std::string("succeeded, error expected")
                                                    : ErrorKind(status.message()))];
    }
  }

  void Query(const testing::SqlLogicRecord& record) {
    ++report_.queries;
    const std::string types = record.words.size() > 1 ? record.words[1] : "";
    const std::string mode = record.words.size() > 2 ? record.words[2] : "nosort";
    Result<std::vector<sql::QueryResult>> result = engine_.Run(record.sql);
    if (!result.ok() || result->empty()) {
      ++report_.unsupported;
      ++report_.errors[result.ok() ? "no result" : ErrorKind(result.status().message())];
      return;
    }
    const sql::QueryResult& answer = result->back();
    std::string wrong;
    std::vector<std::string> values;
    if (answer.types.size() != types.size()) {
      wrong = std::to_string(answer.types.size()) + " columns, " + std::to_string(types.size()) +
              " expected";
    } else {
      for (const std::vector<sql::Value>& row : answer.rows) {
        for (size_t c = 0; c < row.size(); ++c) values.push_back(FormatValue(types[c], row[c]));
      }
      if (!SortValues(mode, types.size(), &values)) wrong = "unknown sort mode " + mode;
    }
    if (wrong.empty() && !Matches(values, record.expected)) {
      wrong = std::to_string(values.size()) + " values (" + HashValues(values) + ")";
    }
    if (wrong.empty()) {
      ++report_.passed;
      report_.passing.push_back(record.line + 1);
      return;
    }
    ++report_.wrong;
    if (report_.wrong_examples.size() < kWrongExamples) {
      report_.wrong_examples.push_back("line " + std::to_string(record.line + 1) + ": " + wrong +
                                       "\n" + record.sql);
    }
  }

  // Whether `values` are the recorded answer: the values themselves, one a line, or their hash.
  static bool Matches(const std::vector<std::string>& values,
                      const std::vector<std::string>& expected) {
    static const std::regex kHash(R"([0-9]+ values hashing to [0-9a-f]{32})");
    if (expected.size() == 1 && std::regex_match(expected[0], kHash)) {
      return HashValues(values) == expected[0];
    }
    return values == expected;
  }

  MemTables tables_;
  sql::Engine engine_;
  ScriptReport report_;
};

}  // namespace

ScriptReport RunScript(const std::filesystem::path& path, TaskRunner* runner) {
  return ScriptRun(runner).Run(path);
}

}  // namespace lake::slt
