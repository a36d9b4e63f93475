#include "sql/scatter_gather.h"

#include <algorithm>
#include <cassert>
#include <string>
#include <tuple>

namespace lake::sql {
namespace {

// What scanning a chunk costs a holder, for balancing: its rows, and at least one (an empty
// chunk still costs a read).
uint64_t Weight(const ScatterGather::Chunk& chunk) { return std::max<uint64_t>(chunk.rows, 1); }

// "chunk 4 (<hex id>), chunk 7 (...)", at most kNamed of them, then how many more.
std::string NameChunks(const std::vector<const ScatterGather::Chunk*>& chunks) {
  constexpr size_t kNamed = 8;
  std::string text;
  for (size_t i = 0; i < chunks.size() && i < kNamed; ++i) {
    if (i > 0) text += ", ";
    text += "chunk " + std::to_string(chunks[i]->index) + " (" + chunks[i]->id.ToHex() + ")";
  }
  if (chunks.size() > kNamed) text += " and " + std::to_string(chunks.size() - kNamed) + " more";
  return text;
}

}  // namespace

ScatterGather::ScatterGather(const NodeId& self, std::vector<Chunk> chunks, Options options)
    : self_(self),
      chunks_(std::move(chunks)),
      options_(options),
      progress_(chunks_.size()),
      pending_(chunks_.size()) {
  assert(options_.max_attempts_per_chunk >= 1);
}

std::vector<ScatterGather::Fragment> ScatterGather::Start(TimePoint now) {
  std::vector<size_t> all(chunks_.size());
  for (size_t p = 0; p < all.size(); ++p) all[p] = p;
  return Assign(std::move(all), now, /*retry=*/false);
}

// The balance rule of Start (sql/scatter_gather.h), also used for retries.
std::vector<ScatterGather::Fragment> ScatterGather::Assign(std::vector<size_t> positions,
                                                           TimePoint now, bool retry) {
  auto candidates = [&](size_t p) {
    std::vector<const NodeId*> out;
    if (progress_[p].attempts >= options_.max_attempts_per_chunk) return out;
    for (const NodeId& node : chunks_[p].replicas) {
      if (failed_holders_.count(node) == 0) out.push_back(&node);
    }
    return out;
  };
  // Most constrained first; then largest first, which keeps a greedy fill even.
  struct Key {
    size_t candidates;
    uint64_t weight;
    size_t index;
    size_t position;
  };
  std::vector<Key> keys;
  for (size_t p : positions) {
    keys.push_back({candidates(p).size(), Weight(chunks_[p]), chunks_[p].index, p});
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    if (a.candidates != b.candidates) return a.candidates < b.candidates;
    if (a.weight != b.weight) return a.weight > b.weight;
    return a.index < b.index;
  });

  std::map<NodeId, std::vector<size_t>> given;  // holder -> positions
  for (const Key& key : keys) {
    const size_t p = key.position;
    const NodeId* best = nullptr;
    for (const NodeId* node : candidates(p)) {  // closest first: strict < keeps the closer
      if (best == nullptr || load_[*node] < load_[*best] ||
          (load_[*node] == load_[*best] && *node == self_ && *best != self_)) {
        best = node;
      }
    }
    if (best == nullptr) {
      progress_[p].state = ChunkState::kFailed;
      --pending_;
      continue;
    }
    ++progress_[p].attempts;
    load_[*best] += Weight(chunks_[p]);
    given[*best].push_back(p);
  }

  std::vector<Fragment> out;
  for (auto& [holder, held] : given) {
    std::sort(held.begin(), held.end(),
              [&](size_t a, size_t b) { return chunks_[a].index < chunks_[b].index; });
    const uint64_t request_id = next_request_id_++;
    SentFragment& sent = fragments_[request_id];
    sent.holder = holder;
    sent.positions = held;
    sent.deadline = now + options_.fragment_timeout;
    Fragment fragment{request_id, holder, {}, sent.deadline};
    for (size_t p : held) fragment.chunks.push_back(chunks_[p].index);
    out.push_back(std::move(fragment));
    contacted_.insert(holder);
    ++stats_.fragments_sent;
    stats_.fragments_retried += retry;
  }
  // Peers' fragments first, this node's last: a driver that runs its own fragment inline has
  // sent the others before it starts. Otherwise in order of their first chunk.
  std::sort(out.begin(), out.end(), [&](const Fragment& a, const Fragment& b) {
    return std::make_tuple(a.holder == self_, a.chunks.front()) <
           std::make_tuple(b.holder == self_, b.chunks.front());
  });
  stats_.nodes_contacted = contacted_.size();
  return out;
}

ScatterGather::SentFragment* ScatterGather::Outstanding(uint64_t request_id, const NodeId& from) {
  auto it = fragments_.find(request_id);
  if (done() || it == fragments_.end() || it->second.state != FragmentState::kOutstanding ||
      it->second.holder != from) {
    ++stats_.replies_ignored;
    return nullptr;
  }
  return &it->second;
}

bool ScatterGather::OnPartial(uint64_t request_id, const NodeId& from, Bytes partial) {
  SentFragment* fragment = Outstanding(request_id, from);
  if (fragment == nullptr) return false;
  fragment->state = FragmentState::kAnswered;
  fragment->partial = std::move(partial);
  for (size_t p : fragment->positions) progress_[p].state = ChunkState::kCovered;
  pending_ -= fragment->positions.size();
  return true;
}

void ScatterGather::FailHolder(const NodeId& holder, std::vector<size_t>* orphaned) {
  failed_holders_.insert(holder);
  for (auto& [id, fragment] : fragments_) {
    if (fragment.holder != holder || fragment.state != FragmentState::kOutstanding) continue;
    fragment.state = FragmentState::kFailed;
    ++stats_.fragments_failed;
    orphaned->insert(orphaned->end(), fragment.positions.begin(), fragment.positions.end());
  }
}

std::vector<ScatterGather::Fragment> ScatterGather::OnFailure(uint64_t request_id,
                                                              const NodeId& from,
                                                              const Status& error, TimePoint now) {
  SentFragment* fragment = Outstanding(request_id, from);
  if (fragment == nullptr) return {};
  if (error.IsInvalidArgument()) {
    statement_error_ = error;
    return {};
  }
  std::vector<size_t> orphaned;
  FailHolder(from, &orphaned);
  return Assign(std::move(orphaned), now, /*retry=*/true);
}

std::vector<ScatterGather::Fragment> ScatterGather::OnTimer(TimePoint now) {
  if (done()) return {};
  // Every late holder fails before any chunk moves, so none moves onto another late holder.
  std::set<NodeId> late;
  for (const auto& [id, fragment] : fragments_) {
    if (fragment.state == FragmentState::kOutstanding && fragment.deadline <= now) {
      late.insert(fragment.holder);
    }
  }
  std::vector<size_t> orphaned;
  for (const NodeId& holder : late) FailHolder(holder, &orphaned);
  return Assign(std::move(orphaned), now, /*retry=*/true);
}

bool ScatterGather::done() const { return finished_ || !statement_error_.ok() || pending_ == 0; }

TimePoint ScatterGather::NextDeadline() const {
  TimePoint next = TimePoint::max();
  if (done()) return next;
  for (const auto& [id, fragment] : fragments_) {
    if (fragment.state == FragmentState::kOutstanding) next = std::min(next, fragment.deadline);
  }
  return next;
}

std::vector<size_t> ScatterGather::MissingChunks() const {
  std::vector<size_t> missing;
  for (size_t p = 0; p < chunks_.size(); ++p) {
    if (progress_[p].state != ChunkState::kCovered) missing.push_back(chunks_[p].index);
  }
  std::sort(missing.begin(), missing.end());
  return missing;
}

Result<ScatterGather::Outcome> ScatterGather::Finish() {
  assert(!finished_);
  finished_ = true;
  if (!statement_error_.ok()) return statement_error_;

  Outcome outcome;
  std::vector<const Chunk*> failed, pending;
  for (size_t p = 0; p < chunks_.size(); ++p) {
    outcome.rows_total += chunks_[p].rows;
    switch (progress_[p].state) {
      case ChunkState::kCovered:
        outcome.rows_covered += chunks_[p].rows;
        break;
      case ChunkState::kFailed:
        failed.push_back(&chunks_[p]);
        break;
      case ChunkState::kPending:
        pending.push_back(&chunks_[p]);
        break;
    }
  }
  if (!options_.allow_partial && (!failed.empty() || !pending.empty())) {
    auto by_index = [](const Chunk* a, const Chunk* b) { return a->index < b->index; };
    std::sort(failed.begin(), failed.end(), by_index);
    std::sort(pending.begin(), pending.end(), by_index);
    std::string message = std::to_string(failed.size() + pending.size()) + " of " +
                          std::to_string(chunks_.size()) + " chunks not scanned (" +
                          std::to_string(outcome.rows_total - outcome.rows_covered) + " of " +
                          std::to_string(outcome.rows_total) + " rows)";
    if (!failed.empty()) message += "; every replica failed for " + NameChunks(failed);
    if (!pending.empty()) message += "; still pending at the deadline: " + NameChunks(pending);
    return pending.empty() ? Status::Unavailable(message) : Status::Timeout(message);
  }

  std::vector<std::pair<uint64_t, SentFragment*>> answered;
  for (auto& [id, fragment] : fragments_) {
    if (fragment.state == FragmentState::kAnswered) answered.emplace_back(id, &fragment);
  }
  std::sort(answered.begin(), answered.end(), [&](const auto& a, const auto& b) {
    return chunks_[a.second->positions.front()].index < chunks_[b.second->positions.front()].index;
  });
  for (auto& [id, fragment] : answered) {
    outcome.partials.push_back(std::move(fragment->partial));
    outcome.request_ids.push_back(id);
  }
  outcome.missing = MissingChunks();
  return outcome;
}

}  // namespace lake::sql
