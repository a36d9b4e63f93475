// RateLimiter: a token bucket that bounds how many frames one peer may send per second. The
// transport keeps one per connection and drops (and counts) the frames over the limit, so one
// noisy or hostile peer cannot fill the router's mailbox. Time is passed in.
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
    if (last_ == TimePoint{}) {
      last_ = now;
    } else if (now > last_) {
      const double elapsed_s = std::chrono::duration<double>(now - last_).count();
      tokens_ = std::min(burst_, tokens_ + elapsed_s * per_second_);
      last_ = now;
    }
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

 private:
  // Immutable after construction
  double per_second_;
  double burst_;

  // Mutable state
  double tokens_;
  TimePoint last_{};
};

}  // namespace lake::dht
