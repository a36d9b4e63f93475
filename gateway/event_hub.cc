#include "gateway/event_hub.h"

#include <algorithm>

namespace lake::gateway {

uint64_t EventHub::Publish(const std::string& type, const nlohmann::json& fields, int64_t time_ms) {
  const uint64_t id = next_id_++;
  nlohmann::json data{{"id", id}, {"type", type}, {"time", time_ms}};
  if (fields.is_object()) data.update(fields);
  // dump() escapes newlines inside strings, so the data is one line, as SSE requires.
  auto text = std::make_shared<const std::string>("id: " + std::to_string(id) +
                                                  "\ndata: " + data.dump() + "\n\n");
  history_.push_back({id, text});
  if (history_.size() > options_.history) history_.pop_front();
  ++stats_.published;
  for (const std::shared_ptr<EventStream>& stream : streams_) {
    // A stream its reader closed is pruned below; one that was full is a subscriber dropped.
    if (!stream->closed() && !stream->Push(text)) ++stats_.subscribers_dropped;
  }
  Prune();
  return id;
}

Result<std::shared_ptr<EventStream>> EventHub::Subscribe(std::optional<uint64_t> last_seen_id) {
  Prune();
  if (streams_.size() >= options_.max_subscribers) {
    ++stats_.subscribers_refused;
    return Status::Unavailable("busy: " + std::to_string(streams_.size()) +
                               " event streams open; try again shortly");
  }
  auto stream = std::make_shared<EventStream>(std::max(options_.stream_capacity, history_.size()));
  if (last_seen_id) {
    for (const Held& held : history_) {
      if (held.id > *last_seen_id) stream->Push(held.text);
    }
  }
  streams_.push_back(stream);
  return stream;
}

void EventHub::CloseAll() {
  for (const std::shared_ptr<EventStream>& stream : streams_) stream->Close();
  streams_.clear();
}

EventHubStats EventHub::stats() {
  Prune();
  EventHubStats stats = stats_;
  stats.subscribers = streams_.size();
  return stats;
}

void EventHub::Prune() {
  std::erase_if(streams_,
                [](const std::shared_ptr<EventStream>& stream) { return stream->closed(); });
}

}  // namespace lake::gateway
