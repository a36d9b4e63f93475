#include "actors/overlay.h"

#include <unistd.h>

#include "actors/errors.h"

namespace lake::actors {

Result<OverlayHandles> StartOverlay(caf::actor_system& system, const dht::Identity& identity,
                                    PeerTransportOptions transport, DhtRouterOptions router) {
  OverlayHandles overlay;
  router.self = identity.node_id();
  const std::string advertised = router.advertise_address;
  std::string host = transport.bind_address;
  if (host == "0.0.0.0") {
    char name[256] = {};
    host = gethostname(name, sizeof name - 1) == 0 ? name : "127.0.0.1";
  }
  overlay.router = system.spawn(DhtRouter, std::move(router));
  overlay.transport = system.middleman().spawn_broker(PeerTransport, std::move(transport), identity,
                                                      overlay.router);
  caf::scoped_actor self{system};
  Status status = Status::OK();
  self->request(overlay.transport, std::chrono::seconds(10), stats_atom::value)
      .receive([&](const TransportStats& stats) { overlay.port = stats.port; },
               [&](const caf::error& error) {
                 status = ToStatus(error).WithContext("peer transport did not start");
               });
  if (!status.ok()) {
    StopOverlay(overlay);
    return status;
  }
  overlay.address = advertised.empty() ? host + ":" + std::to_string(overlay.port) : advertised;
  self->send(overlay.router, attach_atom::value, overlay.transport, overlay.address);
  return overlay;
}

void StopOverlay(const OverlayHandles& overlay) {
  caf::anon_send_exit(overlay.transport, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(overlay.router, caf::exit_reason::user_shutdown);
}

}  // namespace lake::actors
