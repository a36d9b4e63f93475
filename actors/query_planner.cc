#include "actors/query_planner.h"

#include <spdlog/spdlog.h>

#include "actors/errors.h"
#include "actors/planner_ops.h"

namespace lake::actors {
namespace planner {

void SendMessage(Self self, const NodeId& to, const std::string& address,
                 const dht::QueryMessage& message) {
  if (!self->state.transport) return;
  caf::anon_send(self->state.transport, send_atom::value, to, address,
                 dht::EncodeQueryMessage(message));
}

void FetchMissing(Self self, const local::GatherPlan& plan, const std::string& purpose,
                  FetchedThen then) {
  auto& st = self->state;
  if (plan.missing.empty()) return then(std::shared_ptr<const store::ChunkStore>());
  if (plan.missing_bytes > st.options.max_gather_bytes) {
    // Whole MiB, rounded up.
    const auto mib = [](uint64_t n) { return std::to_string((n + (uint64_t{1} << 20) - 1) >> 20); };
    return then(Status::ResourceExhausted(
        "the query needs " + mib(plan.missing_bytes) +
        " MiB of chunks held by other nodes gathered here, more than analytics.maxGatherBytes "
        "allows (" +
        mib(st.options.max_gather_bytes) + " MiB)"));
  }
  std::vector<ChunkId> ids = plan.MissingIds();
  spdlog::info("{}: fetching {} chunks ({} bytes) held by other nodes", purpose, ids.size(),
               plan.missing_bytes);
  self->request(st.keeper, caf::infinite, fetch_atom::value, std::move(ids))
      .then([then](std::shared_ptr<const store::ChunkStore>& chunks) { then(std::move(chunks)); },
            [then](caf::error& error) { then(ToStatus(error)); });
}

void GatherJoinedChunks(Self self, const Bytes& request, FetchedThen then) {
  Result<local::GatherPlan> plan = local::PlanFragmentGather(*self->state.store, request);
  if (!plan.ok()) return then(plan.status());
  FetchMissing(self, *plan, "a broadcast join's fragment", std::move(then));
}

}  // namespace planner

QueryPlannerActor::behavior_type QueryPlanner(
    QueryPlannerActor::stateful_pointer<QueryPlannerState> self, QueryPlannerOptions options,
    NodeId self_id, std::shared_ptr<store::ChunkStore> store, QueryExecutorActor executor,
    ChunkKeeperActor keeper) {
  auto& st = self->state;
  st.options = options;
  st.self_id = self_id;
  st.store = std::move(store);
  st.executor = std::move(executor);
  st.keeper = std::move(keeper);
  st.cache = std::make_unique<local::ResultCache>(options.result_cache_bytes);
  return {
      [=](attach_atom, const TransportActor& transport, const DhtRouterActor& router) {
        self->state.transport = transport;
        self->state.router = router;
      },
      [=](deliver_atom, const NodeId& from, const Bytes& payload) {
        // Done with these bytes once this returns (pieces are copied into their partial
        // result): the transport may read more from `from`. Flow is bounded by the ACKs.
        caf::anon_send(self->state.transport, consumed_atom::value, from,
                       static_cast<uint64_t>(payload.size()));
        Result<dht::QueryMessage> message = dht::DecodeQueryMessage(payload);
        if (!message.ok()) {
          // Authenticated but malformed: that peer's session is not to be trusted further.
          spdlog::warn("query: malformed message from {}: {}", from.ShortHex(),
                       message.status().ToString());
          if (self->state.transport) {
            caf::anon_send(self->state.transport, close_atom::value, from);
          }
          planner::OnPeerLost(self, from);
          return;
        }
        switch (message->kind) {
          case dht::QueryMessageKind::kPartial:
          case dht::QueryMessageKind::kError:
            planner::OnAnswer(self, from, std::move(message).value());
            return;
          case dht::QueryMessageKind::kFragment:
          case dht::QueryMessageKind::kCancel:
          case dht::QueryMessageKind::kAck:
            planner::OnServingMessage(self, from, *message);
            return;
        }
      },
      [=](unreach_atom, const NodeId& peer) {
        planner::OnPeerLost(self, peer);
        planner::StopServing(self, peer);
      },
      [=](tick_atom) { planner::OnTick(self); },
      [=](query_atom, QueryRequest& request) -> caf::result<QueryAnswer> {
        return planner::StartQuery(self, std::move(request));
      },
      [=](status_atom) {
        const auto& st = self->state;
        PlannerStatus status;
        status.queries_running = st.queries.size() - st.waiting.size();
        status.queries_waiting = st.waiting.size();
        status.fragments_serving = st.serving.size();
        if (st.cache) {
          status.cached_answers = st.cache->entries();
          status.cached_bytes = st.cache->bytes();
        }
        return status;
      },
  };
}

}  // namespace lake::actors
