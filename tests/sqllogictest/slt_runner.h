// RunScript: runs one sqllogictest script (SQLite's format: statement ok|error, query <types>
// [nosort|rowsort|valuesort] [label], skipif/onlyif <database>, hash-threshold, halt) against a
// fresh embedded engine and reports how each record fared: CREATE TABLE / INSERT / CREATE INDEX
// go to MemTables (mem_tables.h), everything else to sql::Engine, and answers are compared as
// slt_format.h describes. Thread-safety: RunScript is reentrant; a report is a value.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "common/task_runner.h"

namespace lake::slt {

// Our name in skipif/onlyif conditions: none of the databases the scripts name (sqlite, mysql,
// mssql, oracle, postgresql), so "skipif sqlite" records run and "onlyif sqlite" ones do not.
inline constexpr char kDatabaseName[] = "p2plake";

// A query passes when its answer is the recorded one, is wrong when the engine answers something
// else, and unsupported when the engine refuses it with an error.
struct ScriptReport {
  int queries = 0;      // query records run (skipped ones aside)
  int passed = 0;       // answered as recorded
  int wrong = 0;        // answered otherwise (wrong values, row count or column count)
  int unsupported = 0;  // refused by the engine with an error
  int skipped = 0;      // records a skipif/onlyif condition keeps from us
  int statements = 0;
  int statements_failed = 0;          // statement records whose outcome was not the expected one
  std::vector<size_t> passing;        // 1-based first line of every passing query record
  std::map<std::string, int> errors;  // the engine's refusals by message, and statement failures
  std::vector<std::string> wrong_examples;  // the first few wrong answers, "line N: ..."
};

// REQUIRES: `runner` outlives the call. An unreadable file reports nothing run.
ScriptReport RunScript(const std::filesystem::path& path, TaskRunner* runner);

}  // namespace lake::slt
