// CoreDriver: what every host of a DhtCore does after each call into it. It drains the core's
// outbox (each message, encoded, to a send callback; each address to a dial callback), completes
// the operations someone awaits, and arms the core's next timer tick through a schedule
// callback, asking for a new one only when it is due before the one already armed.
// The router actor and each simulated node own one, which owns its core.
// Thread-safety: not thread-safe; callbacks run on the caller's thread and must not destroy it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/bytes.h"
#include "common/clock.h"
#include "dht/contact.h"
#include "dht/dht_core.h"

namespace lake::dht {

class CoreDriver {
 public:
  using Completion = std::function<void(DhtCore::OperationResult result)>;
  struct Callbacks {
    std::function<void(const Contact& to, Bytes message)> send;  // EncodeMessage'd
    std::function<void(const std::string& address)> dial;
    std::function<void(TimePoint when)> schedule;  // call OnWakeup at `when` or soon after
  };

  CoreDriver(std::unique_ptr<DhtCore> core, Callbacks callbacks);

  DhtCore& core() { return *core_; }
  const DhtCore& core() const { return *core_; }

  // Sends, dials and completes what the core queued, then arms its next tick. Call after every
  // call into core().
  void Flush();
  // Runs `done` with operation `id`'s result when it finishes (the flush it happens in), then
  // flushes. Operations nobody awaits are counted and otherwise ignored.
  void Await(DhtCore::OperationId id, Completion done);
  // A tick armed through `schedule` fired: runs the core's timer and flushes.
  void OnWakeup(TimePoint now);

  uint64_t operations_finished() const { return operations_finished_; }

 private:
  // Immutable after construction
  const std::unique_ptr<DhtCore> core_;
  const Callbacks callbacks_;

  // Mutable state
  std::map<DhtCore::OperationId, Completion> waiting_;
  std::optional<TimePoint> armed_;  // earliest tick asked for that has not fired yet
  uint64_t operations_finished_ = 0;
};

}  // namespace lake::dht
