// The TCP peer transport: a CAF io broker that listens for peers, adopts outbound connections
// made by the dialer, and runs one dht::SecureSession per connection (handshake, then encrypted
// length-prefixed frames). Authenticated payloads go, with the peer's proven NodeId, to the
// actor that speaks their protocol (read from the envelope's first bytes): /lake/kad/1 to the
// router, others to the actors attached for them (the keeper for /lake/chunk/1); a frame of
// any other protocol is a violation. The broker runs on CAF's single I/O thread, so it only
// moves bytes and counts; decoding and protocol logic happen in those actors.
//
// Defences against hostile peers:
// - Frames: the session caps every frame before buffering it (512 bytes before the handshake);
//   /lake/kad/1 payloads over max_kad_payload are a violation, and are never sent (chunk transfer
//   keeps the frame cap).
// - Time: a handshake must finish within handshake_timeout; a partial frame must be completed
//   within frame_timeout (time spent paused by us does not count), so a peer trickling one byte
//   at a time cannot hold a connection; an idle connection is closed after idle_timeout, an
//   outbound one already after outbound_idle_timeout.
// - Rates: per connection, frames over max_frames_per_second are dropped and bytes over
//   max_bytes_per_second pause reading until the debt is repaid; per remote address, handshakes
//   are rate-limited and at most max_handshakes_per_address may be unfinished at once.
// - Memory: a peer that does not read is dropped once max_queued_bytes wait for it (counted where
//   payloads are appended), and its socket aborted (SO_LINGER 0) so neither buffer nor fd lingers;
//   reading from a peer pauses while the router or an attached handler has more than
//   max_handler_backlog of its bytes unprocessed (they report consumed bytes).
// - Slots: inbound and outbound connections have separate budgets. A full inbound budget first
//   evicts an unfinished handshake, then the longest-idle session quiet for evictable_after; a
//   full outbound budget evicts the least recently used outbound session. At most
//   max_concurrent_dials dials (name resolution included, bounded by dial_timeout) run at once;
//   more wait their turn.
// Any violation closes that session only (aborting the socket) and is counted.
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
  size_t max_inbound = 64;   // accepted connections, unfinished handshakes included
  size_t max_outbound = 64;  // dialed connections, dials under way included
  size_t max_handshakes_per_address = 8;          // unfinished inbound handshakes from one address
  double handshakes_per_second_per_address = 20;  // bursts of twice that are fine
  double max_frames_per_second = 2000;  // per peer; bursts of one second's worth are fine
  double max_bytes_per_second = 64 << 20;  // per peer; bursts of one second's worth are fine
  size_t max_kad_payload = 128 << 10;      // a /lake/kad/1 payload; larger is a violation
  size_t max_queued_bytes = 16 << 20;      // written but not yet sent to one peer
  size_t max_waiting_payloads = 1024;      // queued for a peer while it is being dialed...
  size_t max_waiting_bytes = 16 << 20;     // ... and their bytes
  size_t max_handler_backlog = 8 << 20;    // a peer's bytes the router or a handler has not
                                           // consumed yet: reading from that peer pauses beyond
  size_t max_concurrent_dials = 16;
  std::chrono::milliseconds dial_timeout{3000};  // name resolution and connect
  std::chrono::milliseconds handshake_timeout{5000};
  std::chrono::milliseconds frame_timeout{30000};  // to complete a frame once it has begun
  std::chrono::milliseconds idle_timeout{120000};
  std::chrono::milliseconds outbound_idle_timeout{60000};
  std::chrono::milliseconds evictable_after{1000};  // idle this long: may make room for a newcomer
  dht::SecureSessionOptions session;
};

struct PeerTransportState {
  static inline const char* name = "peer_transport";

  struct Connection {
    std::unique_ptr<dht::SecureSession> session;
    bool outbound = false;
    std::optional<NodeId> expected;  // outbound: the peer we dialed, if we knew its id
    std::string dialed_address;      // outbound only
    std::string remote_host;         // the peer's IP address
    dht::RateLimiter limiter{0, 0};       // frames
    dht::RateLimiter byte_limiter{0, 0};  // bytes
    TimePoint opened{};
    TimePoint last_read{};
    TimePoint last_active{};     // a whole frame last arrived or was sent
    TimePoint frame_started{};   // the partial frame being received began; {} at a boundary
    bool announced = false;        // router told peer_up
    TimePoint paused_until{};      // reading pauses until then (byte rate debt)
    bool reading_paused = false;   // reading is halted (backlog or byte rate)
    size_t read_chunk = 0;  // the size reads are configured to
  };
  struct Waiting {  // payloads for a peer being dialed
    std::vector<Bytes> payloads;
    size_t bytes = 0;
  };
  struct PendingDial {
    std::optional<NodeId> expected;
    std::string address;
    TimePoint queued{};
    bool started = false;  // false: waiting for a dial slot
  };

  // Immutable after the broker starts
  PeerTransportOptions options;
  std::unique_ptr<dht::Identity> identity;
  DhtRouterActor router;  // gets /lake/kad/1 payloads

  // Mutable state
  std::map<caf::io::connection_handle, Connection> connections;
  std::map<NodeId, caf::io::connection_handle> by_peer;  // latest established session per peer
  std::map<uint64_t, PendingDial> dials;                 // by dial id (ids grow: FIFO order)
  size_t dials_running = 0;
  std::map<std::string, dht::RateLimiter> handshakes;   // by remote address
  std::map<NodeId, uint64_t> backlog;  // bytes delivered to the router or a handler, not consumed
  std::map<NodeId, Waiting> waiting;
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
