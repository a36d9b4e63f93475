// Test helpers for the hostile-peer [net] tests: RawPeer, one TCP connection to a node's p2p
// port driven by hand over POSIX sockets; the session protocol's framing and handshake over it
// (dht::SecureSession as the initiator); and the node's transport counters those tests check.
// Thread-safety: none; every object belongs to the test's thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/bytes.h"
#include "common/id.h"
#include "dht/identity.h"
#include "dht/secure_session.h"
#include "tests/net/node_process.h"

namespace lake::nettest {

// How long the node may take to answer or to close a connection: "a few seconds", generous for
// a loaded machine.
inline constexpr std::chrono::seconds kIoTimeout(5);

// How a RawPeer's socket is set up before it connects.
struct RawPeerOptions {
  int receive_buffer = 0;  // SO_RCVBUF in bytes; 0 = the system's default
  std::string source;      // local IPv4 address to connect from ("127.0.0.2"); "" = any
};

// One TCP connection to the node. Bytes read ahead of a frame stay buffered.
class RawPeer {
 public:
  enum class ReadEnd { kData, kTimeout, kClosed };

  explicit RawPeer(uint16_t port, const RawPeerOptions& options = {});
  // A connection the node opened to a RawListener.
  explicit RawPeer(int accepted_fd) : fd_(accepted_fd), connected_(accepted_fd >= 0) {}
  RawPeer(const RawPeer&) = delete;
  RawPeer& operator=(const RawPeer&) = delete;
  ~RawPeer();

  bool connected() const { return connected_; }

  // Writes all of `bytes`; false once the node has closed the connection.
  bool Send(ByteView bytes);
  // Appends to *out what arrives (buffered bytes first) within `timeout`. EOF and ECONNRESET
  // both count as closed.
  ReadEnd ReadSome(Bytes* out, std::chrono::milliseconds timeout);
  // One whole frame, 4-byte length prefix included; nullopt on timeout or close.
  std::optional<Bytes> ReadFrame(std::chrono::milliseconds timeout);
  // True while the node has not closed the connection (what it sent is discarded).
  bool StillOpen();
  // True once the node closes the connection within `timeout` (whatever it sends is discarded).
  bool WaitClosed(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  bool connected_ = false;
  Bytes buffer_;
};

// A socket listening on 127.0.0.1 at a free port: where a raw peer claims to listen, so the
// node, which takes a peer into its routing table only once it has dialled the address the peer
// gave and seen its id proven there, can verify it.
class RawListener {
 public:
  RawListener();
  RawListener(const RawListener&) = delete;
  RawListener& operator=(const RawListener&) = delete;
  ~RawListener();
  uint16_t port() const { return port_; }
  // The next connection made to it within `timeout`; nullopt if none comes.
  std::optional<int> Accept(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// A frame of the session protocol: a 4-byte big-endian length, then `body`.
Bytes Frame(ByteView body);

// The identity whose seed is 32 bytes of `fill`.
dht::Identity TestIdentity(uint8_t fill);
// A distinct ephemeral seed per session (reusing one would repeat our half of the key exchange).
std::array<uint8_t, 32> EphemeralSeed();
// The NodeId the node printed when it started.
NodeId NodeIdOf(const NodeProcess& node);

// Runs the handshake to completion over `peer`, as whichever role `session` plays.
bool Handshake(RawPeer& peer, dht::SecureSession& session);
// Encrypts `payload` as one DATA frame and sends it; false if the session or the socket refuses.
bool SendPayload(RawPeer& peer, dht::SecureSession& session, const Bytes& payload);
// Reads DATA frames until a payload satisfies `wanted` and returns it; nullopt if none does
// within kIoTimeout or the connection ends.
std::optional<Bytes> AwaitPayload(RawPeer& peer, dht::SecureSession& session,
                                  const std::function<bool(const Bytes&)>& wanted);

// The sockets process `pid` holds open (from /proc; 0 if unreadable).
size_t OpenSockets(pid_t pid);

// The node's transport.sessionsDropped from /api/status; nullopt if it does not answer.
std::optional<uint64_t> SessionsDropped(const NodeProcess& node);
// The same, REQUIRED to be there.
uint64_t DroppedNow(const NodeProcess& node);
// The node answers /api/health at once, and has counted a dropped session since
// `dropped_before` (checked with Catch's CHECK).
void CheckStillServingAndCounted(const NodeProcess& node, uint64_t dropped_before);

}  // namespace lake::nettest
