// Outbound TCP connects, off the I/O thread. CAF's own connect (spawn_client / add_tcp_scribe)
// blocks the single multiplexer thread on name resolution and the SYN (CAF 0.17's connect is
// synchronous), so every dial runs on a thread of its own: name resolution and a non-blocking
// connect, both within one timeout (a name that does not resolve in time is a failed dial), then
// the connected socket is handed to the transport, which adopts it with add_scribe(fd). How many
// dials run at once is the transport's business. A plain thread, not a detached actor: CAF 0.17's
// private threads can keep a finished actor alive, and the actor system's shutdown then waits
// for it forever (CAF issue 1196, fixed only in 0.18); a dial spawned at every reconnect made
// that hang likely.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace lake::actors {

// Starts a dial of `address` ("host:port"). It sends `requester`, anonymously, (dialed_atom,
// dial_id, int fd) on success, or (dial_fail_atom, dial_id, std::string why) once `timeout` has
// passed; if the requester is gone by then, the socket is closed. Thread-safety: callable from
// any thread.
void Dial(const caf::actor& requester, uint64_t dial_id, const std::string& address,
          std::chrono::milliseconds timeout);

}  // namespace lake::actors
