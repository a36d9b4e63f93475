#include "gateway/gateway_actor.h"

#include <spdlog/spdlog.h>

#include "actors/errors.h"
#include "actors/node_events.h"

namespace lake::gateway {
namespace {

struct GatewayState {
  static inline const char* name = "http_gateway";

  std::unique_ptr<HttpGateway> http;
  std::unique_ptr<EventHub> hub;
  EventCounters counters;

  // Subscribers first, so that the HTTP workers streaming to them return, then the server, which
  // waits for its workers.
  void Stop() {
    if (hub) hub->CloseAll();
    if (http) http->Stop();
  }
  ~GatewayState() { Stop(); }
};

using Self = caf::stateful_actor<GatewayState>*;

int64_t UnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

caf::behavior GatewayBehavior(Self self, NodeHandles handles, GatewayOptions options) {
  self->state.hub = std::make_unique<EventHub>(options.events);
  self->state.http = std::make_unique<HttpGateway>(
      self->system(), std::move(handles), std::move(options), caf::actor_cast<caf::actor>(self));
  self->join(actors::NodeEventGroup(self->system()));
  self->set_exit_handler([self](const caf::exit_msg& exit) {
    self->state.Stop();
    self->quit(exit.reason);
  });
  return {
      [self](listen_atom) -> caf::result<uint16_t> {
        Result<uint16_t> port = self->state.http->Start();
        if (!port.ok()) return actors::ToCafError(port.status());
        return *port;
      },
      [self](actors::event_atom, const actors::NodeEvent& event) {
        self->state.hub->Publish(event.type, event.fields, UnixMillis());
        self->state.counters.Count(event.type, event.fields);
      },
      [self](subscribe_atom,
             std::optional<uint64_t> last_seen_id) -> caf::result<std::shared_ptr<EventStream>> {
        Result<std::shared_ptr<EventStream>> stream = self->state.hub->Subscribe(last_seen_id);
        if (!stream.ok()) return actors::ToCafError(stream.status());
        return *stream;
      },
      [self](actors::stats_atom) {
        return GatewayStats{self->state.hub->stats(), self->state.counters};
      },
  };
}

}  // namespace

Result<std::unique_ptr<Gateway>> Gateway::Start(caf::actor_system& system, NodeHandles handles,
                                                GatewayOptions options) {
  // Detached: stopping the server waits for requests in flight, which must not hold up a
  // scheduler thread the node's other actors run on.
  GatewayActor actor =
      system.spawn<caf::detached>(GatewayBehavior, std::move(handles), std::move(options));
  std::unique_ptr<Gateway> gateway(new Gateway(system, actor));
  Result<uint16_t> port = Status::Unavailable("the gateway did not answer");
  caf::scoped_actor self{system};
  self->request(actor, caf::infinite, listen_atom::value)
      .receive([&](uint16_t bound) { port = bound; },
               [&](const caf::error& error) { port = actors::ToStatus(error); });
  if (!port.ok()) return port.status();  // ~Gateway stops the actor
  gateway->port_ = *port;
  return gateway;
}

Gateway::~Gateway() { Stop(); }

void Gateway::Stop() {
  if (!actor_) return;
  caf::scoped_actor self{system_};
  self->monitor(actor_);
  self->send_exit(actor_, caf::exit_reason::user_shutdown);
  self->receive([](const caf::down_msg&) {});
  actor_ = nullptr;
}

}  // namespace lake::gateway
