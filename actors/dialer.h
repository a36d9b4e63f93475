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

#include <netdb.h>
#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace lake::actors {

// How a host name becomes addresses, with getaddrinfo's contract (the answer is freed with
// freeaddrinfo). Numeric addresses never reach it. Tests stand in a slow one.
using NameResolver =
    std::function<int(const char* host, const char* port, const addrinfo* hints, addrinfo** found)>;

// Name resolutions that outlived their dial and still run (getaddrinfo cannot be cancelled):
// while this many linger, a dial of a name fails at once, so that names that never resolve cannot
// pile up threads.
inline constexpr int kMaxLingeringResolutions = 8;

// Starts a dial of `address` ("host:port"). It sends `requester`, anonymously, (dialed_atom,
// dial_id, int fd) on success, or (dial_fail_atom, dial_id, std::string why) once `timeout` has
// passed; if the requester is gone by then, the socket is closed. Thread-safety: callable from
// any thread.
void Dial(const caf::actor& requester, uint64_t dial_id, const std::string& address,
          std::chrono::milliseconds timeout, NameResolver resolve = getaddrinfo);

}  // namespace lake::actors
