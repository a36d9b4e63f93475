// ScatterGather: the distributed half of one SELECT as a sans-I/O state machine. Given the chunks
// the query must read (after zone-map pruning) with the live replicas of each, it decides which
// holder scans which chunk, one fragment per holder, and gathers one partial result per fragment
// so that every chunk is counted exactly once. A holder that errors or misses its deadline is
// failed for the rest of the query: its fragments are abandoned (their late answers discarded)
// and their chunks sent again to other replicas. The query fails naming the chunks no replica
// could scan, never with a silently partial answer, unless the caller allows a partial one.
// Owned by whoever drives the query (the planner actor, the simulator, tests): it sends the
// fragments, reports answers, failures and timer ticks with `now`, and merges Finish()'s partials
// with Engine::MergeFragments. No clock, no I/O. Thread-safety: not thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/id.h"
#include "common/result.h"

namespace lake::sql {

class ScatterGather {
 public:
  struct Chunk {
    size_t index = 0;  // in the table's chunk list: what a fragment request names
    ChunkId id;
    uint64_t rows = 0;
    std::vector<NodeId> replicas;  // live holders, closest first; may include self
  };
  struct Options {
    Duration fragment_timeout = std::chrono::seconds(10);  // from sending to the answer
    size_t max_attempts_per_chunk = 3;  // fragments one chunk may be sent in, >= 1
    bool allow_partial = false;         // Finish answers with what was reachable
  };
  // A fragment to send now: `holder` scans `chunks` (table chunk indexes, ascending) and answers
  // with a partial result carrying `request_id`, before `deadline`.
  struct Fragment {
    uint64_t request_id = 0;
    NodeId holder;
    std::vector<size_t> chunks;
    TimePoint deadline;
  };
  struct Stats {
    size_t fragments_sent = 0;
    size_t fragments_retried = 0;  // of those, sent to take over failed fragments' chunks
    size_t fragments_failed = 0;   // errors, timeouts, and the other fragments of failed holders
    size_t replies_ignored = 0;    // late, duplicate, unknown, or from another node
    size_t nodes_contacted = 0;    // distinct holders sent a fragment, self included
  };
  struct Outcome {
    std::vector<Bytes> partials;        // one per accepted fragment, in order of its first chunk
    std::vector<uint64_t> request_ids;  // of those fragments, in the same order
    std::vector<size_t> missing;        // chunk indexes not covered, ascending (only if allowed)
    uint64_t rows_covered = 0;
    uint64_t rows_total = 0;
  };

  // REQUIRES: chunk indexes distinct; options.max_attempts_per_chunk >= 1.
  ScatterGather(const NodeId& self, std::vector<Chunk> chunks, Options options);

  // The first assignment, one fragment per holder (peers' first, this node's last, so a driver
  // that runs its own fragment inline has sent the others before it starts).
  // The balance rule, also used for retries: chunks are placed one at a time, the most
  // constrained first (fewest candidate holders, then most rows, then lowest index). Each goes to
  // the candidate given the fewest rows so far in this query; on a tie this node wins, then the
  // closer replica. So this node comes first only among equals: a query over one chunk it holds
  // never leaves it, and with k holders that each hold every chunk, each scans within one chunk
  // of 1/k of the rows, this node taking the larger share of a remainder. Scanning costs the
  // same wherever it runs and the root merges too, so locality is worth no more than that.
  // A candidate is a replica not failed in this query while the chunk has attempts left; a
  // chunk without one fails for good (one with no replica at all, at once).
  // REQUIRES: called once, first.
  std::vector<Fragment> Start(TimePoint now);

  // `from`'s partial result for `request_id`. Accepted (true) only while that fragment is
  // outstanding and `from` is its holder; a late, duplicate or unknown answer is discarded whole.
  bool OnPartial(uint64_t request_id, const NodeId& from, Bytes partial);
  // `from` could not answer `request_id`: its error reply, or the peer is unreachable. An
  // InvalidArgument `error` is the statement's own failure on the data (a division by zero), the
  // same on every replica since chunks are content-addressed: the query fails with it. Any other
  // code fails the holder (all its outstanding fragments) and returns the fragments that take
  // over their chunks. Ignored (nothing returned) unless the fragment is outstanding to `from`.
  std::vector<Fragment> OnFailure(uint64_t request_id, const NodeId& from, const Status& error,
                                  TimePoint now);
  // Fails the holders of fragments whose deadline is at or before `now`, as OnFailure does.
  std::vector<Fragment> OnTimer(TimePoint now);

  // Every chunk covered or failed for good (or the statement failed): time to Finish.
  bool done() const;
  // The earliest deadline outstanding (to arm a timer); TimePoint::max() if none.
  TimePoint NextDeadline() const;
  // Chunk indexes not covered so far (failed for good, or still pending), ascending.
  std::vector<size_t> MissingChunks() const;
  const Stats& stats() const { return stats_; }

  // The partials to merge (each chunk in exactly one), or the error: the statement's own, or,
  // unless allow_partial, one naming the chunks not covered: Unavailable when every replica of
  // them failed, Timeout when called before done() with chunks still pending (a query deadline).
  // Outstanding fragments are abandoned. REQUIRES: called at most once.
  Result<Outcome> Finish();

 private:
  enum class ChunkState { kPending, kCovered, kFailed };
  enum class FragmentState { kOutstanding, kAnswered, kFailed };
  struct ChunkProgress {
    ChunkState state = ChunkState::kPending;
    size_t attempts = 0;  // fragments sent with this chunk
  };
  struct SentFragment {
    NodeId holder;
    std::vector<size_t> positions;  // into chunks_, ascending table index
    TimePoint deadline;
    FragmentState state = FragmentState::kOutstanding;
    Bytes partial;
  };

  // Gives each of `positions` (into chunks_) to one holder and returns one fragment per holder.
  std::vector<Fragment> Assign(std::vector<size_t> positions, TimePoint now, bool retry);
  // Marks `holder` failed and its outstanding fragments failed; appends their chunks' positions.
  void FailHolder(const NodeId& holder, std::vector<size_t>* orphaned);
  // The outstanding fragment `request_id` held by `from`, or null (counted as ignored).
  SentFragment* Outstanding(uint64_t request_id, const NodeId& from);

  // Immutable after construction
  const NodeId self_;
  const std::vector<Chunk> chunks_;
  const Options options_;

  // Mutable state
  std::vector<ChunkProgress> progress_;         // by position in chunks_
  size_t pending_ = 0;                          // chunks neither covered nor failed
  std::map<uint64_t, SentFragment> fragments_;  // by request id
  std::map<NodeId, uint64_t> load_;             // rows given to each holder
  std::set<NodeId> failed_holders_;
  std::set<NodeId> contacted_;
  Status statement_error_;  // set by an InvalidArgument failure
  bool finished_ = false;
  uint64_t next_request_id_ = 1;
  Stats stats_;
};

}  // namespace lake::sql
