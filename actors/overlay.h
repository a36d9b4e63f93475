// Starts one node's overlay inside an actor system: a DHT router and a TCP peer transport, wired
// to each other. The node uses it once; the DHT benchmark uses it for many nodes in one process.
#pragma once

#include <caf/all.hpp>

#include "actors/dht_router.h"
#include "actors/peer_transport.h"
#include "common/result.h"
#include "dht/identity.h"

namespace lake::actors {

struct OverlayHandles {
  DhtRouterActor router;
  TransportActor transport;
  uint16_t port = 0;    // where the transport listens
  std::string address;  // host:port peers are told to reach us at
};

// Spawns and wires the router and the transport. Fails (and stops both) if the transport cannot
// listen. The system must have loaded caf::io::middleman. The node advertises
// router.advertise_address if set, else its bind address (0.0.0.0: its host name) and port.
Result<OverlayHandles> StartOverlay(caf::actor_system& system, const dht::Identity& identity,
                                    PeerTransportOptions transport, DhtRouterOptions router);

// Stops both actors (the caller's actor system then waits for them on destruction).
void StopOverlay(const OverlayHandles& overlay);

}  // namespace lake::actors
