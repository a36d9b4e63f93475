#include "tests/net/raw_peer.h"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <random>

#include <nlohmann/json.hpp>

namespace lake::nettest {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

milliseconds Left(Clock::time_point deadline) {
  return std::max(std::chrono::duration_cast<milliseconds>(deadline - Clock::now()),
                  milliseconds(0));
}

}  // namespace

RawPeer::RawPeer(uint16_t port, const RawPeerOptions& options) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  // Set before connecting: the receive window is negotiated in the handshake.
  if (options.receive_buffer > 0) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &options.receive_buffer,
                 sizeof options.receive_buffer);
  }
  if (!options.source.empty()) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (::inet_pton(AF_INET, options.source.c_str(), &local.sin_addr) != 1 ||
        ::bind(fd_, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
      return;
    }
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
}

RawListener::RawListener() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd_, 4) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    return;
  }
  port_ = ntohs(addr.sin_port);
}

RawListener::~RawListener() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<int> RawListener::Accept(milliseconds timeout) {
  pollfd waiting{fd_, POLLIN, 0};
  if (port_ == 0 || ::poll(&waiting, 1, static_cast<int>(timeout.count())) != 1) {
    return std::nullopt;
  }
  const int fd = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return std::nullopt;
  return fd;
}

RawPeer::~RawPeer() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawPeer::Send(ByteView bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

RawPeer::ReadEnd RawPeer::ReadSome(Bytes* out, milliseconds timeout) {
  if (!buffer_.empty()) {
    out->insert(out->end(), buffer_.begin(), buffer_.end());
    buffer_.clear();
    return ReadEnd::kData;
  }
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    pollfd fd{fd_, POLLIN, 0};
    const int ready = ::poll(&fd, 1, static_cast<int>(Left(deadline).count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return ReadEnd::kTimeout;
    uint8_t buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ReadEnd::kClosed;
    out->insert(out->end(), buf, buf + n);
    return ReadEnd::kData;
  }
}

std::optional<Bytes> RawPeer::ReadFrame(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  Bytes data;
  for (;;) {
    if (data.size() >= 4) {
      const size_t length =
          size_t{data[0]} << 24 | size_t{data[1]} << 16 | size_t{data[2]} << 8 | size_t{data[3]};
      if (data.size() >= 4 + length) {
        buffer_.assign(data.begin() + static_cast<ptrdiff_t>(4 + length), data.end());
        data.resize(4 + length);
        return data;
      }
    }
    if (ReadSome(&data, Left(deadline)) != ReadEnd::kData) return std::nullopt;
  }
}

bool RawPeer::StillOpen() {
  for (;;) {
    Bytes discard;
    switch (ReadSome(&discard, milliseconds(0))) {
      case ReadEnd::kClosed:
        return false;
      case ReadEnd::kTimeout:
        return true;
      case ReadEnd::kData:
        break;
    }
  }
}

bool RawPeer::WaitClosed(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    Bytes discard;
    switch (ReadSome(&discard, Left(deadline))) {
      case ReadEnd::kClosed:
        return true;
      case ReadEnd::kTimeout:
        return false;
      case ReadEnd::kData:
        break;
    }
  }
}

Bytes Frame(ByteView body) {
  const auto n = static_cast<uint32_t>(body.size());
  Bytes frame(4 + body.size());
  frame[0] = static_cast<uint8_t>(n >> 24);
  frame[1] = static_cast<uint8_t>(n >> 16);
  frame[2] = static_cast<uint8_t>(n >> 8);
  frame[3] = static_cast<uint8_t>(n);
  std::copy(body.begin(), body.end(), frame.begin() + 4);
  return frame;
}

dht::Identity TestIdentity(uint8_t fill) {
  dht::Identity::Seed seed;
  seed.fill(fill);
  return dht::Identity(seed);
}

std::array<uint8_t, 32> EphemeralSeed() {
  static std::mt19937_64 rng(20240611);
  std::array<uint8_t, 32> seed;
  for (uint8_t& b : seed) b = static_cast<uint8_t>(rng());
  return seed;
}

NodeId NodeIdOf(const NodeProcess& node) {
  const std::optional<NodeId> id = NodeId::FromHex(node.node_id());
  REQUIRE(id);
  return *id;
}

bool Handshake(RawPeer& peer, dht::SecureSession& session) {
  if (!peer.Send(session.TakeOutput())) return false;
  const auto deadline = Clock::now() + kIoTimeout;
  while (!session.established()) {
    Bytes in;
    const milliseconds left = Left(deadline);
    if (left.count() <= 0 || peer.ReadSome(&in, left) != RawPeer::ReadEnd::kData) return false;
    if (!session.OnBytes(in).ok()) return false;
    const Bytes out = session.TakeOutput();
    if (!out.empty() && !peer.Send(out)) return false;
  }
  return true;
}

bool SendPayload(RawPeer& peer, dht::SecureSession& session, const Bytes& payload) {
  return session.Send(payload).ok() && peer.Send(session.TakeOutput());
}

std::optional<Bytes> AwaitPayload(RawPeer& peer, dht::SecureSession& session,
                                  const std::function<bool(const Bytes&)>& wanted) {
  const auto deadline = Clock::now() + kIoTimeout;
  for (;;) {
    for (Bytes& payload : session.TakeReceived()) {
      if (wanted(payload)) return std::move(payload);
    }
    Bytes in;
    const milliseconds left = Left(deadline);
    if (left.count() <= 0 || peer.ReadSome(&in, left) != RawPeer::ReadEnd::kData) {
      return std::nullopt;
    }
    if (!session.OnBytes(in).ok()) return std::nullopt;
  }
}

size_t OpenSockets(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  std::error_code ec;
  size_t sockets = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::error_code link_ec;
    const std::string target = std::filesystem::read_symlink(entry.path(), link_ec).string();
    if (!link_ec && target.rfind("socket:", 0) == 0) ++sockets;
  }
  return sockets;
}

std::optional<uint64_t> SessionsDropped(const NodeProcess& node) {
  std::optional<json> status = GetJson(node.http_port(), "/api/status");
  if (!status || !(*status)["transport"]["sessionsDropped"].is_number_unsigned()) {
    return std::nullopt;
  }
  return (*status)["transport"]["sessionsDropped"].get<uint64_t>();
}

uint64_t DroppedNow(const NodeProcess& node) {
  const std::optional<uint64_t> dropped = SessionsDropped(node);
  REQUIRE(dropped);
  return *dropped;
}

void CheckStillServingAndCounted(const NodeProcess& node, uint64_t dropped_before) {
  INFO("node stderr:\n" << node.Stderr());
  const auto asked = Clock::now();
  std::optional<json> health = GetJson(node.http_port(), "/api/health");
  REQUIRE(health);
  CHECK((*health)["status"] == "healthy");
  CHECK((*health)["nodeId"] == node.node_id());
  CHECK(Clock::now() - asked < std::chrono::seconds(2));
  std::optional<uint64_t> dropped;
  const bool counted = Eventually(
      [&] {
        dropped = SessionsDropped(node);
        return dropped && *dropped > dropped_before;
      },
      kIoTimeout);
  INFO("sessionsDropped " << dropped_before << " -> " << (dropped ? *dropped : 0));
  CHECK(counted);
}

}  // namespace lake::nettest
