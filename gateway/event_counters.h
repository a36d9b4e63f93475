// What /metrics counts from the node's events rather than from its actors' status: queries by
// outcome and their latency histogram, uploads by outcome, peer sessions opened and closed. The
// gateway actor feeds it every event it publishes.
// Thread-safety: not thread-safe (the gateway actor's state); copies travel in GatewayStats.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace lake::gateway {

struct EventCounters {
  // Upper bounds of the query latency buckets, in seconds (Prometheus's `le`); a last bucket, +Inf,
  // is implied.
  static constexpr std::array<double, 12> kLatencyBounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                         0.1,   0.25,   0.5,   1,    5,     30};

  std::map<std::string, uint64_t> queries;  // by outcome ("ok", "error", "timeout", ...)
  std::array<uint64_t, kLatencyBounds.size() + 1> latency_buckets{};  // not cumulative
  double latency_sum_s = 0;
  uint64_t latency_count = 0;
  uint64_t uploads_ok = 0;
  uint64_t uploads_failed = 0;
  uint64_t peers_joined = 0;
  uint64_t peers_left = 0;

  // Counts one event of `type` with its fields (as actors/node_events.h describes them).
  void Count(const std::string& type, const nlohmann::json& fields);
};

}  // namespace lake::gateway
