#include "dht/push_queue.h"

#include <algorithm>

namespace lake::dht {

PushQueue::JobId PushQueue::Add(std::vector<Push> pushes) {
  const JobId id = next_job_++;
  Job& job = jobs_[id];
  job.result.job = id;
  job.result.acked.assign(pushes.size(), false);
  job.open = pushes.size();
  for (size_t i = 0; i < pushes.size(); ++i) peers_[pushes[i].to].waiting.push_back({id, i});
  job.result.pushes = std::move(pushes);
  if (job.open == 0) {
    finished_.push_back(std::move(job.result));
    jobs_.erase(id);
  }
  return id;
}

std::vector<PushQueue::Outgoing> PushQueue::TakeSendable(TimePoint now) {
  std::vector<Outgoing> out;
  for (auto& [peer, queue] : peers_) {
    while (queue.in_flight < options_.window && !queue.waiting.empty()) {
      const PushRef ref = queue.waiting.front();
      queue.waiting.pop_front();
      const uint64_t request_id = next_request_++;
      in_flight_.emplace(request_id, InFlight{ref, peer, now + options_.timeout});
      ++queue.in_flight;
      out.push_back(Outgoing{request_id, jobs_.at(ref.job).result.pushes[ref.index]});
    }
  }
  std::erase_if(peers_, [](const auto& entry) {
    return entry.second.waiting.empty() && entry.second.in_flight == 0;
  });
  return out;
}

void PushQueue::OnAck(const NodeId& from, uint64_t request_id, bool ok) {
  auto it = in_flight_.find(request_id);
  if (it == in_flight_.end() || it->second.to != from) return;
  const InFlight done = it->second;
  in_flight_.erase(it);
  --peers_[from].in_flight;
  Resolve(done.ref, ok);
}

void PushQueue::OnPeerFailed(const NodeId& peer) {
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    if (it->second.to == peer) {
      Resolve(it->second.ref, false);
      it = in_flight_.erase(it);
    } else {
      ++it;
    }
  }
  auto queue = peers_.find(peer);
  if (queue == peers_.end()) return;
  const std::deque<PushRef> waiting = std::move(queue->second.waiting);
  peers_.erase(queue);
  for (const PushRef& ref : waiting) Resolve(ref, false);
}

void PushQueue::OnTimer(TimePoint now) {
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    if (it->second.deadline <= now) {
      --peers_[it->second.to].in_flight;
      Resolve(it->second.ref, false);
      it = in_flight_.erase(it);
    } else {
      ++it;
    }
  }
}

std::vector<PushQueue::JobResult> PushQueue::TakeFinished() {
  std::vector<JobResult> out;
  out.swap(finished_);
  return out;
}

TimePoint PushQueue::NextDeadline() const {
  TimePoint next = TimePoint::max();
  for (const auto& [request_id, push] : in_flight_) next = std::min(next, push.deadline);
  return next;
}

size_t PushQueue::queued() const {
  size_t n = 0;
  for (const auto& [peer, queue] : peers_) n += queue.waiting.size();
  return n;
}

void PushQueue::Resolve(const PushRef& ref, bool acked) {
  auto it = jobs_.find(ref.job);
  if (it == jobs_.end()) return;
  Job& job = it->second;
  job.result.acked[ref.index] = acked;
  if (--job.open == 0) {
    finished_.push_back(std::move(job.result));
    jobs_.erase(it);
  }
}

}  // namespace lake::dht
