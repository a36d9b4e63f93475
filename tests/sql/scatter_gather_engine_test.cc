// Scatter/gather end to end with the real engine, as the planner will run it: a table in a store,
// its chunks "placed" on the 3 XOR-closest of 6 simulated nodes, chunks pruned with the
// manifest's zone maps, each fragment run by its holder with Engine::RunFragment (all holders
// share one engine over the one store), holders failing, going silent or answering late, and
// the partials merged with Engine::MergeFragments. The answer must equal Engine::Run's; a query
// whose chunk no replica can scan fails naming it; with partial answers allowed, it equals the
// engine's answer over the chunks covered. Here rather than in sql_tests: it needs store/local.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <vector>

#include "common/rng.h"
#include "common/task_runner.h"
#include "local/store_table_provider.h"
#include "sql/engine.h"
#include "sql/fragment_codec.h"
#include "sql/parser.h"
#include "sql/scatter_gather.h"
#include "sql/zone_pruning.h"
#include "store/catalog.h"
#include "store/mem_chunk_store.h"
#include "tests/sql/scatter_driver.h"
#include "tests/support/import_text.h"

namespace lake::sql {
namespace {

using Behaviour = testing::HolderBehaviour;

constexpr int kRows = 16000;  // 16 chunks: the importer cuts them at multiples of 1,024 rows
constexpr size_t kReplication = 3;
const Duration kTimeout = std::chrono::milliseconds(500);

// Ids ascending (so zone maps prune ranges of them), a few hundred users, five countries.
std::string EventsCsv() {
  const char* const countries[] = {"US", "DE", "FR", "JP", "BR"};
  std::string csv = "id,user_id,country,amount,day,flag\n";
  for (int i = 0; i < kRows; ++i) {
    csv += std::to_string(i) + "," + std::to_string((i * 7919) % 400) + "," +
           countries[(i * 31) % 5] + "," + std::to_string((i * 37) % 1000 - 100) + ",2024-03-" +
           std::to_string(10 + i % 20) + "," + (i % 3 == 0 ? "true" : "false") + "\n";
  }
  return csv;
}

// A result's rows as text, sorted unless the statement orders them.
std::vector<std::string> Rows(const QueryResult& result, bool ordered) {
  std::vector<std::string> rows;
  for (const std::vector<Value>& row : result.rows) {
    std::string text;
    for (const Value& v : row) text += v.ToString() + "|";
    rows.push_back(text);
  }
  if (!ordered) std::sort(rows.begin(), rows.end());
  return rows;
}

struct Cluster {
  store::MemChunkStore store;
  local::StoreTableProvider tables{store};
  InlineTaskRunner runner;
  Engine engine{tables, &runner};
  store::Manifest manifest;
  std::vector<NodeId> nodes;
  std::vector<std::vector<NodeId>> replicas;  // by chunk: the kReplication closest, closest first

  Cluster() {
    lake::testing::ImportText(store, "events", EventsCsv(), 2048);
    REQUIRE(tables.Refresh().ok());
    Result<std::vector<store::Manifest>> manifests = store::ListManifests(store);
    REQUIRE(manifests.ok());
    REQUIRE(manifests->size() == 1);
    manifest = (*manifests)[0];
    REQUIRE(manifest.chunks.size() >= 10);
    Rng rng(42);
    for (int i = 0; i < 6; ++i) nodes.push_back(rng.NextId());
    for (const store::ChunkRef& chunk : manifest.chunks) {
      std::vector<NodeId> closest = nodes;
      std::sort(closest.begin(), closest.end(),
                [&](const NodeId& a, const NodeId& b) { return CloserTo(chunk.id, a, b); });
      closest.resize(kReplication);
      replicas.push_back(closest);
    }
  }

  // The planner's part before scattering: the chunks the zone maps leave, with their replicas.
  std::vector<ScatterGather::Chunk> Unpruned(const std::string& sql) {
    Result<std::vector<Statement>> parsed = Parse(sql);
    REQUIRE(parsed.ok());
    Result<BoundStatement> bound = Bind((*parsed)[0], tables);
    REQUIRE(bound.ok());
    const BoundSelect& q = bound->select;
    std::vector<ScatterGather::Chunk> chunks;
    for (size_t i = 0; i < manifest.chunks.size(); ++i) {
      if (q.filter && !ChunkMayMatch(*q.filter, [&](size_t scan_column) {
            return tables.ChunkRange(q.table, i, q.scan_columns[scan_column]);
          })) {
        continue;
      }
      chunks.push_back({i, manifest.chunks[i].id, manifest.chunks[i].rows, replicas[i]});
    }
    return chunks;
  }

  Result<Bytes> RunFragment(const std::string& sql, const std::vector<size_t>& chunks) {
    FragmentRequest request{sql, {}};
    for (size_t chunk : chunks) request.chunks.push_back(chunk);
    return engine.RunFragment(EncodeFragmentRequest(request));
  }
};

TEST_CASE(
    "Scattered over failing holders, a query answers as the engine does on one node, or "
    "names the chunks it could not reach",
    "[sql][scatter]") {
  Cluster cluster;
  struct Query {
    const char* sql;
    bool ordered;
  };
  const Query queries[] = {
      {"SELECT country, COUNT(*), SUM(amount), MIN(amount), MAX(day), AVG(amount) FROM events "
       "GROUP BY country",
       false},
      {"SELECT DISTINCT country, flag FROM events", false},
      {"SELECT id, amount FROM events ORDER BY amount DESC, id LIMIT 7", true},
      {"SELECT COUNT(DISTINCT user_id), COUNT(*) FROM events WHERE amount > 10", false},
      {"SELECT user_id, COUNT(DISTINCT country) FROM events WHERE id < 5000 GROUP BY user_id "
       "HAVING COUNT(*) > 1 ORDER BY user_id",
       true},
      {"SELECT id, country FROM events WHERE id % 97 = 0", false},
      {"SELECT SUM(100 / (id - 1500)) FROM events", false},  // division by zero in one chunk
  };
  size_t answered = 0, retried = 0, unreachable = 0, partial = 0, statement_errors = 0;
  for (const Query& query : queries) {
    const std::string sql = query.sql;
    Result<std::vector<QueryResult>> expected = cluster.engine.Run(sql);
    const std::vector<ScatterGather::Chunk> chunks = cluster.Unpruned(sql);
    REQUIRE_FALSE(chunks.empty());
    for (uint64_t seed = 0; seed < 30; ++seed) {
      INFO(sql << " seed " << seed);
      Rng rng(seed);
      std::map<NodeId, Behaviour> behaviour;
      for (const NodeId& node : cluster.nodes) {
        behaviour[node] = !rng.Bernoulli(0.3) ? Behaviour::kAnswers
                                              : std::array{Behaviour::kErrors, Behaviour::kSilent,
                                                           Behaviour::kLate}[rng.Uniform(3)];
      }
      const NodeId self = cluster.nodes[rng.Uniform(cluster.nodes.size())];
      const bool allow_partial = rng.Bernoulli(0.3);
      ScatterGather sg(self, chunks, {kTimeout, kReplication, allow_partial});
      testing::DriveToEnd(
          sg, behaviour,
          [&](const ScatterGather::Fragment& f) { return cluster.RunFragment(sql, f.chunks); },
          kTimeout, rng);
      retried += sg.stats().fragments_retried > 0;
      const std::vector<size_t> missing = sg.MissingChunks();
      Result<ScatterGather::Outcome> outcome = sg.Finish();

      if (!outcome.ok() && outcome.status().IsInvalidArgument()) {
        // The statement's own error, as one node reports it.
        REQUIRE_FALSE(expected.ok());
        CHECK(outcome.status().ToString() == expected.status().ToString());
        ++statement_errors;
        continue;
      }
      if (!outcome.ok()) {
        REQUIRE_FALSE(missing.empty());
        CHECK(outcome.status().code() == Status::Code::kUnavailable);
        CHECK(outcome.status().message().find(cluster.manifest.chunks[missing[0]].id.ToHex()) !=
              std::string::npos);
        ++unreachable;
        continue;
      }
      Result<QueryResult> merged = cluster.engine.MergeFragments(sql, outcome->partials);
      REQUIRE(merged.ok());
      CHECK(merged->chunks_scanned + merged->chunks_pruned == chunks.size() - missing.size());
      if (missing.empty()) {
        REQUIRE(expected.ok());
        CHECK(Rows(*merged, query.ordered) == Rows((*expected)[0], query.ordered));
        ++answered;
        continue;
      }
      // A partial answer is the engine's over exactly the chunks covered.
      std::vector<size_t> covered;
      for (const ScatterGather::Chunk& chunk : chunks) {
        if (!std::binary_search(missing.begin(), missing.end(), chunk.index)) {
          covered.push_back(chunk.index);
        }
      }
      Result<Bytes> whole = cluster.RunFragment(sql, covered);
      REQUIRE(whole.ok());
      Result<QueryResult> reference = cluster.engine.MergeFragments(sql, {*whole});
      REQUIRE(reference.ok());
      CHECK(Rows(*merged, query.ordered) == Rows(*reference, query.ordered));
      uint64_t rows = 0;
      for (size_t chunk : covered) rows += cluster.manifest.chunks[chunk].rows;
      CHECK(outcome->rows_covered == rows);
      ++partial;
    }
  }
  // Every path ran.
  CHECK(answered > 50);
  CHECK(retried > 50);
  CHECK(unreachable > 0);
  CHECK(partial > 0);
  CHECK(statement_errors > 10);
}

}  // namespace
}  // namespace lake::sql
