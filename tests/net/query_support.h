// Test helpers for the distributed-SQL [net] tests: the config.json of a query cluster, the
// embedded engine over the same CSV files (chunked as the nodes chunk an upload) whose answers
// the cluster's must equal, the comparison of an /api/query answer with one of them, its stats,
// and a slow WHERE condition for tests that act while a query runs.
// Thread-safety: EmbeddedEngine is one call at a time; the free functions are pure or read files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/result.h"
#include "local/local_engine.h"
#include "sql/engine.h"
#include "tests/net/node_api.h"
#include "tests/net/node_process.h"

namespace lake::nettest {

// Writes a node's config.json to `path` and returns `path`: replicationFactor `replication`
// (writeQuorum at most 2), chunks of `chunk_bytes`, repair rare enough not to run during a test,
// no result cache (every answer is computed), and `analytics` merged over that.
std::string WriteQueryConfig(const std::string& path, uint32_t replication, uint64_t chunk_bytes,
                             const nlohmann::json& analytics = nlohmann::json::object());

// A WHERE condition true of every row of a hex-text `column` (generated_csv.h's note) that
// costs CPU but little memory, about (8 * copies)^2 steps a row: `copies` copies of the column
// concatenated, matched against a LIKE pattern the matcher backtracks through ('%', then '_'
// for half the text, then a letter hex never has). It makes a query as slow as a test needs on
// little data, for tests that act while one runs or that see it cut short.
std::string SlowCondition(const std::string& column, int copies);

// Waits up to `timeout` for process `pid` to have used `by` more CPU time than `since` (an
// earlier CpuTime); true once it has.
bool CpuGrew(pid_t pid, milliseconds since, milliseconds by, milliseconds timeout);

// The embedded engine (no network) over CSV files, each cut into chunks of `chunk_bytes` as an
// upload to a node with storage.chunkSize `chunk_bytes` is.
class EmbeddedEngine {
 public:
  explicit EmbeddedEngine(uint64_t chunk_bytes);

  // Imports the CSV file at `path` as table `name`.
  Status Attach(const std::string& name, const std::string& path);
  // The result of the last statement of `sql`, or the first error.
  Result<sql::QueryResult> Answer(const std::string& sql);
  // The number of chunks table `name` was cut into (0 if there is no such table).
  size_t Chunks(const std::string& name) const;
  local::LocalEngine& local() { return engine_; }

 private:
  ManualClock clock_{FromMicros(1'700'000'000'000'000)};
  local::LocalEngine engine_;
};

// Writes `csv` to <dir>/<name>.csv, imports it into `embedded` as table `name`, and uploads it
// through the first of `nodes`, REQUIRing every node to list it. Call from a test case.
void LoadEverywhere(EmbeddedEngine& embedded, const Nodes& nodes, const std::string& dir,
                    const std::string& name, const std::string& csv);

// "" if the body of a 200 answer to PostQuery (rows as arrays) has exactly the columns (names
// and types) and rows of `expected`, else what differs. Values compare as their text, as the
// corpus runner compares them; DOUBLE values also match within a relative 1e-9 (sums may add
// up in another order). With `sort_rows`, both sides' rows are sorted by their text first.
std::string AnswerMismatch(const sql::QueryResult& expected, const nlohmann::json& body,
                           bool sort_rows);

// A number of the "stats" object of a 200 answer to /api/query (-1 if it has none such).
int64_t QueryStat(const QueryReply& reply, const std::string& name);

}  // namespace lake::nettest
