// GET /api/events: the node's events as server-sent events. The stream opens with a retry hint,
// then sends each event as `id: N` and one line of JSON data (no event name, so a browser's
// EventSource.onmessage sees them all), and a comment line every heartbeat interval so proxies
// keep an idle stream open. A browser that reconnects sends Last-Event-ID (or ?lastEventId=) and
// first gets the events after it that the hub still holds. Each subscriber holds one HTTP worker
// while connected: the hub refuses subscribers past its limit (503).
// Thread-safety: a free function; any handler thread may call it.
#pragma once

#include <caf/all.hpp>

#include <chrono>

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace lake::gateway {

void ServeEvents(caf::actor_system& system, const caf::actor& gateway,
                 std::chrono::milliseconds heartbeat, const httplib::Request& req,
                 httplib::Response& res);

}  // namespace lake::gateway
