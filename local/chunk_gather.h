// ChunkGather: the sans-I/O core of fetching the chunks a gathered statement lacks
// (local/gathered_statement.h). Each chunk is asked of the nodes that may hold it, closest first
// (its 2R nearest among the live nodes this node knows, itself left out: a holder may not yet be
// where placement puts it), one node at a time, until one gives bytes that hash to the chunk's
// id and have a chunk's shape; at most `window` chunks are asked for at once. The caller sends
// the asks and reports each answer, or its absence (an error, a failed session, the request's
// deadline), with OnAnswer. A node keeps the chunks it fetched in a FetchedChunks cache: a gather
// takes what the cache holds without asking anyone (chunks are named by their content hash, so a
// cached one is never stale) and adds what it fetches. The keeper drives it over the network,
// the simulator on virtual time.
// Thread-safety: not thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <vector>

#include "common/bytes.h"
#include "common/id.h"
#include "common/lru_cache.h"
#include "common/status.h"
#include "store/mem_chunk_store.h"

namespace lake::local {

// Chunks fetched from other nodes, kept within a byte budget for the queries that read them next.
using FetchedChunks = LruCache<ChunkId, Bytes>;

class ChunkGather {
 public:
  // One FETCH to send: chunk `chunk`, asked of `node`.
  struct Ask {
    ChunkId chunk;
    NodeId node;
  };

  // `cache` (null: none) must outlive the gather.
  ChunkGather(std::vector<ChunkId> chunks, std::vector<NodeId> live, const NodeId& self,
              size_t replication, size_t window, FetchedChunks* cache = nullptr);

  // The first asks (none if there is nothing to fetch: then finished() already).
  std::vector<Ask> Start();
  // `node`'s answer for `chunk`: its bytes, or nullptr for none. An answer not awaited (late,
  // from a node not asked, after the end) changes nothing. Returns the asks to send next.
  std::vector<Ask> OnAnswer(const ChunkId& chunk, const NodeId& node, const Bytes* bytes);

  // Every chunk fetched, or one that no node gave.
  bool finished() const { return !status_.ok() || fetched_ == chunks_.size(); }
  // Once finished: OK, or Unavailable naming the chunk no node gave.
  const Status& status() const { return status_; }
  // The chunks fetched so far (all of them once finished with OK).
  std::shared_ptr<store::MemChunkStore> chunks() const { return store_; }

 private:
  struct Asking {
    std::vector<NodeId> sources;  // closest first
    size_t next = 0;              // sources[next - 1] is the node asked now
  };

  // Asks `asking`'s next source for `chunk`, or fails the gather if none is left.
  void AskNext(const ChunkId& chunk, Asking asking, std::vector<Ask>* asks);
  // Starts chunks while the window has room (taking those the cache holds at once).
  std::vector<Ask> Fill();
  // `chunk` is here: into the gathered store.
  void Keep(const ChunkId& chunk, const Bytes& bytes);

  const std::vector<ChunkId> chunks_;
  const std::vector<NodeId> live_;
  const NodeId self_;
  const size_t sources_per_chunk_;
  const size_t window_;
  FetchedChunks* const cache_;

  size_t started_ = 0;  // chunks_[0, started_) were asked for
  size_t fetched_ = 0;
  std::map<ChunkId, Asking> asking_;
  Status status_;
  std::shared_ptr<store::MemChunkStore> store_ = std::make_shared<store::MemChunkStore>();
};

}  // namespace lake::local
