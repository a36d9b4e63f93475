// The time an actor reads: its system's clock (real time in a node; CAF's test coordinator
// drives it in tests), as the TimePoint the pure cores take.
// Thread-safety: as the actor's clock.
#pragma once

#include <chrono>

#include "common/clock.h"

namespace lake::actors {

template <class Self>
TimePoint ActorNow(Self self) {
  return TimePoint(std::chrono::duration_cast<Duration>(self->clock().now().time_since_epoch()));
}

}  // namespace lake::actors
