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
#include "local/gathered_statement.h"
#include "store/chunk_store.h"

namespace lake::actors::planner {

using Self = QueryPlannerActor::stateful_pointer<QueryPlannerState>;

// Sends one /lake/query/1 message to `to` (dialing `address` if no session is open; "" = only
// over an open session, as replies go).
void SendMessage(Self self, const NodeId& to, const std::string& address,
                 const dht::QueryMessage& message);

// What a fetch of chunks for a query hands on: the chunks (null if none was missing), or why not.
using FetchedThen = std::function<void(Result<std::shared_ptr<const store::ChunkStore>>)>;
// Fetches `plan`'s missing chunks through the keeper for `purpose` (said in the log), unless they
// pass analytics.maxGatherBytes (ResourceExhausted, nothing fetched).
void FetchMissing(Self self, const local::GatherPlan& plan, const std::string& purpose,
                  FetchedThen then);
// The chunks of the versions the fragment `request` (encoded) joins with that this node lacks,
// fetched as FetchMissing does (none for a fragment of one table).
void GatherJoinedChunks(Self self, const Bytes& request, FetchedThen then);

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
