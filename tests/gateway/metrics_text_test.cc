// /metrics's text from a node snapshot, checked with a format checker of its own (promtool is not
// a dependency): well formed, every figure where its name says, the query histogram consistent
// with the events counted, label values escaped.
#include "gateway/metrics_text.h"

#include <catch2/catch.hpp>

#include "actors/node_events.h"
#include "gateway/prometheus_text.h"
#include "tests/support/prometheus_check.h"

namespace lake::gateway {
namespace {

using nlohmann::json;

NodeSnapshot Snapshot() {
  NodeSnapshot s;
  s.router.peers = 7;
  s.router.records = 11;
  s.router.frames_bad = 2;
  s.peers.resize(3);
  s.peers[1].connected = true;
  s.storage.chunks = 326;
  s.storage.bytes = 123456789;
  s.storage.repair_copies = 5;
  s.transport.bytes_in = 1000;
  s.transport.bytes_out = 2000;
  s.transport.sessions_dropped = 4;
  s.transport.connections_evicted = 6;
  s.router.replies_trimmed = 8;
  s.router.requests_unanswered = 3;
  s.planner.queries_running = 1;
  s.resident_bytes = 50 << 20;
  s.gateway.events.published = 9;
  return s;
}

TEST_CASE("The metrics text is well formed and carries each figure under its name", "[metrics]") {
  const NodeSnapshot snapshot = Snapshot();
  const auto samples = testing::CheckPrometheusText(MetricsText(snapshot, 12.5));
  INFO(samples.error);
  REQUIRE(samples.error.empty());
  const auto& v = samples.values;
  CHECK(v.at("p2plake_peers") == 7);
  CHECK(v.at("p2plake_peers_connected") == 1);
  CHECK(v.at("p2plake_dht_records") == 11);
  CHECK(v.at("p2plake_chunks") == 326);
  CHECK(v.at("p2plake_chunk_bytes") == 123456789);
  CHECK(v.at("p2plake_repair_copies_total") == 5);
  CHECK(v.at("p2plake_transport_received_bytes_total") == 1000);
  CHECK(v.at("p2plake_transport_sent_bytes_total") == 2000);
  CHECK(v.at("p2plake_transport_sessions_dropped_total") == 4);
  CHECK(v.at("p2plake_transport_frames_malformed_total") == 2);
  CHECK(v.at("p2plake_transport_connections_evicted_total") == 6);
  CHECK(v.at("p2plake_dht_replies_trimmed_total") == 8);
  CHECK(v.at("p2plake_dht_requests_unanswered_total") == 3);
  CHECK(v.at("p2plake_queries_running") == 1);
  CHECK(v.at("p2plake_resident_memory_bytes") == 50 << 20);
  CHECK(v.at("p2plake_uptime_seconds") == 12.5);
  CHECK(v.at("p2plake_events_total") == 9);
  CHECK(v.at("p2plake_query_duration_seconds_count") == 0);
}

TEST_CASE("Query events fill the outcome counters and a cumulative latency histogram",
          "[metrics]") {
  NodeSnapshot snapshot = Snapshot();
  EventCounters& counters = snapshot.gateway.counters;
  namespace ev = actors::event_type;
  for (double ms : {0.5, 3.0, 3.0, 40.0, 2000.0, 90000.0}) {
    counters.Count(ev::kQueryDone, {{"outcome", "ok"}, {"ms", ms}});
  }
  counters.Count(ev::kQueryDone, {{"outcome", "timeout"}, {"ms", 30000.0}});
  counters.Count(ev::kQueryDone, {{"outcome", "busy"}, {"ms", 0.0}});
  counters.Count(ev::kDatasetStored, {{"origin", "upload"}});
  counters.Count(ev::kDatasetStored, {{"origin", "network"}});
  counters.Count(ev::kUploadFailed, {{"error", "bad"}});
  counters.Count(ev::kPeerJoined, json::object());
  const auto samples = testing::CheckPrometheusText(MetricsText(snapshot, 1));
  INFO(samples.error);
  REQUIRE(samples.error.empty());
  const auto& v = samples.values;
  CHECK(v.at(R"(p2plake_queries_total{outcome="ok"})") == 6);
  CHECK(v.at(R"(p2plake_queries_total{outcome="timeout"})") == 1);
  CHECK(v.at(R"(p2plake_queries_total{outcome="busy"})") == 1);
  CHECK(v.at(R"(p2plake_queries_total{outcome="error"})") == 0);
  CHECK(v.at(R"(p2plake_query_duration_seconds_bucket{le="0.001"})") == 2);  // 0.5 ms, busy
  CHECK(v.at(R"(p2plake_query_duration_seconds_bucket{le="0.005"})") == 4);
  CHECK(v.at(R"(p2plake_query_duration_seconds_bucket{le="0.05"})") == 5);
  CHECK(v.at(R"(p2plake_query_duration_seconds_bucket{le="5"})") == 6);
  CHECK(v.at(R"(p2plake_query_duration_seconds_bucket{le="30"})") == 7);  // 30 s: le is <=
  CHECK(v.at(R"(p2plake_query_duration_seconds_bucket{le="+Inf"})") == 8);
  CHECK(v.at("p2plake_query_duration_seconds_count") == 8);
  CHECK(v.at("p2plake_query_duration_seconds_sum") == Approx(122.0465));
  CHECK(v.at(R"(p2plake_uploads_total{outcome="ok"})") == 1);
  CHECK(v.at(R"(p2plake_uploads_total{outcome="failed"})") == 1);
  CHECK(v.at("p2plake_peer_sessions_opened_total") == 1);
}

TEST_CASE("Label values and help text are escaped", "[metrics]") {
  PrometheusText out;
  out.Family("x_total", "counter", "a \\ back\nslash");
  out.Sample("x_total", 1, {{"path", "a\"b\\c\nd"}});
  CHECK(out.text() ==
        "# HELP x_total a \\\\ back\\nslash\n# TYPE x_total counter\n"
        "x_total{path=\"a\\\"b\\\\c\\nd\"} 1\n");
  CHECK(testing::CheckPrometheusText(out.text()).error.empty());
}

TEST_CASE("The format checker refuses what Prometheus would refuse", "[metrics]") {
  CHECK_FALSE(testing::CheckPrometheusText("x 1\n").error.empty());  // no HELP/TYPE
  CHECK_FALSE(testing::CheckPrometheusText("# HELP x h\n# TYPE x counter\nx 1\n").error.empty());
  CHECK_FALSE(testing::CheckPrometheusText("# HELP x h\n# TYPE x gauge\ny 1\n").error.empty());
  CHECK_FALSE(testing::CheckPrometheusText("# HELP x h\n# TYPE x gauge\nx one\n").error.empty());
  CHECK_FALSE(testing::CheckPrometheusText("# HELP h h\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\n"
                                           "h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n")
                  .error.empty());
  CHECK(testing::CheckPrometheusText("# HELP x h\n# TYPE x gauge\nx 1.5\n").error.empty());
}

}  // namespace
}  // namespace lake::gateway
