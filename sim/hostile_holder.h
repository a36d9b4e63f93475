// What a chunk holder sends back for a fragment in the query simulation: an honest holder its
// partial result in PARTIAL pieces (dht::PartialPieces); a hostile one something the planner
// must refuse, so that the chunks go to another replica and the answer stays exact:
//   kGarbage         random bytes in place of the partial result
//   kTruncated       the honest partial result cut short
//   kWrongSequence   the honest pieces out of sequence (reversed, or numbered from 1 if one)
//   kExtraColumn     the honest partial result with one column more than the query has (its
//                    first row column, aggregate state or group key repeated)
//   kOversized       the honest partial result padded past the planner's limit on one answer
//   kSkipsChunks     a well-formed partial result of none of the chunks asked for (so the
//                    planner must check what an answer accounts for)
// Thread-safety: pure functions (the Rng is the caller's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/bytes.h"
#include "common/rng.h"
#include "dht/query_messages.h"

namespace lake::sim {

// Wire-free names for the behaviours; kHonest first, the hostile ones after it.
enum class HolderBehaviour : uint8_t {
  kHonest,
  kGarbage,
  kTruncated,
  kWrongSequence,
  kExtraColumn,
  kOversized,
  kSkipsChunks,
};
inline constexpr size_t kHolderBehaviours = 7;

// The fragment request (sql/fragment_codec.h) a holder behaving as `behaviour` runs in place of
// `request`: for kSkipsChunks the same without its chunks, else `request` itself.
Bytes RequestRun(HolderBehaviour behaviour, const Bytes& request);

// The PARTIAL messages a holder behaving as `behaviour` sends for request `request_id` whose
// honest partial result is `honest`: pieces of at most `piece_bytes`; kOversized sends
// `oversize_bytes` in all. REQUIRES: piece_bytes > 0.
std::vector<dht::QueryMessage> HolderPieces(HolderBehaviour behaviour, uint64_t request_id,
                                            const Bytes& honest, size_t piece_bytes,
                                            size_t oversize_bytes, Rng& rng);

// `partial` (an encoded sql::PartialResult) with its first row column repeated at the end, or
// for an aggregated query its first aggregate state (its first group key if it has none).
// `partial` unchanged if it does not parse as one.
Bytes WithExtraColumn(const Bytes& partial);

}  // namespace lake::sim
