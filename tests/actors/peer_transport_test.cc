// The TCP peer transport's flow control, with real sockets on loopback and a router that only
// counts what it is given: reading from a peer pauses while the router is behind on that peer's
// payloads, and dials beyond the concurrent-dial cap wait their turn instead of each holding a
// thread.
#include <sodium.h>
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <iterator>
#include <memory>
#include <string>
#include <thread>

#include "actors/interfaces.h"
#include "actors/overlay.h"
#include "actors/peer_transport.h"
#include "dht/identity.h"
#include "dht/messages.h"
#include "tests/actors/ask.h"
#include "tests/actors/loopback_listener.h"
#include "tests/support/eventually.h"

namespace lake::actors {
namespace {

using std::chrono::milliseconds;
using testing::Eventually;

caf::actor_system_config& Configure(caf::actor_system_config& config) {
  // As a node runs it (actors/node.cc).
  config.load<caf::io::middleman>();
  config.set("scheduler.policy", caf::atom("sharing"));
  config.set("middleman.max-consecutive-reads", 1);
  return config;
}

// Stands in for the DHT router: adds up the bytes of the payloads delivered to it, and never
// reports them consumed (the test does, when it wants the router to catch up). It handles every
// message the transport sends a router: with CAF's default handler dropping some, the brokers
// stopped being scheduled.
caf::behavior CountingRouter(caf::event_based_actor*,
                             std::shared_ptr<std::atomic<uint64_t>> delivered) {
  return {[=](deliver_atom, const NodeId&, const Bytes& payload) { *delivered += payload.size(); },
          [](peer_up_atom, const NodeId&, const std::string&, bool) {},
          [](peer_down_atom, const NodeId&, bool) {}, [](unreach_atom, const NodeId&) {}};
}

struct Transport {
  caf::actor handle;
  NodeId id;
  std::string address;
  std::shared_ptr<std::atomic<uint64_t>> delivered = std::make_shared<std::atomic<uint64_t>>(0);
};

Transport StartTransport(caf::actor_system& system, PeerTransportOptions options) {
  dht::Identity::Seed key;
  randombytes_buf(key.data(), key.size());
  const dht::Identity identity(key);
  Transport transport;
  transport.id = identity.node_id();
  const caf::actor router = system.spawn(CountingRouter, transport.delivered);
  transport.handle = system.middleman().spawn_broker(PeerTransport, std::move(options), identity,
                                                     caf::actor_cast<DhtRouterActor>(router));
  const Result<TransportStats> stats =
      Ask<TransportStats>(system, transport.handle, stats_atom::value);
  REQUIRE(stats.ok());
  transport.address = "127.0.0.1:" + std::to_string(stats->port);
  return transport;
}

// A /lake/kad/1 payload of about `bytes` (a STORE of one value).
Bytes KadPayload(size_t bytes) {
  dht::Message store;
  store.kind = dht::MessageKind::kStore;
  store.values = {Bytes(bytes, 0x5a)};
  return dht::EncodeMessage(store);
}

size_t ThreadCount() {
  return std::distance(std::filesystem::directory_iterator("/proc/self/task"),
                       std::filesystem::directory_iterator{});
}

TEST_CASE("Reading from a peer pauses while the router is behind on its payloads",
          "[actors][transport]") {
  caf::actor_system_config config;
  caf::actor_system system{Configure(config)};
  constexpr size_t kBacklog = 1 << 20;
  constexpr size_t kPayloadBytes = 64 << 10;
  constexpr int kPayloads = 48;  // 3 MiB in all
  PeerTransportOptions slow_options;
  slow_options.max_handler_backlog = kBacklog;
  Transport receiver = StartTransport(system, slow_options);
  Transport sender = StartTransport(system, PeerTransportOptions{});

  const Bytes payload = KadPayload(kPayloadBytes);
  for (int i = 0; i < kPayloads; ++i) {
    caf::anon_send(sender.handle, send_atom::value, receiver.id, receiver.address, payload);
  }
  const uint64_t total = uint64_t{kPayloads} * payload.size();

  // The router takes in a little over the backlog limit, then nothing more while it consumes
  // nothing: at most one read (256 KiB) and one frame beyond the limit.
  REQUIRE(Eventually([&] { return *receiver.delivered > kBacklog; }, milliseconds(10000)));
  std::this_thread::sleep_for(milliseconds(500));
  const uint64_t held_back_at = *receiver.delivered;
  CHECK(held_back_at <= kBacklog + (256 << 10) + payload.size());
  CHECK(held_back_at < total);

  // As the router reports what it consumed, reading resumes until every payload is in.
  uint64_t reported = 0;
  CHECK(Eventually(
      [&] {
        const uint64_t delivered = *receiver.delivered;
        if (delivered > reported) {
          caf::anon_send(receiver.handle, consumed_atom::value, sender.id, delivered - reported);
          reported = delivered;
        }
        return delivered == total;
      },
      milliseconds(10000)));

  caf::anon_send_exit(receiver.handle, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(sender.handle, caf::exit_reason::user_shutdown);
}

TEST_CASE("The DHT router reports what it consumed, so a busy peer is read on and on",
          "[actors][transport]") {
  caf::actor_system_config config;
  caf::actor_system system{Configure(config)};
  constexpr size_t kBacklog = 1 << 20;
  dht::Identity::Seed key;
  randombytes_buf(key.data(), key.size());
  PeerTransportOptions transport;
  transport.max_handler_backlog = kBacklog;
  const Result<OverlayHandles> receiver =
      StartOverlay(system, dht::Identity(key), transport, DhtRouterOptions{});
  REQUIRE(receiver.ok());
  Transport sender = StartTransport(system, PeerTransportOptions{});

  // 3 MiB of DHT requests, three times the backlog the router may leave unconsumed.
  const Bytes payload = KadPayload(64 << 10);
  constexpr int kPayloads = 48;
  for (int i = 0; i < kPayloads; ++i) {
    caf::anon_send(sender.handle, send_atom::value, dht::Identity(key).node_id(), receiver->address,
                   payload);
  }
  TransportStats in;
  const bool all_read = Eventually(
      [&] {
        const Result<TransportStats> stats =
            Ask<TransportStats>(system, receiver->transport, stats_atom::value);
        if (stats.ok()) in = *stats;
        return in.bytes_in >= uint64_t{kPayloads} * payload.size();
      },
      milliseconds(10000));
  INFO(in.bytes_in << " bytes read; connections " << in.connections << ", dropped "
                   << in.sessions_dropped << ", refused " << in.connections_refused << ", evicted "
                   << in.connections_evicted << ", frames limited " << in.frames_limited);
  CHECK(all_read);

  StopOverlay(*receiver);
  caf::anon_send_exit(sender.handle, caf::exit_reason::user_shutdown);
}

TEST_CASE("Dials beyond the concurrent-dial cap wait their turn rather than each take a thread",
          "[actors][transport]") {
  caf::actor_system_config config;
  caf::actor_system system{Configure(config)};
  // A listener whose accept queue is full: the kernel drops further SYNs, so connects to it hang
  // until the dial times out, as to a host that does not answer.
  LoopbackListener listener(/*backlog=*/0);
  listener.Fill();
  const std::string unanswering = listener.address();

  constexpr size_t kCap = 4;
  constexpr int kDials = 30;
  PeerTransportOptions options;
  options.max_concurrent_dials = kCap;
  options.dial_timeout = milliseconds(1500);
  Transport transport = StartTransport(system, options);

  const size_t threads_before = ThreadCount();
  for (int i = 0; i < kDials; ++i) {
    caf::anon_send(transport.handle, dial_atom::value, unanswering);
  }
  std::this_thread::sleep_for(milliseconds(300));
  const size_t threads_dialing = ThreadCount();
  INFO(threads_before << " threads before the dials, " << threads_dialing << " while they hang");
  CHECK(threads_dialing <= threads_before + kCap);
  // The transport itself is not held up by the dials.
  const auto asked = std::chrono::steady_clock::now();
  REQUIRE(Ask<TransportStats>(system, transport.handle, stats_atom::value).ok());
  CHECK(std::chrono::steady_clock::now() - asked < milliseconds(500));

  // Every dial ends, failed: those that ran timed out, those that waited longer than a dial may
  // take gave up.
  uint64_t failed = 0;
  CHECK(Eventually(
      [&] {
        const Result<TransportStats> stats =
            Ask<TransportStats>(system, transport.handle, stats_atom::value);
        failed = stats.ok() ? stats->dials_failed : 0;
        return failed == kDials;
      },
      milliseconds(20000)));
  INFO(failed << " dials failed");

  caf::anon_send_exit(transport.handle, caf::exit_reason::user_shutdown);
}

}  // namespace
}  // namespace lake::actors
