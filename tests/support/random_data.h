// Seeded random test data: bytes and ids from a lake::Rng, so a test's inputs replay from its
// seed. One byte per Rng::Next(), as the tests were written against.
// Thread-safety: as the Rng passed in.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/bytes.h"
#include "common/id.h"
#include "common/rng.h"

namespace lake::testing {

inline Bytes RandomBytes(Rng& rng, size_t size) {
  Bytes out(size);
  for (uint8_t& b : out) b = static_cast<uint8_t>(rng.Next());
  return out;
}

inline std::vector<NodeId> RandomIds(Rng& rng, size_t n) {
  std::vector<NodeId> out;
  for (size_t i = 0; i < n; ++i) out.push_back(rng.NextId());
  return out;
}

// The oracle for placement: every node sorted by XOR distance to `key`, the first r kept.
inline std::vector<NodeId> BruteClosest(const Id& key, std::vector<NodeId> nodes, size_t r) {
  std::sort(nodes.begin(), nodes.end(),
            [&](const NodeId& a, const NodeId& b) { return a.Distance(key) < b.Distance(key); });
  nodes.resize(std::min(r, nodes.size()));
  return nodes;
}

}  // namespace lake::testing
