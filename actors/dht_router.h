// The DHT router actor: owns one node's dht::DhtCore, through a dht::CoreDriver, and drives it
// from the transport's messages and CAF's clock (virtual under test_coordinator). It starts once
// node assembly attaches the transport; requests that arrive before that fail as Unavailable
// (actors/errors.h). Each handler decodes, calls the core, then flushes: sends and seed
// dials go to the transport, finished operations answer the request that started them, and the
// next tick is armed. Seed re-dialling and heartbeats are the core's (dht::DhtOptions).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "actors/interfaces.h"
#include "common/clock.h"
#include "dht/core_driver.h"
#include "dht/dht_core.h"

namespace lake::actors {

struct DhtRouterOptions {
  NodeId self;                     // our NodeId (the address comes with the transport)
  std::vector<std::string> seeds;  // "host:port" or "<id hex>@host:port" (dht/seed.h)
  std::string advertise_address;   // "host:port" peers are told to reach us at; "" = derived
  dht::DhtOptions dht;             // heartbeat and seed back-off included
  uint64_t rng_seed = 0;
};

struct DhtRouterState {
  static inline const char* name = "dht_router";

  // Immutable after the actor starts
  DhtRouterOptions options;
  Duration wall_offset{};  // wall clock minus actor clock, for lastSeen

  // Mutable state
  std::unique_ptr<dht::CoreDriver> driver;  // created once the transport is attached
  TransportActor transport;
  uint64_t frames_bad = 0;
  std::set<NodeId> connected;  // peers with an open session (the transport said up, not down)
  std::map<NodeId, std::string> dialled;  // peers whose newest session we dialled: its address
  // Peers whose session was lost and not replaced: requests still queued from them go
  // unanswered. Forgotten when a new session comes up (or all at once past kMaxLostPeers: the
  // cost of forgetting is only answers built in vain).
  std::set<NodeId> lost;
  uint64_t requests_unanswered = 0;
};

inline constexpr size_t kMaxLostPeers = 4096;

DhtRouterActor::behavior_type DhtRouter(DhtRouterActor::stateful_pointer<DhtRouterState> self,
                                        DhtRouterOptions options);

}  // namespace lake::actors
