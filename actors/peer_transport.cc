#include "actors/peer_transport.h"

#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>
#include <spdlog/spdlog.h>

#include "actors/connection_slots.h"
#include "actors/dialer.h"
#include "dht/envelope.h"
#include "dht/messages.h"

namespace lake::actors {
namespace {

using caf::io::connection_handle;
using State = PeerTransportState;
using Connection = PeerTransportState::Connection;

// CAF sizes (and zeroes) the read buffer to this after every read, and keeps one per
// connection: DHT frames are about 1 KiB, and 64 KiB reads cost 9% of the CPU and most of the
// memory in the DHT benchmark at 64 nodes (2,600 connection ends).
constexpr size_t kReadChunk = 4 << 10;
// While a frame larger than that arrives (a chunk, a piece of a partial result), reads are this
// large: 4 KiB reads, one broker event each, held such transfers to about 40 MB/s.
constexpr size_t kBulkReadChunk = 256 << 10;
constexpr auto kSweepInterval = std::chrono::seconds(1);

TimePoint Now(PeerTransportBroker* self) {
  return TimePoint(std::chrono::duration_cast<Duration>(self->clock().now().time_since_epoch()));
}

// Starts a session on a new connection (ours or accepted) and sends our HELLO.
void Open(PeerTransportBroker* self, connection_handle handle, dht::SecureSession::Role role,
          std::optional<NodeId> expected, std::string dialed_address) {
  auto& st = self->state;
  std::array<uint8_t, 32> ephemeral_seed;
  randombytes_buf(ephemeral_seed.data(), ephemeral_seed.size());
  Connection conn;
  conn.session = std::make_unique<dht::SecureSession>(role, *st.identity, ephemeral_seed, expected,
                                                      st.options.session);
  conn.outbound = role == dht::SecureSession::Role::kInitiator;
  conn.expected = expected;
  conn.dialed_address = std::move(dialed_address);
  conn.remote_host = self->remote_addr(handle);
  conn.limiter =
      dht::RateLimiter(st.options.max_frames_per_second, st.options.max_frames_per_second);
  conn.byte_limiter =
      dht::RateLimiter(st.options.max_bytes_per_second, st.options.max_bytes_per_second);
  conn.opened = conn.last_read = conn.last_active = Now(self);
  conn.read_chunk = kReadChunk;
  st.connections.emplace(handle, std::move(conn));
  self->configure_read(handle, caf::io::receive_policy::at_most(kReadChunk));
  self->ack_writes(handle, true);
}

void WriteOut(PeerTransportBroker* self, connection_handle handle, Connection& conn) {
  Bytes out = conn.session->TakeOutput();
  if (out.empty()) return;
  std::vector<char>& buf = self->wr_buf(handle);
  buf.insert(buf.end(), out.begin(), out.end());
  self->state.stats.bytes_out += out.size();
  self->flush(handle);
}

// What a failed dial says of the peer: a refused or unanswered connect that it is gone; a
// connection it closed before the handshake ended, or a dial that waited too long for one of our
// own slots, only that one of the two may be out of connection slots.
enum class DialFailure { kNoAnswer, kTurnedAway };

// Payloads waiting for `peer` cannot be sent: drop them and tell the router and every other
// protocol's actor (they may be waiting for that peer's answers).
void Unreachable(PeerTransportBroker* self, const NodeId& peer, DialFailure failure) {
  self->state.waiting.erase(peer);
  if (failure == DialFailure::kNoAnswer) {
    self->send(self->state.router, unreach_atom::value, peer);
  } else {
    self->send(self->state.router, turned_away_atom::value, peer);
  }
  for (const auto& [protocol, handler] : self->state.handlers) {
    self->send(handler, unreach_atom::value, peer);
  }
}

// Forgets a connection that is gone and tells the router. A `retired` one we closed to free its
// slot, from a peer that is fine: the router must not treat it as lost (pinging it would need a
// dial, which evicts another session: a storm of reconnects). A lost one is told ahead of the
// payloads still queued at the router, so it skips the requests whose answers could not be sent.
void Forget(PeerTransportBroker* self, connection_handle handle, bool retired = false) {
  auto& st = self->state;
  auto it = st.connections.find(handle);
  if (it == st.connections.end()) return;
  Connection& conn = it->second;
  if (conn.announced) {
    const NodeId peer = conn.session->peer_id();
    auto by = st.by_peer.find(peer);
    if (by != st.by_peer.end() && by->second == handle) {
      st.by_peer.erase(by);
      self->send<caf::message_priority::high>(st.router, peer_down_atom::value, peer, !retired);
      if (!retired) {
        // Requests in flight on the session are lost with it: their askers stop waiting.
        for (const auto& [protocol, handler] : st.handlers) {
          self->send(handler, unreach_atom::value, peer);
        }
      }
    }
  } else if (conn.expected) {
    Unreachable(self, *conn.expected, DialFailure::kTurnedAway);  // never became a session
  }
  st.connections.erase(it);
}

// Ends a connection at once. A graceful close would keep CAF writing what is queued (and the
// fd open) until the peer reads it, which a hostile peer never does. SO_LINGER {1, 0} makes the
// final close a reset that discards what the kernel holds; shutdown() makes CAF's pending write
// fail, so CAF frees its buffer and closes the fd. In CAF 0.17's default multiplexer a
// connection_handle's id is the socket's fd (scribe_impl is built with conn_hdl_from_socket).
void Abort(PeerTransportBroker* self, connection_handle handle) {
  const int fd = static_cast<int>(handle.id());
  const linger hard{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  shutdown(fd, SHUT_RDWR);
  self->close(handle);
}

// Closes a session for a protocol violation or timeout.
void Drop(PeerTransportBroker* self, connection_handle handle, const std::string& why) {
  auto& st = self->state;
  auto it = st.connections.find(handle);
  if (it == st.connections.end()) return;
  ++st.stats.sessions_dropped;
  spdlog::warn("transport: dropping {} session ({}): {}",
               it->second.outbound ? "outbound" : "inbound",
               it->second.remote_host + ":" + std::to_string(self->remote_port(handle)), why);
  Forget(self, handle);
  Abort(self, handle);
}

// Closes a healthy connection to free its slot (idle, or evicted for a newcomer). Answers to
// requests sent on it still arrive: the peer dials us again to send them.
void Retire(PeerTransportBroker* self, connection_handle handle) {
  Forget(self, handle, /*retired=*/true);
  self->close(handle);
}

void Established(PeerTransportBroker* self, connection_handle handle, Connection& conn) {
  auto& st = self->state;
  conn.announced = true;
  const NodeId peer = conn.session->peer_id();
  st.by_peer[peer] = handle;
  if (auto waiting = st.waiting.find(peer); waiting != st.waiting.end()) {
    // Send fails only for a payload over the frame limit, which the router never builds.
    for (const Bytes& payload : waiting->second.payloads) (void)conn.session->Send(payload);
    st.waiting.erase(waiting);
    WriteOut(self, handle, conn);
  }
  // Urgent as peer_down is, so the two keep their order.
  self->send<caf::message_priority::high>(st.router, peer_up_atom::value, peer, conn.dialed_address,
                                          conn.outbound);
}

// Halts or resumes reading from a connection: it pauses while its peer's bytes wait unconsumed
// beyond max_handler_backlog (resuming at half that) or while its byte-rate debt lasts.
void UpdateReading(PeerTransportBroker* self, connection_handle handle, Connection& conn,
                   TimePoint now) {
  auto& st = self->state;
  uint64_t backlog = 0;
  if (conn.announced) {
    auto it = st.backlog.find(conn.session->peer_id());
    if (it != st.backlog.end()) backlog = it->second;
  }
  const size_t limit =
      conn.reading_paused ? st.options.max_handler_backlog / 2 : st.options.max_handler_backlog;
  const bool pause = backlog > limit || now < conn.paused_until;
  if (pause == conn.reading_paused) return;
  conn.reading_paused = pause;
  if (pause) {
    self->halt(handle);
  } else {
    self->trigger(handle);
    // Time we kept the peer waiting does not count against its frame.
    if (conn.frame_started != TimePoint{}) conn.frame_started = now;
  }
}

void OnData(PeerTransportBroker* self, connection_handle handle, std::vector<char>& buf) {
  auto& st = self->state;
  auto it = st.connections.find(handle);
  if (it == st.connections.end()) return;
  Connection& conn = it->second;
  const TimePoint now = Now(self);
  conn.last_read = now;
  st.stats.bytes_in += buf.size();
  const uint64_t frames_before = conn.session->frames_received();
  const Status status =
      conn.session->OnBytes(ByteView(reinterpret_cast<const uint8_t*>(buf.data()), buf.size()));
  // Frame progress: a frame completed restarts the clock of the next partial one.
  if (conn.session->frames_received() != frames_before) {
    conn.last_active = now;
    conn.frame_started = conn.session->MidFrame() ? now : TimePoint{};
  } else if (conn.session->MidFrame() && conn.frame_started == TimePoint{}) {
    conn.frame_started = now;
  }
  const size_t read_chunk =
      conn.session->FrameRemainder() > kReadChunk ? kBulkReadChunk : kReadChunk;
  if (read_chunk != conn.read_chunk) {
    conn.read_chunk = read_chunk;
    self->configure_read(handle, caf::io::receive_policy::at_most(read_chunk));
  }
  WriteOut(self, handle, conn);
  if (conn.session->established() && !conn.announced) Established(self, handle, conn);
  // Payloads decrypted before a failure are authentic: deliver them, then drop.
  Status violation = status;
  for (Bytes& payload : conn.session->TakeReceived()) {
    if (!conn.limiter.Allow(now)) {
      ++st.stats.frames_limited;
      continue;
    }
    const NodeId& peer = conn.session->peer_id();
    const std::optional<std::string_view> protocol = dht::PeekProtocol(payload);
    auto handler = protocol ? st.handlers.find(std::string(*protocol)) : st.handlers.end();
    if (protocol == dht::kKadProtocol && payload.size() > st.options.max_kad_payload) {
      if (violation.ok()) {
        violation = Status::ResourceExhausted("a DHT payload of " + std::to_string(payload.size()) +
                                              " bytes, over the limit of " +
                                              std::to_string(st.options.max_kad_payload));
      }
    } else if (protocol == dht::kKadProtocol) {
      st.backlog[peer] += payload.size();
      self->send(st.router, deliver_atom::value, peer, std::move(payload));
    } else if (handler != st.handlers.end()) {
      st.backlog[peer] += payload.size();
      self->send(handler->second, deliver_atom::value, peer, std::move(payload));
    } else if (violation.ok()) {
      violation = Status::Corruption("a frame of no protocol this node speaks");
    }
  }
  if (!violation.ok()) return Drop(self, handle, violation.ToString());
  const Duration debt = conn.byte_limiter.Charge(now, static_cast<double>(buf.size()));
  if (debt > Duration::zero()) conn.paused_until = now + debt;
  UpdateReading(self, handle, conn, now);
}

// Closes the least recently active outbound session to make room for a dial; false if there is
// none (every outbound slot holds a dial or a handshake under way).
bool EvictOutbound(PeerTransportBroker* self) {
  const std::optional<connection_handle> victim = OutboundToEvict(self->state);
  if (!victim) return false;
  ++self->state.stats.connections_evicted;
  Retire(self, *victim);
  return true;
}

// Starts queued dials, oldest first, while fewer than max_concurrent_dials run and an outbound
// slot is free or can be freed.
void StartDials(PeerTransportBroker* self) {
  auto& st = self->state;
  for (auto& [dial_id, dial] : st.dials) {
    if (st.dials_running >= st.options.max_concurrent_dials) return;
    if (dial.started) continue;
    if (OutboundInUse(st) >= st.options.max_outbound && !EvictOutbound(self)) return;
    dial.started = true;
    ++st.dials_running;
    Dial(caf::actor_cast<caf::actor>(self), dial_id, dial.address, st.options.dial_timeout);
  }
}

void QueueDial(PeerTransportBroker* self, std::optional<NodeId> expected,
               const std::string& address) {
  auto& st = self->state;
  st.dials.emplace(st.next_dial_id++, State::PendingDial{expected, address, Now(self), false});
  StartDials(self);
}

void SendTo(PeerTransportBroker* self, const NodeId& to, const std::string& address,
            Bytes payload) {
  auto& st = self->state;
  if (payload.size() > st.options.max_kad_payload &&
      dht::PeekProtocol(payload) == dht::kKadProtocol) {
    // The peer would take it for a violation and drop the session: its asker times out instead.
    spdlog::debug("transport: not sending a DHT payload of {} bytes to {}", payload.size(),
                  to.ShortHex());
    return;
  }
  if (auto by = st.by_peer.find(to); by != st.by_peer.end()) {
    // Counted where bytes are appended: a peer that stops reading is dropped before its queue
    // grows past the limit, not after some later write completes.
    if (self->wr_buf(by->second).size() + payload.size() > st.options.max_queued_bytes) {
      return Drop(self, by->second, "peer does not read its data");
    }
    Connection& conn = st.connections.at(by->second);
    conn.last_active = Now(self);
    if (conn.session->Send(payload).ok()) WriteOut(self, by->second, conn);
    return;
  }
  auto [waiting, first] = st.waiting.try_emplace(to);
  State::Waiting& queue = waiting->second;
  if (queue.payloads.size() >= st.options.max_waiting_payloads ||
      queue.bytes + payload.size() > st.options.max_waiting_bytes) {
    return;  // the peer is too slow
  }
  queue.bytes += payload.size();
  queue.payloads.push_back(std::move(payload));
  if (first) QueueDial(self, to, address);  // else a dial is already under way
}

void Sweep(PeerTransportBroker* self) {
  auto& st = self->state;
  const TimePoint now = Now(self);
  std::vector<std::pair<connection_handle, std::string>> drop;
  std::vector<connection_handle> silent;  // heard nothing for idle_timeout: maybe gone
  std::vector<connection_handle> idle;    // outbound, unused for outbound_idle_timeout
  for (auto& [handle, conn] : st.connections) {
    if (!conn.announced && now - conn.opened > st.options.handshake_timeout) {
      drop.emplace_back(handle, "handshake timed out");
    } else if (!conn.reading_paused && conn.frame_started != TimePoint{} &&
               now - conn.frame_started > st.options.frame_timeout) {
      drop.emplace_back(handle, "no frame progress");
    } else if (conn.announced && now - conn.last_read > st.options.idle_timeout) {
      silent.push_back(handle);
    } else if (conn.announced && conn.outbound &&
               now - conn.last_active > st.options.outbound_idle_timeout) {
      idle.push_back(handle);
    } else if (conn.reading_paused) {
      UpdateReading(self, handle, conn, now);  // a byte-rate debt may be repaid
    } else if (conn.announced) {
      // CAF 0.17 drops a resume that follows a pause within one multiplexer round: the pause's
      // removal from the poll set is applied after the resume, which found the reader still
      // registered and did nothing. Resuming again is a no-op for a connection being read.
      self->trigger(handle);
    }
  }
  for (const auto& [handle, why] : drop) Drop(self, handle, why);
  for (connection_handle handle : silent) {
    Forget(self, handle);
    self->close(handle);
  }
  for (connection_handle handle : idle) Retire(self, handle);
  // Dials that waited for a slot longer than a dial may take fail.
  for (auto it = st.dials.begin(); it != st.dials.end();) {
    if (it->second.started || now - it->second.queued <= st.options.dial_timeout) {
      ++it;
      continue;
    }
    ++st.stats.dials_failed;
    if (it->second.expected) {
      Unreachable(self, *it->second.expected, DialFailure::kTurnedAway);
    }
    it = st.dials.erase(it);
  }
  // A handshake limiter unused for a while is full again: forget it.
  for (auto it = st.handshakes.begin(); it != st.handshakes.end();) {
    it = now - it->second.last_used() > std::chrono::seconds(10) ? st.handshakes.erase(it)
                                                                 : std::next(it);
  }
  StartDials(self);
  self->delayed_send(self, kSweepInterval, tick_atom::value);
}

// The end of a dial, successful or not: its slot goes to the next queued dial.
std::optional<State::PendingDial> FinishDial(PeerTransportBroker* self, uint64_t dial_id) {
  auto& st = self->state;
  auto dial = st.dials.find(dial_id);
  if (dial == st.dials.end()) return std::nullopt;
  State::PendingDial pending = std::move(dial->second);
  st.dials.erase(dial);
  --st.dials_running;
  return pending;
}

}  // namespace

caf::behavior PeerTransport(PeerTransportBroker* self, PeerTransportOptions options,
                            dht::Identity identity, DhtRouterActor router) {
  auto& st = self->state;
  st.options = std::move(options);
  st.identity = std::make_unique<dht::Identity>(identity);
  st.router = std::move(router);
  auto listening = self->add_tcp_doorman(st.options.port, st.options.bind_address.c_str(), true);
  if (!listening) {
    spdlog::error("transport: cannot listen on {}:{}: {}", st.options.bind_address, st.options.port,
                  self->system().render(listening.error()));
    self->quit(listening.error());
    return {};
  }
  st.stats.port = listening->second;
  self->delayed_send(self, kSweepInterval, tick_atom::value);
  return {
      [=](const caf::io::new_connection_msg& msg) {
        auto& st = self->state;
        const InboundDecision decision =
            DecideInbound(st, self->remote_addr(msg.handle), Now(self));
        if (!decision.admit) {
          ++st.stats.connections_refused;
          Abort(self, msg.handle);
          return;
        }
        if (decision.evict) {
          ++st.stats.connections_evicted;
          Retire(self, *decision.evict);
        }
        Open(self, msg.handle, dht::SecureSession::Role::kResponder, std::nullopt, "");
        WriteOut(self, msg.handle, self->state.connections.at(msg.handle));
      },
      [=](caf::io::new_data_msg& msg) { OnData(self, msg.handle, msg.buf); },
      [=](const caf::io::data_transferred_msg& msg) {
        if (msg.remaining > self->state.options.max_queued_bytes) {
          Drop(self, msg.handle, "peer does not read its data");
        }
      },
      [=](const caf::io::connection_closed_msg& msg) {
        Forget(self, msg.handle);
        StartDials(self);
      },
      [=](const caf::io::acceptor_closed_msg&) { spdlog::error("transport: listener closed"); },
      [=](send_atom, const NodeId& to, const std::string& address, Bytes& payload) {
        SendTo(self, to, address, std::move(payload));
      },
      [=](dial_atom, const std::string& address) { QueueDial(self, std::nullopt, address); },
      [=](dialed_atom, uint64_t dial_id, int fd) {
        std::optional<State::PendingDial> pending = FinishDial(self, dial_id);
        if (!pending) {
          ::close(fd);
          return;
        }
        const connection_handle handle = self->add_scribe(fd);
        Open(self, handle, dht::SecureSession::Role::kInitiator, pending->expected,
             pending->address);
        WriteOut(self, handle, self->state.connections.at(handle));
        StartDials(self);
      },
      [=](dial_fail_atom, uint64_t dial_id, const std::string& why) {
        std::optional<State::PendingDial> pending = FinishDial(self, dial_id);
        if (!pending) return;
        spdlog::debug("transport: dial {} failed: {}", pending->address, why);
        ++self->state.stats.dials_failed;
        if (pending->expected) Unreachable(self, *pending->expected, DialFailure::kNoAnswer);
        StartDials(self);
      },
      [=](close_atom, const NodeId& peer) {
        auto& st = self->state;
        if (auto by = st.by_peer.find(peer); by != st.by_peer.end()) {
          Drop(self, by->second, "malformed message");
        }
      },
      [=](consumed_atom, const NodeId& peer, uint64_t bytes) {
        auto& st = self->state;
        auto it = st.backlog.find(peer);
        if (it == st.backlog.end()) return;
        const uint64_t before = it->second;
        it->second -= std::min(it->second, bytes);
        const uint64_t after = it->second;
        if (after == 0) st.backlog.erase(it);
        if (before <= st.options.max_handler_backlog / 2 ||
            after > st.options.max_handler_backlog / 2) {
          return;
        }
        // Below the resume mark: reading from that peer's paused connections may go on.
        const TimePoint now = Now(self);
        for (auto& [handle, conn] : st.connections) {
          if (conn.reading_paused && conn.announced && conn.session->peer_id() == peer) {
            UpdateReading(self, handle, conn, now);
          }
        }
      },
      [=](attach_atom, const std::string& protocol, const caf::actor& handler) {
        self->state.handlers[protocol] = handler;
      },
      [=](stats_atom) {
        TransportStats stats = self->state.stats;
        stats.connections = self->state.connections.size();
        stats.opening = self->state.dials.size();
        for (const auto& [handle, conn] : self->state.connections) stats.opening += !conn.announced;
        return stats;
      },
      [=](tick_atom) { Sweep(self); },
  };
}

}  // namespace lake::actors
