// SystemClock: the wall clock, for production only. Pure modules receive it as a lake::Clock.
#pragma once

#include <chrono>

#include "common/clock.h"

namespace lake::local {

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override {
    return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  }
};

}  // namespace lake::local
