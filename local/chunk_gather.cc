#include "local/chunk_gather.h"

#include <algorithm>
#include <string>
#include <utility>

#include "common/hash.h"
#include "dht/placement.h"
#include "store/chunk_codec.h"

namespace lake::local {

ChunkGather::ChunkGather(std::vector<ChunkId> chunks, std::vector<NodeId> live, const NodeId& self,
                         size_t replication, size_t window, FetchedChunks* cache)
    : chunks_(std::move(chunks)),
      live_(std::move(live)),
      self_(self),
      sources_per_chunk_(2 * replication),
      window_(std::max<size_t>(1, window)),
      cache_(cache) {}

std::vector<ChunkGather::Ask> ChunkGather::Start() { return Fill(); }

std::vector<ChunkGather::Ask> ChunkGather::Fill() {
  std::vector<Ask> asks;
  while (status_.ok() && asking_.size() < window_ && started_ < chunks_.size()) {
    const ChunkId& chunk = chunks_[started_++];
    if (const Bytes* cached = cache_ != nullptr ? cache_->Find(chunk) : nullptr) {
      Keep(chunk, *cached);
      continue;
    }
    // One more than wanted: this node may be among the closest, and is not asked.
    std::vector<NodeId> sources = dht::ClosestNodes(chunk, live_, sources_per_chunk_ + 1);
    std::erase(sources, self_);
    if (sources.size() > sources_per_chunk_) sources.resize(sources_per_chunk_);
    AskNext(chunk, Asking{std::move(sources), 0}, &asks);
  }
  return asks;
}

void ChunkGather::AskNext(const ChunkId& chunk, Asking asking, std::vector<Ask>* asks) {
  if (asking.next == asking.sources.size()) {
    asking_.erase(chunk);
    status_ = Status::Unavailable("chunk " + chunk.ToHex() + ": none of the " +
                                  std::to_string(asking.sources.size()) +
                                  " nodes that may hold it gave it");
    return;
  }
  asks->push_back(Ask{chunk, asking.sources[asking.next++]});
  asking_[chunk] = std::move(asking);
}

std::vector<ChunkGather::Ask> ChunkGather::OnAnswer(const ChunkId& chunk, const NodeId& node,
                                                    const Bytes* bytes) {
  auto it = asking_.find(chunk);
  if (finished() || it == asking_.end() || it->second.sources[it->second.next - 1] != node) {
    return {};
  }
  // Bytes from a peer are checked where they enter: their id, and a chunk's shape (the scans
  // check each column as they decode it).
  const bool usable =
      bytes != nullptr && Blake2b256(*bytes) == chunk && store::SplitChunkColumns(*bytes).ok();
  if (!usable) {
    std::vector<Ask> asks;
    AskNext(chunk, std::move(it->second), &asks);
    return asks;
  }
  asking_.erase(it);
  if (cache_ != nullptr) cache_->Insert(chunk, *bytes, bytes->size());
  Keep(chunk, *bytes);
  return Fill();
}

void ChunkGather::Keep(const ChunkId& chunk, const Bytes& bytes) {
  if (Status put = store_->PutChunk(chunk, bytes); !put.ok()) {
    status_ = put;
    return;
  }
  ++fetched_;
}

}  // namespace lake::local
