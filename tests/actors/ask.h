// Ask: a blocking request to an actor from test code, answered with the reply or the error
// (as a Status) it ended in.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <utility>

#include "actors/errors.h"
#include "common/result.h"

namespace lake::actors {

template <class T, class Handle, class... Args>
Result<T> Ask(caf::actor_system& system, const Handle& actor, Args&&... args) {
  caf::scoped_actor self{system};
  Result<T> answer = Status::Unavailable("no answer");
  self->request(actor, std::chrono::seconds(60), std::forward<Args>(args)...)
      .receive([&](T& value) { answer = std::move(value); },
               [&](const caf::error& error) { answer = ToStatus(error); });
  return answer;
}

}  // namespace lake::actors
