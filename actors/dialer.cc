#include "actors/dialer.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "actors/interfaces.h"

namespace lake::actors {
namespace {

struct Dialed {
  int fd = -1;
  std::string error;
};

using AddrList = std::unique_ptr<addrinfo, decltype(&freeaddrinfo)>;

std::atomic<int> lingering_resolutions{0};

// What a resolver thread hands back; shared, since the thread may outlive the dial.
struct Resolution {
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;
  bool abandoned = false;  // the dial gave up waiting: the thread frees the answer itself
  int rc = 0;
  addrinfo* found = nullptr;
};

// Resolves `host` within `timeout`. A numeric address resolves at once; a name is resolved on a
// thread of its own, and a name that does not resolve in time is a failed dial.
AddrList Resolve(const std::string& host, const std::string& port,
                 std::chrono::milliseconds timeout, const NameResolver& resolve,
                 std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) == 0) {
    return AddrList(found, freeaddrinfo);
  }
  if (lingering_resolutions.load() >= kMaxLingeringResolutions) {
    *error = "too many name resolutions under way";
    return AddrList(nullptr, freeaddrinfo);
  }
  hints.ai_flags = 0;
  auto resolution = std::make_shared<Resolution>();
  std::thread([resolution, host, port, hints, resolve] {
    addrinfo* result = nullptr;
    const int rc = resolve(host.c_str(), port.c_str(), &hints, &result);
    std::lock_guard<std::mutex> lock(resolution->mu);
    if (resolution->abandoned) {
      if (result != nullptr) freeaddrinfo(result);
      --lingering_resolutions;
      return;
    }
    resolution->rc = rc;
    resolution->found = result;
    resolution->done = true;
    resolution->done_cv.notify_one();
  }).detach();
  std::unique_lock<std::mutex> lock(resolution->mu);
  if (!resolution->done_cv.wait_for(lock, timeout, [&] { return resolution->done; })) {
    resolution->abandoned = true;
    ++lingering_resolutions;
    *error = "name did not resolve within " + std::to_string(timeout.count()) + " ms";
    return AddrList(nullptr, freeaddrinfo);
  }
  if (resolution->rc != 0) *error = gai_strerror(resolution->rc);
  return AddrList(resolution->rc == 0 ? resolution->found : nullptr, freeaddrinfo);
}

// Resolves and connects within `timeout` in all; returns a connected non-blocking socket (as CAF
// wants it) or why not.
Dialed ConnectWithTimeout(const std::string& address, std::chrono::milliseconds timeout,
                          const NameResolver& resolve) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return {-1, "not host:port"};
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port = address.substr(colon + 1);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string error;
  AddrList list = Resolve(host, port, timeout, resolve, &error);
  if (!list) return {-1, error};
  addrinfo* found = list.get();
  error = "no address";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    const int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      error = std::strerror(errno);
      continue;
    }
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd pfd{fd, POLLOUT, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      rc = poll(&pfd, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
      if (rc == 0) {
        error = "connect timed out";
        close(fd);
        continue;
      }
      int so_error = 0;
      socklen_t len = sizeof so_error;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
      rc = so_error == 0 ? 0 : -1;
      errno = so_error;
    }
    if (rc != 0) {
      error = std::strerror(errno);
      close(fd);
      continue;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return {fd, ""};
  }
  return {-1, error};
}

}  // namespace

void Dial(const caf::actor& requester, uint64_t dial_id, const std::string& address,
          std::chrono::milliseconds timeout, NameResolver resolve) {
  // Held weakly: a dial must not keep a stopped transport alive, and must not reach it once it
  // is gone.
  const caf::actor_addr to = requester.address();
  std::thread([to, dial_id, address, timeout, resolve = std::move(resolve)] {
    Dialed dialed = ConnectWithTimeout(address, timeout, resolve);
    const auto requester = caf::actor_cast<caf::actor>(to);
    if (!requester) {
      if (dialed.fd >= 0) close(dialed.fd);
    } else if (dialed.fd >= 0) {
      caf::anon_send(requester, dialed_atom::value, dial_id, dialed.fd);
    } else {
      caf::anon_send(requester, dial_fail_atom::value, dial_id, dialed.error);
    }
  }).detach();
}

}  // namespace lake::actors
