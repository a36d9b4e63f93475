// The query planner's operations, split by side across actors/query_*.cc and driven by the
// handlers in query_planner.cc: planning (queries this node answers: actors/query_planning.cc)
// and serving (peers' fragments this node runs: actors/query_serving.cc). Internal to the
// planner: only its own files include this header.
// Thread-safety: every function runs inside the planner's handlers.
#pragma once

#include <functional>
#include <memory>

#include "actors/query_planner.h"
#include "common/result.h"
#include "store/chunk_store.h"

namespace lake::actors::planner {

using Self = QueryPlannerActor::stateful_pointer<QueryPlannerState>;

// Sends one /lake/query/1 message to `to` (dialing `address` if no session is open; "" = only
// over an open session, as replies go).
void SendMessage(Self self, const NodeId& to, const std::string& address,
                 const dht::QueryMessage& message);

// The chunks the fragment `request` (encoded) joins with that this node lacks, fetched through
// the keeper; `then` gets them (null when there is nothing to fetch: no broadcast join, or every
// chunk held here), or why not. Bounded by max_gather_bytes as a gathered statement is.
void GatherJoinedChunks(Self self, const Bytes& request,
                        std::function<void(Result<std::shared_ptr<const store::ChunkStore>>)> then);
// ResourceExhausted: a gather of `bytes` would pass analytics.maxGatherBytes.
Status GatherTooLarge(Self self, uint64_t bytes);

// --- query_planning.cc --------------------------------------------------------------------------
// Admits and starts a query from the gateway.
caf::result<QueryAnswer> StartQuery(Self self, QueryRequest request);
// A holder's PARTIAL piece or ERROR for one of our fragments.
void OnAnswer(Self self, const NodeId& from, dht::QueryMessage message);
// `peer` is gone: its outstanding fragments failed.
void OnPeerLost(Self self, const NodeId& peer);
// Deadlines, fragment timeouts and abandoned clients.
void OnTick(Self self);

// --- query_serving.cc ---------------------------------------------------------------------------
// A peer's FRAGMENT, CANCEL or ACK.
void OnServingMessage(Self self, const NodeId& from, const dht::QueryMessage& message);
// `peer` is gone: stop what runs for it.
void StopServing(Self self, const NodeId& peer);

}  // namespace lake::actors::planner
