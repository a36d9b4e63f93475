#include "actors/connection_slots.h"

namespace lake::actors {

using caf::io::connection_handle;

InboundDecision DecideInbound(PeerTransportState& st, const std::string& host, TimePoint now) {
  const double rate = st.options.handshakes_per_second_per_address;
  auto limiter = st.handshakes.try_emplace(host, rate, 2 * rate).first;
  size_t inbound = 0;
  size_t handshaking_here = 0;
  std::optional<connection_handle> handshake;  // the oldest unfinished one
  std::optional<connection_handle> idlest;
  TimePoint handshake_opened = TimePoint::max();
  TimePoint idle_since = now - st.options.evictable_after;
  for (const auto& [handle, conn] : st.connections) {
    if (conn.outbound) continue;
    ++inbound;
    if (!conn.announced) {
      if (conn.remote_host == host) ++handshaking_here;
      if (conn.opened < handshake_opened) {
        handshake_opened = conn.opened;
        handshake = handle;
      }
    } else if (conn.last_active <= idle_since) {
      idle_since = conn.last_active;
      idlest = handle;
    }
  }
  if (handshaking_here >= st.options.max_handshakes_per_address || !limiter->second.Allow(now)) {
    return {};
  }
  if (inbound < st.options.max_inbound) return {true, std::nullopt};
  const std::optional<connection_handle> victim = handshake ? handshake : idlest;
  if (!victim) return {};
  return {true, victim};
}

size_t OutboundInUse(const PeerTransportState& st) {
  size_t outbound = st.dials_running;
  for (const auto& [handle, conn] : st.connections) outbound += conn.outbound ? 1 : 0;
  return outbound;
}

std::optional<connection_handle> OutboundToEvict(const PeerTransportState& st) {
  std::optional<connection_handle> lru;
  TimePoint oldest = TimePoint::max();
  for (const auto& [handle, conn] : st.connections) {
    if (conn.outbound && conn.announced && conn.last_active < oldest) {
      oldest = conn.last_active;
      lru = handle;
    }
  }
  return lru;
}

}  // namespace lake::actors
