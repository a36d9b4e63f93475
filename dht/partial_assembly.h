// PartialAssembly: the planner's side of PartialPieces (dht/query_messages.h). It joins the
// PARTIAL pieces of one fragment's answer back into the encoded partial result, as they arrive
// in order on the session. The pieces are untrusted: a piece out of sequence, one after the last,
// or a result growing past `max_bytes` is Corruption, and the assembly is spent (every later
// piece is Corruption too), so a holder answering garbage is failed like one that errs.
// Owned by whoever gathers one fragment's answer. Thread-safety: not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "common/bytes.h"
#include "common/result.h"
#include "dht/query_messages.h"

namespace lake::dht {

class PartialAssembly {
 public:
  explicit PartialAssembly(size_t max_bytes) : max_bytes_(max_bytes) {}

  // Adds `piece` (a kPartial message of the fragment's request id). The whole result once the
  // last piece arrived, nullopt while more are due.
  Result<std::optional<Bytes>> Add(const QueryMessage& piece);

 private:
  const size_t max_bytes_;
  uint32_t next_piece_ = 0;
  bool spent_ = false;  // the last piece arrived, or a piece was refused
  Bytes bytes_;
};

}  // namespace lake::dht
