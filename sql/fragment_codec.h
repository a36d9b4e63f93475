// What a distributed query ships, in msgpack:
//   FragmentRequest, root -> holder:  {"v": 1, "sql": str, "chunks": [uint...], "now": int?,
//                                      "joins": [bin32...]?}
//     The statement's text travels rather than a serialised plan: every node binds it with the
//     same binder against the same manifest, so the leaf plans agree, and the receiver validates
//     the request with the parser and binder it already trusts. "now", when present, is the
//     statement's start time at the root (microseconds since the epoch), so NOW() and
//     CURRENT_DATE bind to one value on every node. "joins", when present, makes the fragment
//     one of a broadcast join: the manifest ids of the other datasets' versions the statement
//     joins the fragment's chunks with, each read whole (at most kMaxFragmentJoins).
//   PartialResult, holder -> root:    {"v": 1, "scanned": uint, "pruned": uint,
//                                      "agg": GroupedAggregates state | nil,
//                                      "rows": [Vector per projection]}
// Decoders treat their input as untrusted: Corruption for anything malformed or inconsistent
// with the query, never a crash.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/id.h"
#include "common/result.h"
#include "sql/bound.h"
#include "sql/partial_result.h"

namespace lake::sql {

struct FragmentRequest {
  std::string sql;                                       // one SELECT
  std::vector<uint64_t> chunks;                          // indexes into its table's chunks
  std::optional<int64_t> statement_time = std::nullopt;  // see "now" above
  std::vector<Id> joins = {};                            // see "joins" above
};

// More datasets than one statement joins in practice; a request naming more is refused.
inline constexpr size_t kMaxFragmentJoins = 64;

Bytes EncodeFragmentRequest(const FragmentRequest& request);
Result<FragmentRequest> DecodeFragmentRequest(ByteView bytes);

Bytes EncodePartialResult(const PartialResult& partial);
// `q` is the bound query the partial answers (its aggregates or projections give the shape).
Result<PartialResult> DecodePartialResult(ByteView bytes, const BoundSelect& q);

}  // namespace lake::sql
