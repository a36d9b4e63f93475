// Contact: how to reach a node: its NodeId and the address it listens on ("host:port" for TCP,
// "sim:<index>" in the simulator). The core never parses addresses; the transport does.
#pragma once

#include <string>

#include "common/id.h"

namespace lake::dht {

struct Contact {
  NodeId id;
  std::string address;
  friend bool operator==(const Contact&, const Contact&) = default;
};

}  // namespace lake::dht
