#include "gateway/metrics_text.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "gateway/prometheus_text.h"

namespace lake::gateway {
namespace {

void QueryMetrics(const EventCounters& counters, PrometheusText& out) {
  out.Family("p2plake_queries_total", "counter",
             "Queries this node planned, by outcome (ok, error, timeout, busy, unavailable).");
  for (const char* outcome : {"ok", "error", "timeout", "busy", "unavailable"}) {
    auto it = counters.queries.find(outcome);
    out.Sample("p2plake_queries_total", it == counters.queries.end() ? 0 : it->second,
               {{"outcome", outcome}});
  }
  out.Family("p2plake_query_duration_seconds", "histogram",
             "Time from a query's admission to its answer or failure.");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < counters.latency_buckets.size(); ++i) {
    cumulative += counters.latency_buckets[i];
    const double bound = i < EventCounters::kLatencyBounds.size()
                             ? EventCounters::kLatencyBounds[i]
                             : std::numeric_limits<double>::infinity();
    char le[32];
    std::snprintf(le, sizeof le, "%g", bound);
    out.Sample("p2plake_query_duration_seconds_bucket", cumulative,
               {{"le", std::isinf(bound) ? "+Inf" : le}});
  }
  out.Sample("p2plake_query_duration_seconds_sum", counters.latency_sum_s);
  out.Sample("p2plake_query_duration_seconds_count", counters.latency_count);
}

}  // namespace

std::string MetricsText(const NodeSnapshot& s, double uptime_seconds) {
  PrometheusText out;
  out.Gauge("p2plake_uptime_seconds", "Seconds since the gateway started.", uptime_seconds);
  out.Gauge("p2plake_resident_memory_bytes", "Resident memory of the node process.",
            s.resident_bytes);
  // Overlay
  out.Gauge("p2plake_peers", "Contacts in the routing table.", s.router.peers);
  uint64_t connected = 0;
  for (const actors::PeerInfo& peer : s.peers) connected += peer.connected ? 1 : 0;
  out.Gauge("p2plake_peers_connected", "Peers with an open session.", connected);
  out.Gauge("p2plake_dht_records", "DHT records held.", s.router.records);
  out.Counter("p2plake_dht_lookups_total", "Finished DHT find, get and put operations.",
              s.router.lookups_done);
  out.Counter("p2plake_dht_replies_trimmed_total",
              "DHT answers cut to fit a payload by dropping values.", s.router.replies_trimmed);
  out.Counter("p2plake_dht_requests_unanswered_total",
              "DHT requests left unanswered: their session was lost before they were read.",
              s.router.requests_unanswered);
  out.Counter("p2plake_peer_sessions_opened_total", "Peer sessions that came up.",
              s.gateway.counters.peers_joined);
  out.Counter("p2plake_peer_sessions_closed_total", "Peer sessions that closed.",
              s.gateway.counters.peers_left);
  // Storage
  out.Gauge("p2plake_datasets", "Live datasets in the catalog.", s.storage.datasets);
  out.Gauge("p2plake_chunks", "Chunks held in the local store.", s.storage.chunks);
  out.Gauge("p2plake_chunk_bytes", "Bytes of the chunks held.", s.storage.bytes);
  out.Family("p2plake_uploads_total", "counter", "Uploads through this node, by outcome.");
  out.Sample("p2plake_uploads_total", s.gateway.counters.uploads_ok, {{"outcome", "ok"}});
  out.Sample("p2plake_uploads_total", s.gateway.counters.uploads_failed, {{"outcome", "failed"}});
  // Replication and repair
  out.Counter("p2plake_pushes_sent_total", "Objects pushed to peers and acknowledged.",
              s.storage.pushes_sent);
  out.Counter("p2plake_pushes_failed_total", "Pushes refused or timed out.",
              s.storage.pushes_failed);
  out.Counter("p2plake_pushes_received_total", "Objects peers pushed here, verified and stored.",
              s.storage.pushes_received);
  out.Counter("p2plake_repair_rounds_total", "Repair rounds finished.", s.storage.repair_rounds);
  out.Counter("p2plake_repair_copies_total", "Copies pushed by repair.", s.storage.repair_copies);
  out.Counter("p2plake_repair_handoffs_total", "Local copies dropped to closer nodes.",
              s.storage.repair_handoffs);
  out.Gauge("p2plake_repair_pending", "Copies the repair round still has to push.",
            s.storage.repair_pending);
  // Queries
  QueryMetrics(s.gateway.counters, out);
  out.Gauge("p2plake_queries_running", "Queries this node plans right now.",
            s.planner.queries_running);
  out.Gauge("p2plake_queries_waiting", "Queries admitted and waiting for a running one to end.",
            s.planner.queries_waiting);
  out.Gauge("p2plake_fragments_serving", "Peers' query fragments running here right now.",
            s.planner.fragments_serving);
  // Transport
  out.Gauge("p2plake_transport_connections", "Peer connections open.", s.transport.connections);
  out.Counter("p2plake_transport_sessions_dropped_total",
              "Sessions closed for a protocol violation or timeout.", s.transport.sessions_dropped);
  out.Counter("p2plake_transport_connections_refused_total",
              "Inbound connections refused over the limit.", s.transport.connections_refused);
  out.Counter("p2plake_transport_connections_evicted_total",
              "Healthy connections closed to make room for a newcomer.",
              s.transport.connections_evicted);
  out.Counter("p2plake_transport_frames_limited_total",
              "Frames dropped by the per-peer rate limit.", s.transport.frames_limited);
  out.Counter("p2plake_transport_frames_malformed_total",
              "Authenticated DHT frames that did not decode.", s.router.frames_bad);
  out.Counter("p2plake_transport_dials_failed_total", "Dials that failed.",
              s.transport.dials_failed);
  out.Counter("p2plake_transport_received_bytes_total", "Bytes read from peers.",
              s.transport.bytes_in);
  out.Counter("p2plake_transport_sent_bytes_total", "Bytes queued to peers.",
              s.transport.bytes_out);
  // Events
  out.Counter("p2plake_events_total", "Node events published to /api/events.",
              s.gateway.events.published);
  out.Gauge("p2plake_event_subscribers", "Open /api/events streams.", s.gateway.events.subscribers);
  out.Counter("p2plake_event_subscribers_dropped_total", "Event streams closed for falling behind.",
              s.gateway.events.subscribers_dropped);
  return out.text();
}

}  // namespace lake::gateway
