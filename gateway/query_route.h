// POST /api/query: one SQL text, from a JSON body {sql} or {query} (the original app's key) with
// an optional allowPartial and rowMode ("object", the default, or "array": rows as arrays in
// column order, which keep every column of a name two columns share), answered by the node's
// query planner. The answer comes whole as JSON
// ({success, columns, data, rowCount, executionTime, stats}) when it has at most max_result_rows
// rows; with ?stream=1 it comes in any size as chunked newline-delimited JSON (a {columns} line,
// one object per row, a {rowCount, executionTime, stats} line) or, with &format=csv, as CSV
// (gateway/query_csv.h). The planner enforces the query time limit itself; the gateway waits a
// margin longer, so that the planner's own error reaches the client.
// Thread-safety: a free function; any handler thread may call it.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>

#include "actors/interfaces.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace lake::gateway {

// How much longer than the query time limit the gateway waits for the planner's answer.
inline constexpr std::chrono::milliseconds kQueryWaitMargin{2000};

struct QueryLimits {
  std::chrono::milliseconds max_query_time{30000};  // the planner's limit (analytics.maxQueryTime)
  uint64_t max_result_rows = 100000;                // larger answers are refused unless streamed
};

// The whole route. Errors: a malformed body or parameters, the SQL's own errors and an answer
// over max_result_rows are 400 (the SQL's with its position); the planner's Unavailable (chunks
// unreachable, busy) 503 with Retry-After: 1; its Timeout, or no answer within max_query_time +
// kQueryWaitMargin, 504. Every error comes before the first byte of a stream.
void ServeQuery(caf::actor_system& system, const actors::QueryPlannerActor& planner,
                const QueryLimits& limits, const httplib::Request& req, httplib::Response& res);

}  // namespace lake::gateway
