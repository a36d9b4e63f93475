// Rng: the only source of randomness for pure code. Seeded explicitly, so a seed replays a run
// (the simulator derives one child Rng per node with Rng::Child). Deterministic on every platform
// (xoshiro256**, seeded through SplitMix64), unlike std::uniform_int_distribution.
// Thread-safety: not thread-safe; one Rng per owner.
#pragma once

#include <cstdint>

#include "common/id.h"

namespace lake {

class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t Next();
  // Uniform in [0, bound). REQUIRES: bound > 0.
  uint64_t Uniform(uint64_t bound);
  // Uniform in [0, 1).
  double UniformDouble();
  // A uniformly random 256-bit id.
  Id NextId();
  // True with probability p.
  bool Bernoulli(double p) { return UniformDouble() < p; }
  // An independent generator derived from this one's seed and `stream`, without consuming
  // values from this one: adding a stream never reshuffles the others.
  Rng Child(uint64_t stream) const;

 private:
  uint64_t seed_;
  uint64_t s_[4];
};

}  // namespace lake
