#include "sim/sim_network.h"

#include <algorithm>
#include <cmath>

namespace lake::sim {

std::optional<Duration> SimNetwork::Transit(size_t from, size_t to) {
  const bool split =
      !side_.empty() && from < side_.size() && to < side_.size() && side_[from] != side_[to];
  // Draw the loss coin whatever happens, so the random stream does not depend on partitions.
  const bool unlucky = rng_.Bernoulli(options_.loss);
  const double u = rng_.UniformDouble();
  if (split || unlucky) {
    ++lost_;
    return std::nullopt;
  }
  const double jitter_us = -std::log1p(-u) * static_cast<double>(options_.mean_jitter.count());
  return options_.base_latency + Duration(static_cast<int64_t>(jitter_us));
}

std::optional<TimePoint> SimNetwork::StreamArrival(size_t from, size_t to, TimePoint now) {
  const std::optional<Duration> transit = Transit(from, to);
  if (!transit) return std::nullopt;
  TimePoint& last = last_arrival_[{from, to}];
  last = std::max(last, now + *transit);
  return last;
}

}  // namespace lake::sim
