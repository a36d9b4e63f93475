// One /api/events subscriber's queue: the gateway actor pushes each event's text, the HTTP worker
// serving the subscriber takes them. Bounded: a subscriber that falls `capacity` events behind is
// closed rather than let grow (its browser reconnects with Last-Event-ID and catches up from the
// hub's history). Either side may close it; the other sees it closed.
// Thread-safety: every member is thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace lake::gateway {

class EventStream {
 public:
  using Text = std::shared_ptr<const std::string>;

  explicit EventStream(size_t capacity) : capacity_(capacity) {}
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  // Queues `text`. False if the stream is closed, or was full (it is closed then).
  bool Push(Text text);
  // The next queued text, waiting at most until `deadline`; nullopt if none came by then or the
  // stream is closed and drained (closed() tells which).
  std::optional<Text> Next(std::chrono::steady_clock::time_point deadline);
  void Close();
  bool closed() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable ready_;
  std::deque<Text> queue_;  // guarded by mu_
  bool closed_ = false;     // guarded by mu_
};

}  // namespace lake::gateway
