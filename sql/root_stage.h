// The root of a SELECT: merges the leaf fragments' partial results (sql/leaf_fragment.h) and
// finishes the query: combine -> finalize -> HAVING -> projection -> DISTINCT -> ORDER BY
// (top-N when LIMIT bounds it) -> LIMIT/OFFSET. It runs once, on the node the query came to;
// partial aggregates merge on the TaskRunner (GroupedAggregates::Merge).
// Thread-safety: reentrant.
#pragma once

#include <vector>

#include "common/result.h"
#include "common/task_runner.h"
#include "sql/bound.h"
#include "sql/engine.h"
#include "sql/partial_result.h"

namespace lake::sql {

// `partials` in chunk order (rows without ORDER BY come out in that order). Errors: runtime
// errors of HAVING and the select list ("(at position P)"), a BIGINT SUM out of range.
Result<QueryResult> RunRootStage(const BoundSelect& q, std::vector<PartialResult> partials,
                                 TaskRunner* runner);

// The same answer as columns (the visible ones, rows in answer order), never boxed into Values:
// what a subquery's consumer reads.
Result<std::vector<Vector>> RunRootStageColumns(const BoundSelect& q,
                                                std::vector<PartialResult> partials,
                                                TaskRunner* runner);

}  // namespace lake::sql
