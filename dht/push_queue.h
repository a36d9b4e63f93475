// PushQueue: flow control for the objects a keeper pushes to its peers, sans I/O. Pushes come
// in jobs (one upload's chunks, one repair round's copies). Each peer has a window of pushes in
// flight: the next push to that peer waits for an ack, so a slow peer slows only its own
// pushes and nothing piles up in the transport. A push that is refused, times out, or goes to a
// peer that failed is reported failed in its job's result; the queue never retries (the job
// decides: an upload fails if a chunk misses its quorum, repair tries again next round).
// Thread-safety: none; the keeper actor owns it.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include "common/clock.h"
#include "common/id.h"
#include "dht/chunk_messages.h"

namespace lake::dht {

class PushQueue {
 public:
  struct Options {
    size_t window = 4;                            // pushes in flight per peer
    Duration timeout = std::chrono::seconds(30);  // from sending to its ack
  };
  struct Push {
    ObjectKind object = ObjectKind::kChunk;
    Id id;
    NodeId to;
  };
  using JobId = uint64_t;
  // A push to send now; `request_id` is what its ack will carry.
  struct Outgoing {
    uint64_t request_id = 0;
    Push push;
  };
  struct JobResult {
    JobId job = 0;
    std::vector<Push> pushes;
    std::vector<bool> acked;  // by push, in the order given to Add
  };

  explicit PushQueue(Options options) : options_(options) {}

  // Queues a job's pushes (possibly none: it finishes at once).
  JobId Add(std::vector<Push> pushes);
  // The queued pushes the windows admit now, marked in flight until `now + timeout`.
  std::vector<Outgoing> TakeSendable(TimePoint now);
  // An ack from `from` for `request_id`; ignored unless that push is in flight to `from`.
  void OnAck(const NodeId& from, uint64_t request_id, bool ok);
  // Every push in flight or queued to `peer` fails (it is unreachable).
  void OnPeerFailed(const NodeId& peer);
  // Pushes in flight past their deadline fail.
  void OnTimer(TimePoint now);
  // Jobs whose every push was acked or failed, in the order they finished.
  std::vector<JobResult> TakeFinished();

  // The earliest deadline in flight (to arm a timer); TimePoint::max() if none.
  TimePoint NextDeadline() const;
  size_t in_flight() const { return in_flight_.size(); }
  size_t queued() const;

 private:
  struct PushRef {
    JobId job;
    size_t index;
  };
  struct InFlight {
    PushRef ref;
    NodeId to;
    TimePoint deadline;
  };
  struct Job {
    JobResult result;
    size_t open = 0;  // pushes neither acked nor failed
  };
  struct PeerQueue {
    std::deque<PushRef> waiting;
    size_t in_flight = 0;
  };

  void Resolve(const PushRef& ref, bool acked);

  const Options options_;
  std::map<JobId, Job> jobs_;
  std::map<NodeId, PeerQueue> peers_;
  std::map<uint64_t, InFlight> in_flight_;  // by request id
  std::vector<JobResult> finished_;
  JobId next_job_ = 1;
  uint64_t next_request_ = 1;
};

}  // namespace lake::dht
