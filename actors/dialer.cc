#include "actors/dialer.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "actors/interfaces.h"

namespace lake::actors {
namespace {

struct Dialed {
  int fd = -1;
  std::string error;
};

// Resolves and connects with a deadline; returns a connected non-blocking socket (as CAF wants it)
// or why not.
Dialed ConnectWithTimeout(const std::string& address, std::chrono::milliseconds timeout) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return {-1, "not host:port"};
  const std::string host = address.substr(0, colon);
  const std::string port = address.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return {-1, gai_strerror(rc)};
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, freeaddrinfo);
  std::string error = "no address";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    const int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      error = std::strerror(errno);
      continue;
    }
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd pfd{fd, POLLOUT, 0};
      rc = poll(&pfd, 1, static_cast<int>(timeout.count()));
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

void Dial(caf::actor_system& system, caf::actor requester, uint64_t dial_id,
          const std::string& address, std::chrono::milliseconds timeout) {
  system.spawn<caf::detached>([=](caf::event_based_actor* self) {
    Dialed dialed = ConnectWithTimeout(address, timeout);
    if (dialed.fd >= 0) {
      self->send(requester, dialed_atom::value, dial_id, dialed.fd);
    } else {
      self->send(requester, dial_fail_atom::value, dial_id, dialed.error);
    }
    self->quit();
  });
}

}  // namespace lake::actors
