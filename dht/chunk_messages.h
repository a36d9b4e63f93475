// The chunk protocol (/lake/chunk/1) between chunk keepers: its messages and their msgpack wire
// form, in the same envelope as the Kademlia messages ({"p", "k", "r", "b"}). It moves
// content-addressed objects (chunks and manifests) and the catalog's signed dataset pointers:
//   PUSH {o, id, data} -> PUSH_ACK {ok, err?}    store an object (acked only once durable)
//   FETCH {o, id}      -> FETCH_REPLY {ok, data?, err?}
//   HAVE {ids}         -> HAVE_REPLY {have}      which of these chunks do you hold?
//   CATALOG {full, lo?, hi?, ptrs}               dataset pointers (gossip; no reply expected,
//                                                but a page of a full catalog, which covers the
//                                                names in [lo, hi), is answered with what the
//                                                sender lacks in that range)
// Decoding treats bytes as untrusted: bounded, never throws, Corruption on anything malformed.
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/id.h"
#include "common/result.h"

namespace lake::dht {

inline constexpr char kChunkProtocol[] = "/lake/chunk/1";

// Wire values: never renumber.
enum class ChunkMessageKind : uint8_t {
  kPush = 1,
  kPushAck = 2,
  kFetch = 3,
  kFetchReply = 4,
  kHave = 5,
  kHaveReply = 6,
  kCatalog = 7,
};

// What a PUSH or FETCH names. Wire values: never renumber.
enum class ObjectKind : uint8_t {
  kChunk = 1,     // a columnar chunk (store/chunk_codec.h)
  kManifest = 2,  // a dataset manifest (store/manifest.h)
};

struct ChunkMessage {
  ChunkMessageKind kind = ChunkMessageKind::kHave;
  uint64_t request_id = 0;
  ObjectKind object = ObjectKind::kChunk;  // kPush, kFetch
  Id id;                                   // kPush, kFetch
  Bytes data;                              // kPush, kFetchReply (when ok)
  bool ok = true;                          // kPushAck, kFetchReply
  std::string error;                       // kPushAck, kFetchReply (when !ok)
  std::vector<Id> ids;                     // kHave
  std::vector<bool> have;                  // kHaveReply
  bool full = false;                       // kCatalog: a page of the sender's whole catalog
  std::string range_low;                   // kCatalog when full: the page's first name
  std::string range_high;                  // kCatalog when full: past its names ("" = no end)
  std::vector<Bytes> pointers;             // kCatalog: encoded dataset pointers
  friend bool operator==(const ChunkMessage&, const ChunkMessage&) = default;
};

struct ChunkMessageLimits {
  size_t max_data_bytes = (4 << 20) - 4096;  // one object: what fits a session frame
  size_t max_ids = 8192;                     // chunks asked about in one HAVE
  size_t max_pointers = 4096;                // pointers in one CATALOG
  size_t max_pointer_bytes = 1024;
  size_t max_error_bytes = 1024;
  size_t max_name_bytes = 256;  // a catalog page's bounds
};

Bytes EncodeChunkMessage(const ChunkMessage& message);
Result<ChunkMessage> DecodeChunkMessage(ByteView bytes,
                                        const ChunkMessageLimits& limits = ChunkMessageLimits());

}  // namespace lake::dht
