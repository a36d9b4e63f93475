// The node's event hub, owned by the gateway actor: numbers each node event, keeps the last
// `history` of them as the text /api/events sends, and fans each out to the subscribers' bounded
// streams, closing a stream that falls too far behind instead of letting it grow. A subscriber
// that reconnects with the id of the last event it saw gets the held events after it first.
// Thread-safety: not thread-safe (the actor's state); the streams it hands out are.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "gateway/event_stream.h"

namespace lake::gateway {

struct EventHubOptions {
  size_t history = 1000;          // events held for subscribers that reconnect
  size_t stream_capacity = 1000;  // events a subscriber may fall behind before it is dropped
  size_t max_subscribers = 8;     // each holds an HTTP worker while it is connected
};

struct EventHubStats {
  uint64_t published = 0;
  uint64_t subscribers = 0;          // connected now
  uint64_t subscribers_dropped = 0;  // closed for falling behind
  uint64_t subscribers_refused = 0;  // over max_subscribers
};

class EventHub {
 public:
  explicit EventHub(EventHubOptions options) : options_(options) {}

  // Numbers the event, renders it ({id, type, time, ...fields} as one SSE message) and queues it
  // for every subscriber. Returns its id (ids start at 1 and grow by one).
  uint64_t Publish(const std::string& type, const nlohmann::json& fields, int64_t time_ms);

  // A new subscriber's stream, holding first the held events after `last_seen_id` (nullopt: a
  // first connection, which gets none of the past). Unavailable past max_subscribers.
  Result<std::shared_ptr<EventStream>> Subscribe(std::optional<uint64_t> last_seen_id);

  // Closes every stream (the gateway is stopping).
  void CloseAll();

  EventHubStats stats();

 private:
  struct Held {
    uint64_t id;
    EventStream::Text text;
  };
  // Forgets streams their readers closed.
  void Prune();

  const EventHubOptions options_;
  std::deque<Held> history_;
  std::vector<std::shared_ptr<EventStream>> streams_;
  uint64_t next_id_ = 1;
  EventHubStats stats_;
};

}  // namespace lake::gateway
