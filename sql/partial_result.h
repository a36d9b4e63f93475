// PartialResult: what a leaf fragment returns to the root (sql/leaf_fragment.h, root_stage.h).
// An aggregated query's leaf returns its partial aggregate states; any other query's leaf returns
// its projected rows, already cut to the top (LIMIT + OFFSET) rows when ORDER BY ... LIMIT
// bounds what the answer can use, and without repeats under SELECT DISTINCT.
// Thread-safety: a value type.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "common/vector.h"
#include "sql/grouped_aggregates.h"

namespace lake::sql {

struct PartialResult {
  std::unique_ptr<GroupedAggregates> aggregates;  // aggregated queries
  std::vector<Vector> rows;                       // otherwise: one Vector per projection
  uint64_t chunks_scanned = 0;
  uint64_t chunks_pruned = 0;
};

}  // namespace lake::sql
