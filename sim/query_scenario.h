// The `query` scenario: whether distributed SQL stays exact under faults. A table of events
// (ids ascending, so zone maps prune ranges of them; users, countries, amounts, flags) is
// imported once into a store, cut into small chunks, and the embedded engine answers a few
// representative SELECTs over that store (aggregates, DISTINCT, top-N, COUNT(DISTINCT), a filter
// that prunes, a projection whose partial results travel in many pieces, a self-join and an IN
// subquery, which the planner gathers and runs whole, and a join with a table of countries,
// broadcast to the holders of the events, each fetching the countries chunk it lacks). Then `runs`
// runs, each from its own seed: a QueryCluster of N nodes with fresh ids (each chunk on the R
// closest), a random planner and query, and random faults. Each node but the planner is faulty with
// a probability drawn for the run (up to fault_rate): it crashes before the query (the planner
// noticing or not) or during it, is cut off from the planner (the cut healing during the query
// or not), works past the fragment deadline, or answers as a hostile holder. Messages are lost
// with a probability drawn up to the network's loss, and one run in four has a query deadline
// too short for every retry. Each answer is judged (sim/query_judge.h); none may be wrong.
// Thread-safety: a run is one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "sim/scenarios.h"
#include "sql/engine.h"
#include "store/mem_chunk_store.h"

namespace lake::sim {

// The scenario's table in a store, and its queries with the embedded engine's answers.
class QueryWorkload {
 public:
  struct Query {
    std::string sql;
    bool ordered = false;  // has ORDER BY
    Result<sql::QueryResult> expected;
  };

  static Result<std::unique_ptr<QueryWorkload>> Create();

  const store::ChunkStore& store() const { return store_; }
  const std::vector<Query>& queries() const { return queries_; }

 private:
  QueryWorkload() = default;

  store::MemChunkStore store_;
  std::vector<Query> queries_;
};

// Errors: building the workload. REQUIRES: config.replication >= 1, config.runs >= 1 and
// 0 <= config.fault_rate <= 1 (RunScenario checks these).
Result<SimReport> RunQueries(const SimConfig& config);

}  // namespace lake::sim
