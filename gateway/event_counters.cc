#include "gateway/event_counters.h"

#include <algorithm>

#include "actors/node_events.h"

namespace lake::gateway {

void EventCounters::Count(const std::string& type, const nlohmann::json& fields) {
  namespace ev = actors::event_type;
  if (type == ev::kQueryDone) {
    ++queries[fields.value("outcome", std::string("error"))];
    const double seconds = fields.value("ms", 0.0) / 1000;
    const auto bucket = std::lower_bound(kLatencyBounds.begin(), kLatencyBounds.end(), seconds);
    ++latency_buckets[bucket - kLatencyBounds.begin()];
    latency_sum_s += seconds;
    ++latency_count;
  } else if (type == ev::kDatasetStored) {
    if (fields.value("origin", std::string()) == "upload") ++uploads_ok;
  } else if (type == ev::kUploadFailed) {
    ++uploads_failed;
  } else if (type == ev::kPeerJoined) {
    ++peers_joined;
  } else if (type == ev::kPeerLeft) {
    ++peers_left;
  }
}

}  // namespace lake::gateway
