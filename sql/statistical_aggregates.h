// The state machines of the statistical aggregates, beside the basic ones of
// grouped_aggregates.cc: VAR_SAMP/VAR_POP/STDDEV_SAMP/STDDEV_POP keep each group's (count, mean,
// M2) with Welford's update and Chan et al.'s pairwise combine, numerically stable in any merge
// order; APPROX_COUNT_DISTINCT keeps a HyperLogLog sketch per group (sql/hyperloglog.h). A
// state's `count` counts its group's non-NULL inputs either way.
// Thread-safety: functions over caller-owned states.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/vector.h"
#include "sql/aggregate_state.h"
#include "sql/selected_vector.h"

namespace lake::sql {

// Folds logical row i of `arg` into group groups[i]. REQUIRES: IsMoment(s.kind), a DOUBLE
// argument (the binder casts), slots sized.
void UpdateMoments(AggregateState& s, const SelectedVector& arg, const uint32_t* groups,
                   size_t count);
// The same for APPROX_COUNT_DISTINCT, over an argument of any type.
void UpdateSketches(AggregateState& s, const SelectedVector& arg, const uint32_t* groups,
                    size_t count);

// Folds group `og` of `o` into group `g` of `s` (same aggregate). REQUIRES: for moments, before
// the caller adds o.count[og] to s.count[g].
void CombineMoments(AggregateState& s, size_t g, const AggregateState& o, size_t og);
void CombineSketches(AggregateState& s, size_t g, const AggregateState& o, size_t og);

// One DOUBLE (moments) or BIGINT (sketches) row per group into `column`.
void FinalizeMoments(const AggregateState& s, Vector* column);
void FinalizeSketches(const AggregateState& s, Vector* column);

}  // namespace lake::sql
