// Zone-map pruning: decides from a chunk's column ranges whether any of its rows can satisfy a
// WHERE clause, so the scan can skip the chunk without reading it. Conservative: it answers
// "cannot match" only for conjuncts of the form `column <comparison> constant` (either side),
// over BIGINT, DOUBLE, DATE, TIMESTAMP or BOOLEAN columns, that no value in the range satisfies
// (a comparison with NULL is never true, so an all-NULL column satisfies none).
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>

#include "sql/bound.h"
#include "sql/table_provider.h"

namespace lake::sql {

// `range(i)`: the range of scan column i (the input batch's column i), if known.
using RangeLookup = std::function<std::optional<ColumnRange>(size_t scan_column)>;

// False only if no row of the chunk can make `filter` true.
bool ChunkMayMatch(const BoundExpr& filter, const RangeLookup& range);

}  // namespace lake::sql
