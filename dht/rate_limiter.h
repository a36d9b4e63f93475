// RateLimiter: a token bucket that bounds how many frames (or bytes, or handshakes) one peer may
// send per second. The transport keeps one for frames and one for bytes per connection, and one
// for handshakes per remote address: frames over the limit are dropped (and counted), bytes over
// it pause reading until the debt is repaid. Time is passed in.
// Thread-safety: a value type; not thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>

#include "common/clock.h"

namespace lake::dht {

class RateLimiter {
 public:
  // `per_second` tokens refill each second, up to `burst`.
  RateLimiter(double per_second, double burst)
      : per_second_(per_second), burst_(burst), tokens_(burst) {}

  // Takes one token if there is one. The first call starts the refill clock; a `now` earlier
  // than one already seen refills nothing.
  bool Allow(TimePoint now) {
    Refill(now);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

  // Takes `cost` tokens even if that leaves a debt (for bytes that have already arrived) and
  // returns how long the refill takes to repay it: zero if there is none.
  Duration Charge(TimePoint now, double cost) {
    Refill(now);
    tokens_ -= cost;
    if (tokens_ >= 0 || per_second_ <= 0) return Duration::zero();
    return std::chrono::duration_cast<Duration>(
        std::chrono::duration<double>(-tokens_ / per_second_));
  }

  // The last time tokens were taken or refilled ({} if never): an unused limiter can be forgotten.
  TimePoint last_used() const { return last_; }

 private:
  void Refill(TimePoint now) {
    if (last_ == TimePoint{}) {
      last_ = now;
    } else if (now > last_) {
      const double elapsed_s = std::chrono::duration<double>(now - last_).count();
      tokens_ = std::min(burst_, tokens_ + elapsed_s * per_second_);
      last_ = now;
    }
  }

  // Immutable after construction
  double per_second_;
  double burst_;

  // Mutable state
  double tokens_;
  TimePoint last_{};
};

}  // namespace lake::dht
