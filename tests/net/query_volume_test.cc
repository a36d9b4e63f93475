// Query after query whose holders each send their planner megabytes of partial results, between
// two `p2plake node` processes that each hold every chunk: every answer stays exact and prompt
// (the transport keeps reading the holder's session however much it has sent), the two nodes
// keep each other in their routing tables, and the holder does not keep the results it sent.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>

#include "sql/fragment_codec.h"
#include "tests/net/generated_csv.h"
#include "tests/net/node_api.h"
#include "tests/net/node_process.h"
#include "tests/net/query_support.h"
#include "tests/support/sanitizers.h"

namespace lake::nettest {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr size_t kRows = 200'000;
constexpr uint64_t kChunkBytes = 1 << 20;
// A peer's payloads the transport lets wait at the query planner before it stops reading that
// peer (PeerTransportOptions::max_handler_backlog).
constexpr uint64_t kHandlerBacklog = 8 << 20;
constexpr int64_t kMaxQueryMs = 30000 * testing::kSlowdown;
// The holder's resident set grows over the first few queries and then holds steady; anything it
// kept of each result would grow it by as much every query.
constexpr size_t kWarmRuns = 6;
constexpr size_t kRuns = 12;

int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
}

TEST_CASE(
    "A holder sends its planner megabytes of partial results query after query without "
    "stalling or keeping them",
    "[net]") {
  const std::string dir = FreshTestDir("query-volume");
  // No column cache: the holder's memory is its scans' and what it sends.
  const std::string config = WriteQueryConfig(dir + "/config.json", 2, kChunkBytes,
                                              {{"cacheSize", 0}, {"maxQueryTime", kMaxQueryMs}});
  NodeProcess n1(dir + "/n1"), n2(dir + "/n2");
  const Nodes all{&n1, &n2};
  // One malloc arena, and large blocks mapped on their own (so freed ones go back to the
  // system): a node's resident set then follows what it keeps, not which thread freed what.
  ::setenv("MALLOC_MMAP_THRESHOLD_", "65536", 1);
  ::setenv("MALLOC_ARENA_MAX", "1", 1);
  StartMesh(all, {"--config", config});
  ::unsetenv("MALLOC_MMAP_THRESHOLD_");
  ::unsetenv("MALLOC_ARENA_MAX");
  EmbeddedEngine embedded(kChunkBytes);
  LoadEverywhere(embedded, all, dir, "big", GeneratedCsv(kRows, 11));

  // One group per row: each holder's partial result carries about half the table's notes.
  const std::string sql =
      "SELECT note, COUNT(*) AS n, SUM(amount) AS s FROM big GROUP BY note ORDER BY n DESC, note "
      "LIMIT 5";
  const Result<sql::QueryResult> expected = embedded.Answer(sql);
  REQUIRE(expected.ok());
  sql::FragmentRequest everything{sql, {}};
  for (size_t chunk = 0; chunk < embedded.Chunks("big"); ++chunk)
    everything.chunks.push_back(chunk);
  const Result<Bytes> partial =
      embedded.local().engine().RunFragment(sql::EncodeFragmentRequest(everything));
  REQUIRE(partial.ok());
  const uint64_t holder_bytes = partial->size() / 2;  // n2's share, about
  REQUIRE(holder_bytes > (1 << 20));
  // n2 sends several times what the transport would let wait unconsumed.
  REQUIRE(kRuns * holder_bytes > 4 * kHandlerBacklog);

  uint64_t rss_warm = 0;
  int64_t slowest_ms = 0;
  for (size_t run = 0; run < kRuns; ++run) {
    INFO("run " << run + 1 << " of " << kRuns);
    const auto started = Clock::now();
    const QueryReply reply = PostQuery(n1.http_port(), sql);
    const int64_t ms = MillisSince(started);
    slowest_ms = std::max(slowest_ms, ms);
    INFO(reply << " after " << ms << " ms");
    REQUIRE(reply.status == 200);
    CHECK(AnswerMismatch(*expected, reply.body, false).empty());
    // Well within the planner's fragment timeout (a third of maxQueryTime), which a stalled
    // holder would run into.
    CHECK(ms < kMaxQueryMs / 3 * 4 / 5);
    CHECK(QueryStat(reply, "nodesContacted") == 2);
    CHECK(QueryStat(reply, "retries") == 0);
    if (run + 1 == kWarmRuns) rss_warm = ResidentBytes(n2.pid());
  }
  const uint64_t rss_end = ResidentBytes(n2.pid());
  REQUIRE(rss_warm > 0);
  const uint64_t grown = rss_end > rss_warm ? rss_end - rss_warm : 0;
  INFO("n2's resident set grew " << (grown >> 20) << " MiB over the last " << kRuns - kWarmRuns
                                 << " queries, each sending about " << (holder_bytes >> 20)
                                 << " MiB");
  CHECK(grown < (kRuns - kWarmRuns) * holder_bytes / 2);
  CHECK(Meshed(all));
  std::cout << "query-volume: " << kRuns << " queries, n2 sending about " << (holder_bytes >> 10)
            << " KiB each; slowest " << slowest_ms << " ms; n2's RSS grew " << (grown >> 10)
            << " KiB over the last " << kRuns - kWarmRuns << "\n";
}

}  // namespace
}  // namespace lake::nettest
