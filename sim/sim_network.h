// SimNetwork: the simulated wire between simulated nodes. It decides each message's fate from
// its own seeded Rng: dropped (random loss, a partition between the two ends, or a dead
// receiver) or delivered after a latency drawn from base + exponential jitter, which also
// reorders messages; messages on one session stream (StreamArrival) keep their order instead.
// Nodes are numbered 0..n-1.
// Thread-safety: not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/rng.h"

namespace lake::sim {

struct NetworkOptions {
  Duration base_latency = std::chrono::milliseconds(5);
  Duration mean_jitter = std::chrono::milliseconds(20);  // exponential, so some are slow
  double loss = 0.0;                                     // probability a message is lost
};

class SimNetwork {
 public:
  SimNetwork(const NetworkOptions& options, Rng rng) : options_(options), rng_(rng) {}

  // How long a message from `from` to `to` takes, or nullopt if it is lost.
  std::optional<Duration> Transit(size_t from, size_t to);
  // The same for a message sent at `now` on a session stream from `from` to `to`: it arrives no
  // earlier than the previous one on that link, so a stream keeps its order (the loss of one
  // message stands for the session breaking under it). Its arrival time, or nullopt if lost.
  std::optional<TimePoint> StreamArrival(size_t from, size_t to, TimePoint now);

  // Splits nodes into sides; messages between different sides are lost until Heal().
  void Partition(std::vector<int> side_of_node) { side_ = std::move(side_of_node); }
  void Heal() { side_.clear(); }
  bool partitioned() const { return !side_.empty(); }

  uint64_t lost() const { return lost_; }

 private:
  NetworkOptions options_;
  Rng rng_;
  std::vector<int> side_;  // empty: no partition
  // The latest arrival on each stream, by (from, to).
  std::map<std::pair<size_t, size_t>, TimePoint> last_arrival_;
  uint64_t lost_ = 0;
};

}  // namespace lake::sim
