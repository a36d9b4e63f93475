// The HTTP gateway as one of the node's actors. It owns the HTTP server (gateway/http_gateway.h)
// from start to stop, and the node's event hub: it joins the node's event group
// (actors/node_events.h), numbers and keeps the events, fans them out to /api/events subscribers
// and counts them for /metrics. `Gateway` is the handle the node command and the tests hold: it
// spawns the actor, has it listen, and stops it.
// Thread-safety: Gateway's Start and Stop from one thread; the actor is an actor.
#pragma once

#include <caf/all.hpp>

#include <memory>
#include <optional>

#include "common/result.h"
#include "gateway/event_counters.h"
#include "gateway/event_hub.h"
#include "gateway/http_gateway.h"

namespace lake::gateway {

using listen_atom = caf::atom_constant<caf::atom("listen")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;

// What the gateway actor knows of itself, for /api/status and /metrics.
struct GatewayStats {
  EventHubStats events;
  EventCounters counters;
};

// A dynamically typed actor (it joins a group, which typed actors cannot). It takes:
//   (listen_atom) -> uint16_t  from Gateway::Start: bind and serve; the port bound.
//   (actors::event_atom, actors::NodeEvent)  from the node's event group.
//   (subscribe_atom, std::optional<uint64_t> last_seen_id) -> std::shared_ptr<EventStream>
//       from /api/events (EventHub::Subscribe).
//   (actors::stats_atom) -> GatewayStats  from /api/status and /metrics.
// and an exit message, on which it closes the event streams and stops the HTTP server.
using GatewayActor = caf::actor;

class Gateway {
 public:
  // Spawns the gateway actor over the node's actors and has it listen as `options` say.
  static Result<std::unique_ptr<Gateway>> Start(caf::actor_system& system, NodeHandles handles,
                                                GatewayOptions options);
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;
  ~Gateway();  // Stop()

  // Stops serving and waits for the actor to exit. Idempotent.
  void Stop();

  uint16_t port() const { return port_; }

 private:
  Gateway(caf::actor_system& system, GatewayActor actor) : system_(system), actor_(actor) {}

  caf::actor_system& system_;
  GatewayActor actor_;
  uint16_t port_ = 0;
};

}  // namespace lake::gateway

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<lake::gateway::EventStream>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lake::gateway::GatewayStats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<uint64_t>)
