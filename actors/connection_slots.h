// Connection slots of the peer transport: whether a newcomer may have a slot when a budget is
// full, and which connection it displaces. Decisions only, over PeerTransportState (the broker
// closes what they name and counts it), so the whole policy reads in one place.
// Thread-safety: called on the transport broker's thread only.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "actors/peer_transport.h"

namespace lake::actors {

struct InboundDecision {
  bool admit = false;
  std::optional<caf::io::connection_handle> evict;  // to close first, if admitted
};

// A new inbound connection from `host`: refused if that address already has
// max_handshakes_per_address unfinished handshakes or is over its handshake rate (this takes one
// of its tokens); admitted if the inbound budget has room; else admitted in place of the oldest
// unfinished handshake or, failing that, of the session idle longest if idle for
// evictable_after; else refused.
InboundDecision DecideInbound(PeerTransportState& st, const std::string& host, TimePoint now);

// Outbound connections and dials under way: what max_outbound bounds.
size_t OutboundInUse(const PeerTransportState& st);

// The least recently active established outbound session, to make room for a dial; nullopt if
// none (every outbound slot holds a dial or a handshake under way).
std::optional<caf::io::connection_handle> OutboundToEvict(const PeerTransportState& st);

}  // namespace lake::actors
