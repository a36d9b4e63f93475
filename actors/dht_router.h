// The DHT router actor: owns one node's dht::DhtCore and drives it from the transport's messages
// and CAF's clock (virtual under test_coordinator). It starts once node assembly attaches the
// transport; requests that arrive before that fail with sec::request_receiver_down. Each handler
// decodes, calls the core, then flushes the core's outbox: sends go to the transport, finished
// operations answer the request that started them. It also (re)dials the seed list until the
// routing table has someone in it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/interfaces.h"
#include "common/clock.h"
#include "dht/dht_core.h"

namespace lake::actors {

struct DhtRouterOptions {
  NodeId self;                     // our NodeId (the address comes with the transport)
  std::vector<std::string> seeds;  // "host:port" of nodes to join through
  dht::DhtOptions dht;
  uint64_t rng_seed = 0;
  // While the routing table is empty the seeds are dialed again, first after this, then at
  // doubling intervals up to seed_retry_max.
  Duration seed_retry_min = std::chrono::milliseconds(500);
  Duration seed_retry_max = std::chrono::seconds(30);
  // Contacts silent for this long are pinged (and dropped unless they answer).
  Duration heartbeat_interval = std::chrono::seconds(10);
};

struct DhtRouterState {
  static inline const char* name = "dht_router";

  // Immutable after the actor starts
  DhtRouterOptions options;
  Duration wall_offset{};  // wall clock minus actor clock, for lastSeen

  // Mutable state
  std::unique_ptr<dht::DhtCore> core;  // created once the transport is attached
  TransportActor transport;
  std::map<dht::DhtCore::OperationId, caf::response_promise> waiting;  // by operation
  std::optional<TimePoint> armed;                                      // earliest tick scheduled
  TimePoint next_seed_dial{};
  TimePoint next_heartbeat{};
  Duration seed_retry{};
  uint64_t frames_bad = 0;
  uint64_t lookups_done = 0;
};

DhtRouterActor::behavior_type DhtRouter(DhtRouterActor::stateful_pointer<DhtRouterState> self,
                                        DhtRouterOptions options);

}  // namespace lake::actors
