#include "gateway/event_stream.h"

namespace lake::gateway {

bool EventStream::Push(Text text) {
  bool queued = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return false;
    // Too slow a reader: what it already has still goes out, then the stream ends.
    queued = queue_.size() < capacity_;
    if (queued) {
      queue_.push_back(std::move(text));
    } else {
      closed_ = true;
    }
  }
  ready_.notify_one();
  return queued;
}

std::optional<EventStream::Text> EventStream::Next(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  ready_.wait_until(lock, deadline, [this] { return closed_ || !queue_.empty(); });
  if (queue_.empty()) return std::nullopt;
  Text text = std::move(queue_.front());
  queue_.pop_front();
  return text;
}

void EventStream::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  ready_.notify_all();
}

bool EventStream::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

}  // namespace lake::gateway
