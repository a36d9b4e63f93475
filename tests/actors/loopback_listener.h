// LoopbackListener: a listening TCP socket on 127.0.0.1 that tests dial. It never accepts:
// connects complete in the kernel while its accept queue has room, and hang (the SYNs dropped,
// as with a host that does not answer) once Fill() has filled it.
#pragma once

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace lake::actors {

class LoopbackListener {
 public:
  explicit LoopbackListener(int backlog = 16) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    addr_.sin_family = AF_INET;
    addr_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr_), sizeof addr_) == 0);
    REQUIRE(listen(fd_, backlog) == 0);
    socklen_t len = sizeof addr_;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr_), &len);
  }
  ~LoopbackListener() {
    if (filler_ >= 0) close(filler_);
    close(fd_);
  }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  std::string port() const { return std::to_string(ntohs(addr_.sin_port)); }
  std::string address() const { return "127.0.0.1:" + port(); }

  // REQUIRES: constructed with backlog 0. Takes the one place in the accept queue, so that
  // every later connect hangs until its own timeout.
  void Fill() {
    filler_ = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(connect(filler_, reinterpret_cast<const sockaddr*>(&addr_), sizeof addr_) == 0);
  }

 private:
  int fd_ = -1;
  int filler_ = -1;
  sockaddr_in addr_{};
};

}  // namespace lake::actors
