// Window functions (ROW_NUMBER, RANK, DENSE_RANK, LAG, LEAD, and COUNT, SUM, AVG, MIN, MAX over
// a frame) over a query's intermediate rows: all of them, once they are known, at the root of
// the query (sql/root_stage.cc). Each window's rows are cut into partitions by hashing their
// PARTITION BY keys (GroupTable) and a counting sort, then each partition is sorted by the ORDER
// BY keys and walked in that order, the current row's peers (rows equal to it in ORDER BY)
// found once, the aggregates read from prefix sums (COUNT, SUM, AVG) or prefix and suffix
// extremes (MIN, MAX; a frame touching neither end of its partition is scanned).
// Thread-safety: reentrant.
#pragma once

#include <vector>

#include "common/result.h"
#include "common/vector.h"
#include "sql/bound.h"

namespace lake::sql {

// One column per window of `windows`, its value for each row of `rows` (the intermediate rows
// the windows' expressions read), in row order. Errors: the expressions' own, a BIGINT SUM out
// of range.
Result<std::vector<Vector>> ComputeWindows(const std::vector<BoundWindow>& windows,
                                           const std::vector<Vector>& rows);

}  // namespace lake::sql
