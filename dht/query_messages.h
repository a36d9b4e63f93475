// The query protocol (/lake/query/1) between a query's planner and the holders of its chunks:
// its messages and their msgpack wire form, in the shared envelope ({"p", "k", "r", "b"}).
//   FRAGMENT {man, req}          run sql/fragment_codec.h's request `req` over the chunks of the
//                                dataset version whose manifest id is `man`
//   PARTIAL {seq, last, data}    one piece of the encoded partial result (a result larger than
//                                a frame comes in pieces, seq 0, 1, ..., the last marked)
//   ERROR {code, msg, pos}       the fragment failed (a Status: code, message, SQL position)
//   CANCEL {}                    stop the fragment of this request id (a reply is not expected)
//   ACK {seq}                    the planner took piece `seq`: the holder may send another (a
//                                holder keeps at most a few pieces unacknowledged, so a large
//                                result never piles up in the transport's queue)
// Replies carry the request id of their FRAGMENT. Decoding treats bytes as untrusted: bounded,
// never throws, Corruption on anything malformed.
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/id.h"
#include "common/result.h"
#include "common/status.h"

namespace lake::dht {

inline constexpr char kQueryProtocol[] = "/lake/query/1";

// Wire values: never renumber.
enum class QueryMessageKind : uint8_t {
  kFragment = 1,
  kPartial = 2,
  kError = 3,
  kCancel = 4,
  kAck = 5,
};

struct QueryMessage {
  QueryMessageKind kind = QueryMessageKind::kFragment;
  uint64_t request_id = 0;
  Id manifest_id;      // kFragment
  Bytes data;          // kFragment: the encoded FragmentRequest; kPartial: one piece
  uint32_t piece = 0;  // kPartial: its index; kAck: the piece taken
  bool last = false;   // kPartial: the result's last piece
  Status error;        // kError (never OK)
  friend bool operator==(const QueryMessage& a, const QueryMessage& b) {
    return a.kind == b.kind && a.request_id == b.request_id && a.manifest_id == b.manifest_id &&
           a.data == b.data && a.piece == b.piece && a.last == b.last &&
           a.error.code() == b.error.code() && a.error.message() == b.error.message() &&
           a.error.position() == b.error.position();
  }
};

struct QueryMessageLimits {
  size_t max_data_bytes = (4 << 20) - 4096;  // what fits a session frame
  size_t max_error_bytes = 4096;
};

// The pieces a partial result of `bytes` travels in: each at most `piece_bytes` long, at least
// one (an empty result is one empty piece). REQUIRES: piece_bytes > 0.
std::vector<QueryMessage> PartialPieces(uint64_t request_id, const Bytes& bytes,
                                        size_t piece_bytes = QueryMessageLimits().max_data_bytes);

Bytes EncodeQueryMessage(const QueryMessage& message);
Result<QueryMessage> DecodeQueryMessage(ByteView bytes,
                                        const QueryMessageLimits& limits = QueryMessageLimits());

}  // namespace lake::dht
