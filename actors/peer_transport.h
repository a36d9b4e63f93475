// The TCP peer transport: a CAF io broker that listens for peers, adopts outbound connections
// made by the dialer, and runs one dht::SecureSession per connection (handshake, then encrypted
// length-prefixed frames). Authenticated payloads go, with the peer's proven NodeId, to the
// actor that speaks their protocol (read from the envelope's first bytes): /lake/kad/1 to the
// router, others to the actors attached for them (the keeper for /lake/chunk/1); a frame of
// any other protocol is a violation. The broker runs on CAF's single I/O thread, so it only
// moves bytes and counts; decoding and protocol logic happen in those actors.
//
// Defences: the session caps every frame before buffering it; a handshake must
// finish within handshake_timeout and a connection idle for idle_timeout is closed (a peer that
// sends half a frame cannot hold it); each peer's frames are rate-limited; a peer that does not
// read its data is dropped once max_queued_bytes wait for it (counted as payloads are appended);
// reading from a peer pauses while an attached handler (the keeper) is behind on its payloads; at
// most max_connections are open. Any protocol violation closes that session only and is counted.
#pragma once

#include <caf/io/all.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/interfaces.h"
#include "common/clock.h"
#include "dht/identity.h"
#include "dht/rate_limiter.h"
#include "dht/secure_session.h"

namespace lake::actors {

struct PeerTransportOptions {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port
  size_t max_connections = 128;
  double max_frames_per_second = 2000;   // per peer; bursts of one second's worth are fine
  size_t max_queued_bytes = 16 << 20;    // written but not yet sent to one peer
  size_t max_waiting_payloads = 1024;    // queued for a peer while it is being dialed
  size_t max_handler_backlog = 8 << 20;  // a peer's bytes an attached handler has not consumed
                                         // yet: reading from that peer pauses beyond this
  std::chrono::milliseconds dial_timeout{3000};
  std::chrono::milliseconds handshake_timeout{5000};
  std::chrono::milliseconds idle_timeout{120000};
  dht::SecureSessionOptions session;
};

struct PeerTransportState {
  static inline const char* name = "peer_transport";

  struct Connection {
    std::unique_ptr<dht::SecureSession> session;
    bool outbound = false;
    std::optional<NodeId> expected;  // outbound: the peer we dialed, if we knew its id
    std::string dialed_address;      // outbound only
    dht::RateLimiter limiter{0, 0};
    TimePoint opened{};
    TimePoint last_read{};
    bool announced = false;        // router told peer_up
    uint64_t handler_backlog = 0;  // delivered to an attached handler, not yet consumed
    bool reading_paused = false;
    size_t read_chunk = 0;  // the size reads are configured to
  };
  struct PendingDial {
    std::optional<NodeId> expected;
    std::string address;
  };

  // Immutable after the broker starts
  PeerTransportOptions options;
  std::unique_ptr<dht::Identity> identity;
  DhtRouterActor router;  // gets /lake/kad/1 payloads

  // Mutable state
  std::map<caf::io::connection_handle, Connection> connections;
  std::map<NodeId, caf::io::connection_handle> by_peer;  // latest established session per peer
  std::map<uint64_t, PendingDial> dials;                 // by dial id
  std::map<NodeId, std::vector<Bytes>> waiting;          // payloads for peers being dialed
  std::map<std::string, caf::actor> handlers;            // by protocol id: who gets its payloads
  uint64_t next_dial_id = 1;
  TransportStats stats;
};

using PeerTransportBroker = caf::io::stateful_broker<PeerTransportState>;

// The broker's behavior. Spawn with middleman().spawn_broker(PeerTransport, ...); it stops (and
// the spawner sees it exit) if it cannot listen on the configured address and port.
caf::behavior PeerTransport(PeerTransportBroker* self, PeerTransportOptions options,
                            dht::Identity identity, DhtRouterActor router);

}  // namespace lake::actors
