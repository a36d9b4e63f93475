#include "dht/rate_limiter.h"

#include <catch2/catch.hpp>

namespace lake::dht {
namespace {

using namespace std::chrono_literals;

TEST_CASE("RateLimiter allows a burst, then refills at its rate", "[dht][rate_limiter]") {
  RateLimiter limiter(/*per_second=*/10, /*burst=*/5);
  const TimePoint t0 = FromMicros(1'000'000);
  for (int i = 0; i < 5; ++i) CHECK(limiter.Allow(t0));
  CHECK_FALSE(limiter.Allow(t0));
  CHECK_FALSE(limiter.Allow(t0 + 50ms));  // half a token
  CHECK(limiter.Allow(t0 + 100ms));       // one token refilled
  CHECK_FALSE(limiter.Allow(t0 + 100ms));
  // A long pause refills no more than the burst.
  for (int i = 0; i < 5; ++i) CHECK(limiter.Allow(t0 + 10s));
  CHECK_FALSE(limiter.Allow(t0 + 10s));
}

TEST_CASE("RateLimiter is not fooled by time going backwards", "[dht][rate_limiter]") {
  RateLimiter limiter(1, 1);
  const TimePoint t0 = FromMicros(5'000'000);
  CHECK(limiter.Allow(t0));
  CHECK_FALSE(limiter.Allow(t0 - 1s));
  CHECK_FALSE(limiter.Allow(t0));
}

TEST_CASE("RateLimiter charges bytes that already arrived and says how long the debt lasts",
          "[dht][rate_limiter]") {
  RateLimiter limiter(/*per_second=*/1000, /*burst=*/1000);
  const TimePoint t0 = FromMicros(1'000'000);
  CHECK(limiter.Charge(t0, 600) == Duration::zero());  // within the burst
  // 400 tokens left; 1,400 more leave a debt of 1,000: one second at 1,000 per second.
  CHECK(limiter.Charge(t0, 1400) == std::chrono::duration_cast<Duration>(1s));
  CHECK_FALSE(limiter.Allow(t0 + 500ms));  // still 500 in debt (the failed Allow takes nothing)
  CHECK(limiter.Charge(t0 + 1s, 0) == Duration::zero());  // repaid
  CHECK(limiter.last_used() == t0 + 1s);
}

}  // namespace
}  // namespace lake::dht
