// Row ordering over columnar results: ORDER BY (with top-N when a LIMIT bounds what is needed)
// and DISTINCT, working on row indexes into full-length Vectors, so no row is copied or boxed
// until the answer is cut out.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <vector>

#include "common/task_runner.h"
#include "common/vector.h"
#include "sql/bound.h"

namespace lake::sql {

// Compares row a with row b of `columns` under `order`; NULLs go where each key's nulls_first
// says, whatever the direction. Returns <0, 0 or >0.
int CompareRows(const std::vector<Vector>& columns, const std::vector<BoundOrder>& order, size_t a,
                size_t b);

// The indexes of `rows` rows sorted by `order` (stable: ties keep input order); if `keep` is
// less than `rows`, only the first `keep` of them (a partial sort).
std::vector<size_t> SortedRows(const std::vector<Vector>& columns,
                               const std::vector<BoundOrder>& order, size_t rows, size_t keep);
// The same; a top-N of many rows is cut from ranges of them in parallel on `runner`.
std::vector<size_t> SortedRows(const std::vector<Vector>& columns,
                               const std::vector<BoundOrder>& order, size_t rows, size_t keep,
                               TaskRunner* runner);

// The rows of `columns` (`rows` of them) a query's answer shows, in order: sorted by q's ORDER BY
// if it has one, and at most LIMIT + OFFSET of them (OFFSET not applied yet).
std::vector<size_t> AnswerRows(const std::vector<Vector>& columns, const BoundSelect& q,
                               size_t rows, TaskRunner* runner);

// The indexes of the first occurrence of every distinct row over the first `visible` columns.
// Values are compared as GROUP BY compares keys (DOUBLE -0.0 and 0.0 are one value).
std::vector<size_t> DistinctRows(const std::vector<Vector>& columns, size_t visible, size_t rows);

// New vectors holding rows `indexes` of `columns`, in that order.
std::vector<Vector> TakeRows(const std::vector<Vector>& columns,
                             const std::vector<size_t>& indexes);

}  // namespace lake::sql
