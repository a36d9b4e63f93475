// A holder killed with SIGKILL in the middle of a distributed query: three `p2plake node`
// processes each hold every chunk of a table (R = 3), node 1 plans a query slow enough to be
// caught in flight, and node 2 is killed while it scans its share. The planner learns of the
// death from the closed session, sends node 2's chunks to the other replicas, and the answer
// must be exactly the embedded engine's; the same query with node 2 still dead is exact too.
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "tests/net/generated_csv.h"
#include "tests/net/node_api.h"
#include "tests/net/node_process.h"
#include "tests/net/query_support.h"
#include "tests/support/sanitizers.h"

namespace lake::nettest {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr size_t kRows = 100'000;
constexpr uint64_t kChunkBytes = 256 << 10;  // about 20 chunks

int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
}

TEST_CASE("A holder killed in the middle of a query leaves the answer exact", "[net]") {
  const std::string dir = FreshTestDir("query-kill");
  const std::string config = WriteQueryConfig(dir + "/config.json", 3, kChunkBytes,
                                              {{"maxQueryTime", 30000 * testing::kSlowdown}});
  NodeProcess n1(dir + "/n1"), n2(dir + "/n2"), n3(dir + "/n3");
  const Nodes all{&n1, &n2, &n3};
  StartMesh(all, {"--config", config});
  EmbeddedEngine embedded(kChunkBytes);
  LoadEverywhere(embedded, all, dir, "big", GeneratedCsv(kRows, 7));
  REQUIRE(embedded.Chunks("big") >= 9);

  // Every row passes the slow condition, so a chunk scanned twice or not at all changes every
  // group's count and sum.
  const std::string sql =
      "SELECT city, COUNT(*) AS n, SUM(amount) AS s, MIN(note) AS lo, MAX(note) AS hi FROM big "
      "WHERE " +
      SlowCondition("note", 12) + " GROUP BY city ORDER BY city";
  const auto embedded_started = Clock::now();
  const Result<sql::QueryResult> expected = embedded.Answer(sql);
  const int64_t embedded_ms = MillisSince(embedded_started);
  REQUIRE(expected.ok());
  REQUIRE(expected->rows.size() == 40);

  // Undisturbed, the query is spread over the three nodes.
  const auto undisturbed_started = Clock::now();
  const QueryReply undisturbed = PostQuery(n1.http_port(), sql);
  const int64_t undisturbed_ms = MillisSince(undisturbed_started);
  INFO(undisturbed);
  REQUIRE(undisturbed.status == 200);
  CHECK(AnswerMismatch(*expected, undisturbed.body, false).empty());
  REQUIRE(QueryStat(undisturbed, "nodesContacted") == 3);

  // Node 2 is killed once it has spent some CPU on its share, a little later each time.
  int retried = 0;  // kills after which the planner sent node 2's chunks elsewhere
  for (const int delay_ms : {0, 150, 300}) {
    INFO("killed " << delay_ms << " ms after node 2 started scanning");
    if (!n2.running()) {
      INFO(n2.error());
      REQUIRE(n2.Restart());
      REQUIRE(Eventually([&] { return Meshed(all); }, seconds(20)));
    }
    const milliseconds cpu_before = CpuTime(n2.pid());
    const auto started = Clock::now();
    std::future<QueryReply> reply =
        std::async(std::launch::async, [&] { return PostQuery(n1.http_port(), sql); });
    REQUIRE(CpuGrew(n2.pid(), cpu_before, milliseconds(30), seconds(10)));
    std::this_thread::sleep_for(milliseconds(delay_ms));
    REQUIRE(reply.wait_for(milliseconds(0)) == std::future_status::timeout);  // still in flight
    const int64_t killed_at = MillisSince(started);
    n2.Kill9();
    const QueryReply answer = reply.get();
    INFO("killed at " << killed_at << " ms, answered at " << MillisSince(started)
                      << " ms: " << answer);
    CHECK(answer.status == 200);
    CHECK(AnswerMismatch(*expected, answer.body, false).empty());
    retried += QueryStat(answer, "retries") > 0;
    std::cout << "query-kill: node 2 killed " << killed_at << " ms into the query, answered after "
              << MillisSince(started) << " ms, " << QueryStat(answer, "retries")
              << " fragments retried\n";
  }
  // Node 2 had not answered yet at least once (it takes longer than the latest kill).
  CHECK(retried >= 1);

  // With node 2 still dead, either live node answers exactly.
  REQUIRE_FALSE(n2.running());
  for (NodeProcess* node : {&n1, &n3}) {
    const auto started = Clock::now();
    const QueryReply answer = PostQuery(node->http_port(), sql);
    INFO(answer);
    CHECK(answer.status == 200);
    CHECK(AnswerMismatch(*expected, answer.body, false).empty());
    std::cout << "query-kill: with node 2 dead, answered in " << MillisSince(started) << " ms\n";
  }
  std::cout << "query-kill: embedded engine " << embedded_ms << " ms, undisturbed cluster "
            << undisturbed_ms << " ms\n";
}

}  // namespace
}  // namespace lake::nettest
