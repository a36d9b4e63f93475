// What every gateway route shares: asking an actor with a deadline, the one table from error codes
// to HTTP statuses, and the JSON replies ({success: false, error, ...} for errors).
// Thread-safety: free functions; Ask makes a scoped actor of its own, so any handler thread may
// call it.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>

#include "actors/errors.h"
#include "common/result.h"

namespace httplib {
struct Response;
}

namespace lake::gateway {

// The one table from error codes to HTTP statuses: the caller's mistakes are 4xx (400 bad
// request, 401 no valid token, 403 a foreign origin or host, 404 unknown, 413 too large, 415 a
// body form not accepted), the node's state 503 (overloaded or unavailable) and 504 (past the
// deadline), damage or I/O failures on this node 500.
int HttpStatusOf(Status::Code code);

// Sends one request to an actor and waits for its answer or the deadline (then Timeout).
template <class T, class Handle, class... Args>
Result<T> Ask(caf::actor_system& system, const Handle& actor, std::chrono::milliseconds timeout,
              Args&&... args) {
  caf::scoped_actor self{system};
  Result<T> answer = Status::Unavailable("no answer");
  self->request(actor, timeout, std::forward<Args>(args)...)
      .receive([&](T& value) { answer = std::move(value); },
               [&](const caf::error& error) { answer = actors::ToStatus(error); });
  return answer;
}

void Reply(httplib::Response& res, int status, const nlohmann::json& body);

// {success: false, error, position}: a caller's error (4xx) is its message alone, which for SQL
// names the position; the node's own errors keep their code's name. REQUIRES: !status.ok()
nlohmann::json ErrorJson(const Status& status);
// Replies ErrorJson(status) with HttpStatusOf(status.code()).
void ReplyError(httplib::Response& res, const Status& status);

}  // namespace lake::gateway
