#include "sim/event_loop.h"

namespace lake::sim {

void EventLoop::At(TimePoint when, Action action) {
  queue_.push(Event{when < now_ ? now_ : when, next_seq_++, std::move(action)});
}

void EventLoop::RunOne() {
  // Move the action out before popping: it may schedule new events.
  Event event = std::move(const_cast<Event&>(queue_.top()));
  queue_.pop();
  now_ = event.when;
  ++events_run_;
  event.action();
}

void EventLoop::RunUntil(TimePoint until) {
  while (!queue_.empty() && queue_.top().when <= until) RunOne();
  if (until > now_) now_ = until;
}

void EventLoop::RunWhile(const std::function<bool()>& keep_going) {
  while (!queue_.empty() && keep_going()) RunOne();
}

}  // namespace lake::sim
