// Seed: a node to join the network through, written "host:port" or "<node id hex>@host:port".
// With an id the seed is pinned to its key: a node answering at that address with another id
// (a stale entry, or someone in the path) is not joined through.
// Thread-safety: value types and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/id.h"
#include "common/result.h"

namespace lake::dht {

struct Seed {
  std::string address;         // "host:port" as written (the core never parses it)
  std::optional<NodeId> id;    // the id the seed must prove, if pinned
  friend bool operator==(const Seed&, const Seed&) = default;
};

// InvalidArgument if an "@" is present and what precedes it is not a 64-digit hex node id, or
// the address is empty. The address itself is checked by whoever dials it.
Result<Seed> ParseSeed(std::string_view text);

}  // namespace lake::dht
