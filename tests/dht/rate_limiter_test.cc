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

}  // namespace
}  // namespace lake::dht
