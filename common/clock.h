// Clock: the only way pure code learns the time. Production passes a wall clock from actors/,
// the simulator and tests pass a manual one, so the same code runs on real or virtual time.
// Thread-safety: implementations say; ManualClock is not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace lake {

// Microseconds since the Unix epoch (UTC). Virtual in the simulator.
using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;
using Duration = std::chrono::microseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

// A clock that moves only when told to: for tests and the simulator.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{}) : now_(start) {}
  TimePoint Now() const override { return now_; }
  void Set(TimePoint t) { now_ = t; }
  void Advance(Duration d) { now_ += d; }

 private:
  TimePoint now_;
};

inline int64_t ToMicros(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint FromMicros(int64_t us) { return TimePoint(Duration(us)); }

}  // namespace lake
