// EventLoop: the simulator's single thread of time. Events run in a total order of (time, seq):
// virtual time jumps straight to the next event, and `seq` (the order events were scheduled)
// breaks ties, so a run is a pure function of its seed (FoundationDB's sim2 idea).
// Thread-safety: not thread-safe; one loop per simulation.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "common/clock.h"

namespace lake::sim {

class EventLoop {
 public:
  using Action = std::function<void()>;

  explicit EventLoop(TimePoint start = TimePoint{}) : now_(start) {}

  // Schedules `action` at `when`; a time in the past runs at the current time.
  void At(TimePoint when, Action action);
  void After(Duration delay, Action action) { At(now_ + delay, std::move(action)); }

  // Runs every event due at or before `until`, then sets the time to `until`.
  void RunUntil(TimePoint until);
  // Runs events while any is left and `keep_going()` (checked before each) is true.
  void RunWhile(const std::function<bool()>& keep_going);

  TimePoint now() const { return now_; }
  uint64_t events_run() const { return events_run_; }
  size_t pending() const { return queue_.size(); }

 private:
  struct Event {
    TimePoint when;
    uint64_t seq;
    Action action;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.when != b.when ? a.when > b.when : a.seq > b.seq;
    }
  };
  void RunOne();

  TimePoint now_;
  uint64_t next_seq_ = 0;
  uint64_t events_run_ = 0;
  std::priority_queue<Event, std::vector<Event>, Later> queue_;
};

}  // namespace lake::sim
