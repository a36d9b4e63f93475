// Outbound TCP connects, off the I/O thread. CAF's own connect (spawn_client / add_tcp_scribe)
// blocks the single multiplexer thread on name resolution and the SYN (CAF 0.17's connect is synchronous), so
// every dial runs in a detached actor of its own: name resolution and a non-blocking connect,
// both within one timeout (a name that does not resolve in time is a failed dial), then the
// connected socket is handed to the transport, which adopts it with add_scribe(fd). How many
// dials run at once is the transport's business.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace lake::actors {

// Spawns a detached dial of `address` ("host:port"). It replies to `requester` with
// (dialed_atom, dial_id, int fd) on success, or (dial_fail_atom, dial_id, std::string why)
// once `timeout` has passed. Thread-safety: callable from any actor.
void Dial(caf::actor_system& system, caf::actor requester, uint64_t dial_id,
          const std::string& address, std::chrono::milliseconds timeout);

}  // namespace lake::actors
