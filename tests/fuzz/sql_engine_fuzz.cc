// Fuzz target: the SQL front end and the engine behind it, on text as a client sends it to
// /api/query: parse, bind, plan and run every statement against two tiny in-memory tables (a
// handful of rows, so no statement the dialect has can do unbounded work). Any error must be an
// InvalidArgument that names a position inside the text (or none).
#include <cstdint>
#include <string_view>

#include "common/task_runner.h"
#include "sql/engine.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/tiny_tables.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lake;
  static InlineTaskRunner runner;
  sql::Engine engine(fuzz::TinyTableProvider(), &runner);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<std::vector<sql::QueryResult>> results = engine.Run(text);
  if (!results.ok()) {
    FUZZ_CHECK(results.status().IsInvalidArgument());
    FUZZ_CHECK(results.status().position() >= 0);
    FUZZ_CHECK(static_cast<size_t>(results.status().position()) <= size + 1);
    return 0;
  }
  for (const sql::QueryResult& result : *results) {
    FUZZ_CHECK(result.names.size() == result.types.size());
    for (const std::vector<sql::Value>& row : result.rows) {
      FUZZ_CHECK(row.size() == result.names.size());
    }
  }
  return 0;
}
