// The holder's side of /lake/query/1: peers' fragments run on the executor, their partial
// results streamed back a few pieces at a time.
#include <spdlog/spdlog.h>

#include "actors/errors.h"
#include "actors/planner_ops.h"

namespace lake::actors::planner {
namespace {

using Key = std::pair<NodeId, uint64_t>;

// An ERROR's message is bounded on the wire; a long one is cut rather than dropped.
dht::QueryMessage ErrorMessage(uint64_t request_id, const Status& error) {
  dht::QueryMessage reply;
  reply.kind = dht::QueryMessageKind::kError;
  reply.request_id = request_id;
  const size_t max = dht::QueryMessageLimits().max_error_bytes;
  reply.error =
      error.message().size() <= max
          ? error
          : Status::FromParts(error.code(), error.message().substr(0, max), error.position());
  return reply;
}

// Sends the pieces the window admits.
void SendPieces(Self self, const Key& key) {
  auto& st = self->state;
  auto it = st.serving.find(key);
  if (it == st.serving.end()) return;
  QueryPlannerState::Serving& serving = it->second;
  while (serving.sent < serving.pieces.size() &&
         serving.sent - serving.acked < st.options.piece_window) {
    SendMessage(self, key.first, "", serving.pieces[serving.sent++]);
  }
  // The last piece is not acknowledged: once it is on its way, nothing is left to do.
  if (serving.sent == serving.pieces.size()) st.serving.erase(it);
}

// Replies ERROR for the fragment `key`, unless it was cancelled meanwhile.
void ServingFailed(Self self, const Key& key, const Status& error) {
  auto it = self->state.serving.find(key);
  if (it == self->state.serving.end()) return;
  self->state.serving.erase(it);
  SendMessage(self, key.first, "", ErrorMessage(key.second, error));
}

void Serve(Self self, const NodeId& from, const dht::QueryMessage& fragment) {
  auto& st = self->state;
  const Key key{from, fragment.request_id};
  if (st.serving.count(key)) return;  // a duplicate
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  st.serving.emplace(key, QueryPlannerState::Serving{cancel, {}, 0, 0});
  GatherJoinedChunks(
      self, fragment.data,
      [=, manifest_id = fragment.manifest_id,
       request = fragment.data](Result<std::shared_ptr<const store::ChunkStore>> gathered) {
        if (!self->state.serving.count(key)) return;  // cancelled meanwhile
        if (!gathered.ok()) return ServingFailed(self, key, gathered.status());
        FragmentJob job{nullptr, manifest_id, request, cancel, std::move(gathered).value()};
        self->request(self->state.executor, caf::infinite, run_atom::value, std::move(job))
            .then(
                [=](Bytes& partial) {
                  auto it = self->state.serving.find(key);
                  if (it == self->state.serving.end()) return;  // cancelled meanwhile
                  it->second.pieces = dht::PartialPieces(key.second, partial);
                  SendPieces(self, key);
                },
                [=](caf::error& error) { ServingFailed(self, key, ToStatus(error)); });
      });
}

}  // namespace

void OnServingMessage(Self self, const NodeId& from, const dht::QueryMessage& message) {
  auto& st = self->state;
  const Key key{from, message.request_id};
  switch (message.kind) {
    case dht::QueryMessageKind::kFragment:
      Serve(self, from, message);
      return;
    case dht::QueryMessageKind::kCancel:
      if (auto it = st.serving.find(key); it != st.serving.end()) {
        it->second.cancel->store(true);
        st.serving.erase(it);
      }
      return;
    case dht::QueryMessageKind::kAck:
      if (auto it = st.serving.find(key); it != st.serving.end()) {
        QueryPlannerState::Serving& serving = it->second;
        // Only the oldest unacknowledged piece may be acknowledged: pieces travel in order.
        if (message.piece != serving.acked || serving.acked >= serving.sent) return;
        ++serving.acked;
        SendPieces(self, key);
      }
      return;
    default:
      return;
  }
}

void StopServing(Self self, const NodeId& peer) {
  auto& st = self->state;
  for (auto it = st.serving.lower_bound({peer, 0});
       it != st.serving.end() && it->first.first == peer;) {
    it->second.cancel->store(true);
    it = st.serving.erase(it);
  }
}

}  // namespace lake::actors::planner
