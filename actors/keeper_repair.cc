#include "actors/keeper_ops.h"
#include "actors/node_events.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "store/catalog.h"

namespace lake::actors::keeper {
namespace {

// Pushes failed to peers that then count as dead get their chunks re-planned this many times
// within one round; anything left waits for the next round.
constexpr int kMaxPushAttempts = 3;

// Deletes held chunks that no dataset has referenced for the orphan grace: the chunks of an
// upload that failed after pushing some of them, or of a version this node learned was replaced
// while it was away. The grace lets an upload under way (its chunks arrive before its manifest)
// finish first.
void CollectOrphans(Self self, const std::vector<ChunkId>& orphans) {
  auto& st = self->state;
  const TimePoint now = Now(self);
  std::map<ChunkId, TimePoint> still_waiting;
  store::StoreBatch batch;
  uint64_t collected = 0;
  for (const ChunkId& id : orphans) {
    auto seen = st.unreferenced_since.find(id);
    const TimePoint since = seen == st.unreferenced_since.end() ? now : seen->second;
    if (now - since >= st.options.orphan_grace) {
      batch.DeleteChunk(id);
      ++collected;
    } else {
      still_waiting.emplace(id, since);
    }
  }
  st.unreferenced_since = std::move(still_waiting);
  if (collected == 0) return;
  if (Status deleted = st.store->Write(batch, store::Durability::kSync); !deleted.ok()) {
    spdlog::error("keeper: cannot collect orphaned chunks: {}", deleted.ToString());
    return;
  }
  st.counters.chunks_collected += collected;
  spdlog::info("keeper: collected {} chunks no dataset references", collected);
}

// Ends the round: drops the copies every one of the R closest confirmed, and records what is
// left for the next round.
void FinishRepair(Self self) {
  auto& st = self->state;
  const dht::RepairPlan plan = st.repair->Plan();
  if (!plan.droppable.empty()) {
    store::StoreBatch batch;
    for (const ChunkId& id : plan.droppable) batch.DeleteChunk(id);
    if (Status dropped = st.store->Write(batch, store::Durability::kSync); dropped.ok()) {
      st.counters.repair_handoffs += plan.droppable.size();
      spdlog::info("keeper: handed off {} chunks to closer nodes", plan.droppable.size());
    } else {
      spdlog::error("keeper: cannot drop handed-off chunks: {}", dropped.ToString());
    }
  }
  st.counters.repair_pending = plan.pushes.size();
  ++st.counters.repair_rounds;
  const uint64_t copies = st.counters.repair_copies - st.repair_copies_before;
  if (copies > 0 || !plan.droppable.empty()) {
    PublishEvent(
        self->system(), event_type::kReplicaRepaired,
        {{"copies", copies}, {"handoffs", plan.droppable.size()}, {"pending", plan.pushes.size()}});
  }
  st.repair.reset();
}

// Pushes what the plan says, within the round's byte budget; re-plans while pushes fail.
void PushRepairs(Self self) {
  auto& st = self->state;
  const dht::RepairPlan plan = st.repair->Plan();
  const double interval_s = std::chrono::duration<double>(st.options.repair_interval).count();
  uint64_t budget = static_cast<uint64_t>(st.options.repair_bytes_per_second * interval_s);
  std::vector<dht::PushQueue::Push> pushes;
  for (const dht::RepairPlan::Push& push : plan.pushes) {
    auto size = st.repair_sizes.find(push.chunk);
    const uint64_t bytes = size == st.repair_sizes.end() ? st.options.chunk_bytes : size->second;
    if (!pushes.empty() && bytes > budget) break;  // the rest waits for the next round
    budget -= std::min(budget, bytes);
    pushes.push_back({dht::ObjectKind::kChunk, push.chunk, push.to});
  }
  st.counters.repair_pending = plan.pushes.size();
  if (pushes.empty()) return FinishRepair(self);
  const dht::PushQueue::JobId job = st.pushes->Add(std::move(pushes));
  st.on_pushed.emplace(job, [self](const dht::PushQueue::JobResult& result) {
    auto& st = self->state;
    if (!st.repair) return;
    bool failed = false;
    for (size_t i = 0; i < result.pushes.size(); ++i) {
      const dht::PushQueue::Push& push = result.pushes[i];
      if (result.acked[i]) {
        st.repair->OnPushed(push.id, push.to);
        ++st.counters.repair_copies;
      } else {
        st.repair->OnPeerFailed(push.to);
        failed = true;
      }
    }
    if (failed && ++st.repair_attempt < kMaxPushAttempts) return PushRepairs(self);
    FinishRepair(self);
  });
  FlushPushes(self);
}

}  // namespace

void StartRepair(Self self) {
  if (self->state.repair) return;
  WithFreshContacts(
      self,
      [self] {
        auto& st = self->state;
        if (st.repair) return;
        Result<std::vector<ChunkId>> held = st.store->ListChunks();
        Result<std::vector<store::Manifest>> manifests = store::ListManifests(*st.store);
        if (!held.ok() || !manifests.ok()) {
          spdlog::error("keeper: repair cannot read the store: {}",
                        (held.ok() ? manifests.status() : held.status()).ToString());
          return;
        }
        st.repair_sizes.clear();
        for (const store::Manifest& m : *manifests) {
          for (const store::ChunkRef& ref : m.chunks) st.repair_sizes[ref.id] = ref.bytes;
        }
        std::vector<ChunkId> referenced;
        std::vector<ChunkId> orphans;
        for (const ChunkId& id : *held) {
          (st.repair_sizes.count(id) ? referenced : orphans).push_back(id);
        }
        CollectOrphans(self, orphans);
        st.repair = std::make_unique<dht::RepairRound>(SelfId(self), std::move(referenced),
                                                       LiveNodes(self), st.options.replication);
        st.repair_attempt = 0;
        st.repair_copies_before = st.counters.repair_copies;
        if (st.repair->complete()) return PushRepairs(self);
        for (const auto& [peer, ids] : st.repair->queries()) {
          AskHave(self, peer, ids, [self, peer](const std::vector<bool>* have) {
            auto& st = self->state;
            if (!st.repair) return;
            if (have == nullptr) {
              st.repair->OnPeerFailed(peer);
            } else {
              st.repair->OnHaveReply(peer, *have);
            }
            if (st.repair->complete()) PushRepairs(self);
          });
        }
      },
      [](const caf::error&) {});
}

}  // namespace lake::actors::keeper
