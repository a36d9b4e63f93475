// GET /metrics's body: a node snapshot in Prometheus's text format, every name prefixed p2plake_:
// the overlay (peers, routing table, records), storage (chunks, bytes, datasets), uploads and
// queries by outcome with a query latency histogram, replication and repair, the transport's
// counters, the planner's and the event hub's.
// Thread-safety: a pure function.
#pragma once

#include <string>

#include "gateway/node_snapshot.h"

namespace lake::gateway {

std::string MetricsText(const NodeSnapshot& snapshot, double uptime_seconds);

}  // namespace lake::gateway
