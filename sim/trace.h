// Trace: the running hash of everything a simulation did: every message delivered (time, sender,
// receiver, bytes) and every event a scenario adds of its own (time, bytes). Two runs with the
// same trace hash did the same things at the same times, so "same seed, same hash" checks that
// a run is a pure function of its seed.
// Thread-safety: not thread-safe; one trace per simulation.
#pragma once

#include <cstddef>
#include <string>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/hash.h"

namespace lake::sim {

class Trace {
 public:
  void Delivery(TimePoint at, size_t from, size_t to, ByteView bytes);
  void Event(TimePoint at, ByteView event);
  // The hash of everything folded in so far, as hex.
  std::string Hash() const;

 private:
  Blake2bHasher hasher_;
};

}  // namespace lake::sim
