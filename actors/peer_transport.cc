#include "actors/peer_transport.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

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
  conn.limiter =
      dht::RateLimiter(st.options.max_frames_per_second, st.options.max_frames_per_second);
  conn.opened = conn.last_read = Now(self);
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

// Payloads waiting for `peer` cannot be sent: drop them and tell the router and every other
// protocol's actor (they may be waiting for that peer's answers).
void Unreachable(PeerTransportBroker* self, const NodeId& peer) {
  self->state.waiting.erase(peer);
  self->send(self->state.router, unreach_atom::value, peer);
  for (const auto& [protocol, handler] : self->state.handlers) {
    self->send(handler, unreach_atom::value, peer);
  }
}

// Forgets a connection that is gone, telling the router what it lost.
void Forget(PeerTransportBroker* self, connection_handle handle) {
  auto& st = self->state;
  auto it = st.connections.find(handle);
  if (it == st.connections.end()) return;
  Connection& conn = it->second;
  if (conn.announced) {
    const NodeId peer = conn.session->peer_id();
    auto by = st.by_peer.find(peer);
    if (by != st.by_peer.end() && by->second == handle) {
      st.by_peer.erase(by);
      self->send(st.router, peer_down_atom::value, peer);
      // Requests in flight on the session are lost with it: their askers stop waiting.
      for (const auto& [protocol, handler] : st.handlers) {
        self->send(handler, unreach_atom::value, peer);
      }
    }
  } else if (conn.expected) {
    Unreachable(self, *conn.expected);  // a dial that never became a session
  }
  st.connections.erase(it);
}

// Closes a session for a protocol violation or timeout.
void Drop(PeerTransportBroker* self, connection_handle handle, const std::string& why) {
  auto& st = self->state;
  auto it = st.connections.find(handle);
  if (it == st.connections.end()) return;
  ++st.stats.sessions_dropped;
  spdlog::warn("transport: dropping {} session ({}): {}",
               it->second.outbound ? "outbound" : "inbound",
               self->remote_addr(handle) + ":" + std::to_string(self->remote_port(handle)), why);
  Forget(self, handle);
  self->close(handle);
}

void Established(PeerTransportBroker* self, connection_handle handle, Connection& conn) {
  auto& st = self->state;
  conn.announced = true;
  const NodeId peer = conn.session->peer_id();
  st.by_peer[peer] = handle;
  if (auto waiting = st.waiting.find(peer); waiting != st.waiting.end()) {
    // Send fails only for a payload over the frame limit, which the router never builds.
    for (const Bytes& payload : waiting->second) (void)conn.session->Send(payload);
    st.waiting.erase(waiting);
    WriteOut(self, handle, conn);
  }
  self->send(st.router, peer_up_atom::value, peer, conn.dialed_address, conn.outbound);
}

void OnData(PeerTransportBroker* self, connection_handle handle, std::vector<char>& buf) {
  auto& st = self->state;
  auto it = st.connections.find(handle);
  if (it == st.connections.end()) return;
  Connection& conn = it->second;
  const TimePoint now = Now(self);
  conn.last_read = now;
  st.stats.bytes_in += buf.size();
  const Status status =
      conn.session->OnBytes(ByteView(reinterpret_cast<const uint8_t*>(buf.data()), buf.size()));
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
    const std::optional<std::string_view> protocol = dht::PeekProtocol(payload);
    if (protocol == dht::kKadProtocol) {
      self->send(st.router, deliver_atom::value, conn.session->peer_id(), std::move(payload));
    } else if (auto handler =
                   protocol ? st.handlers.find(std::string(*protocol)) : st.handlers.end();
               handler != st.handlers.end()) {
      conn.handler_backlog += payload.size();
      self->send(handler->second, deliver_atom::value, conn.session->peer_id(), std::move(payload));
    } else if (violation.ok()) {
      violation = Status::Corruption("a frame of no protocol this node speaks");
    }
  }
  if (!violation.ok()) return Drop(self, handle, violation.ToString());
  if (conn.handler_backlog > st.options.max_handler_backlog && !conn.reading_paused) {
    conn.reading_paused = true;
    self->halt(handle);
  }
}

void SendTo(PeerTransportBroker* self, const NodeId& to, const std::string& address,
            Bytes payload) {
  auto& st = self->state;
  if (auto by = st.by_peer.find(to); by != st.by_peer.end()) {
    // Counted where bytes are appended: a peer that stops reading is dropped before its queue
    // grows past the limit, not after some later write completes.
    if (self->wr_buf(by->second).size() + payload.size() > st.options.max_queued_bytes) {
      return Drop(self, by->second, "peer does not read its data");
    }
    Connection& conn = st.connections.at(by->second);
    if (conn.session->Send(payload).ok()) WriteOut(self, by->second, conn);
    return;
  }
  auto [waiting, first] = st.waiting.try_emplace(to);
  if (waiting->second.size() >= st.options.max_waiting_payloads) return;  // peer is too slow
  waiting->second.push_back(std::move(payload));
  if (!first) return;  // a dial is already under way
  const uint64_t dial_id = st.next_dial_id++;
  st.dials.emplace(dial_id, State::PendingDial{to, address});
  Dial(self->system(), caf::actor_cast<caf::actor>(self), dial_id, address,
       st.options.dial_timeout);
}

void Sweep(PeerTransportBroker* self) {
  auto& st = self->state;
  const TimePoint now = Now(self);
  std::vector<connection_handle> slow_handshakes;
  std::vector<connection_handle> idle;
  for (const auto& [handle, conn] : st.connections) {
    if (!conn.announced && now - conn.opened > st.options.handshake_timeout) {
      slow_handshakes.push_back(handle);
    } else if (conn.announced && now - conn.last_read > st.options.idle_timeout) {
      idle.push_back(handle);
    }
  }
  for (connection_handle handle : slow_handshakes) Drop(self, handle, "handshake timed out");
  for (connection_handle handle : idle) {
    Forget(self, handle);
    self->close(handle);
  }
  self->delayed_send(self, kSweepInterval, tick_atom::value);
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
        if (st.connections.size() >= st.options.max_connections) {
          ++st.stats.connections_refused;
          self->close(msg.handle);
          return;
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
      [=](const caf::io::connection_closed_msg& msg) { Forget(self, msg.handle); },
      [=](const caf::io::acceptor_closed_msg&) { spdlog::error("transport: listener closed"); },
      [=](send_atom, const NodeId& to, const std::string& address, Bytes& payload) {
        SendTo(self, to, address, std::move(payload));
      },
      [=](dial_atom, const std::string& address) {
        auto& st = self->state;
        const uint64_t dial_id = st.next_dial_id++;
        st.dials.emplace(dial_id, State::PendingDial{std::nullopt, address});
        Dial(self->system(), caf::actor_cast<caf::actor>(self), dial_id, address,
             st.options.dial_timeout);
      },
      [=](dialed_atom, uint64_t dial_id, int fd) {
        auto& st = self->state;
        auto dial = st.dials.find(dial_id);
        if (dial == st.dials.end()) {
          ::close(fd);
          return;
        }
        State::PendingDial pending = std::move(dial->second);
        st.dials.erase(dial);
        const connection_handle handle = self->add_scribe(fd);
        Open(self, handle, dht::SecureSession::Role::kInitiator, pending.expected, pending.address);
        WriteOut(self, handle, self->state.connections.at(handle));
      },
      [=](dial_fail_atom, uint64_t dial_id, const std::string& why) {
        auto& st = self->state;
        auto dial = st.dials.find(dial_id);
        if (dial == st.dials.end()) return;
        spdlog::debug("transport: dial {} failed: {}", dial->second.address, why);
        const std::optional<NodeId> expected = dial->second.expected;
        st.dials.erase(dial);
        ++st.stats.dials_failed;
        if (expected) Unreachable(self, *expected);
      },
      [=](close_atom, const NodeId& peer) {
        auto& st = self->state;
        if (auto by = st.by_peer.find(peer); by != st.by_peer.end()) {
          Drop(self, by->second, "malformed message");
        }
      },
      [=](consumed_atom, const NodeId& peer, uint64_t bytes) {
        auto& st = self->state;
        auto by = st.by_peer.find(peer);
        if (by == st.by_peer.end()) return;
        Connection& conn = st.connections.at(by->second);
        conn.handler_backlog -= std::min(conn.handler_backlog, bytes);
        if (conn.reading_paused && conn.handler_backlog <= st.options.max_handler_backlog / 2) {
          conn.reading_paused = false;
          self->trigger(by->second);
        }
      },
      [=](attach_atom, const std::string& protocol, const caf::actor& handler) {
        self->state.handlers[protocol] = handler;
      },
      [=](stats_atom) {
        TransportStats stats = self->state.stats;
        stats.connections = self->state.connections.size();
        return stats;
      },
      [=](tick_atom) { Sweep(self); },
  };
}

}  // namespace lake::actors
