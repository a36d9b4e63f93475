// FragmentHost: a chunk holder's side of a distributed query. It runs a fragment request (the
// statement and the chunk indexes of sql/fragment_codec.h) against the exact dataset version the
// planner pinned, named by its manifest id, over the chunks this node's store keeps, and returns
// the encoded partial result. A holder that lacks that version or one of the chunks answers
// NotFound before scanning anything, so the planner tries another replica: only the statement's
// own failures (InvalidArgument) are the same on every replica.
// Owned by whoever serves fragments (the node's query executor, a simulated node). Decoded
// manifests are kept for the fragments that follow (a query sends several; they are immutable).
// Thread-safety: one call at a time; scans fan out on the runner.
#pragma once

#include <atomic>
#include <map>
#include <memory>

#include "common/bytes.h"
#include "common/id.h"
#include "common/result.h"
#include "common/task_runner.h"
#include "sql/partial_result.h"
#include "store/chunk_store.h"
#include "store/column_cache.h"
#include "store/manifest.h"

namespace lake::local {

class FragmentHost {
 public:
  // REQUIRES: `store`, `cache` (null: no caching) and `runner` outlive this object.
  FragmentHost(const store::ChunkStore& store, store::ColumnCache* cache, TaskRunner* runner)
      : store_(store), cache_(cache), runner_(runner) {}

  // Runs `request` (untrusted bytes) over the version whose manifest id is `manifest_id`. A
  // broadcast join's fragment (one whose request names versions it joins with) reads their
  // chunks from `gathered` (null: none) or this node's store: the holder gathers those it lacks
  // first (local/gathered_statement.h's PlanJoinGather says which).
  // Errors: NotFound naming a manifest or the first chunk not held here (nor gathered);
  // Corruption for a malformed request or a chunk index past the manifest's; the statement's own
  // errors (InvalidArgument); Timeout once `*cancel` is set (null: not cancellable).
  Result<Bytes> Run(const Id& manifest_id, ByteView request, const std::atomic<bool>* cancel,
                    const store::ChunkStore* gathered = nullptr);
  // The same over a manifest the caller holds.
  Result<Bytes> Run(const store::Manifest& manifest, ByteView request,
                    const std::atomic<bool>* cancel, const store::ChunkStore* gathered = nullptr);
  // The same, the partial result not encoded (the planner's own share of its query).
  Result<sql::PartialResult> RunPartial(const store::Manifest& manifest, ByteView request,
                                        const std::atomic<bool>* cancel,
                                        const store::ChunkStore* gathered = nullptr);

 private:
  // The manifest `id` from the store, decoded once.
  Result<std::shared_ptr<const store::Manifest>> Manifest(const Id& id);

  const store::ChunkStore& store_;
  store::ColumnCache* const cache_;
  TaskRunner* const runner_;
  std::map<Id, std::shared_ptr<const store::Manifest>> manifests_;  // a few recent ones
};

}  // namespace lake::local
