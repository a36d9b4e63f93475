// Errors between a node's actors: a CAF error category ("lake") whose codes are Status::Code's,
// with the message and the input position as context, so that a Status crosses an actor
// boundary with its code intact (the gateway maps codes to HTTP statuses). Handlers return
// caf::result<T> built from ToCafError; requesters turn any error back with ToStatus.
// Thread-safety: pure functions.
#pragma once

#include <caf/all.hpp>

#include "common/status.h"

namespace lake::actors {

inline constexpr caf::atom_value kStatusCategory = caf::atom("lake");

// REQUIRES: !status.ok()
caf::error ToCafError(const Status& status);

// A request's error as a Status: our own category keeps its code, message and position; a
// request timeout is Timeout; anything else CAF reports (receiver down, ...) is Unavailable.
Status ToStatus(const caf::error& error);

}  // namespace lake::actors
