// PushQueue: per-peer windows, acks, timeouts, peer failure and job results, driven by hand.
#include "dht/push_queue.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <vector>

namespace lake::dht {
namespace {

using std::chrono::seconds;

NodeId Peer(uint8_t n) {
  std::array<uint8_t, 32> bytes{};
  bytes[0] = n;
  return NodeId(bytes);
}

Id Object(uint32_t n) {
  std::array<uint8_t, 32> bytes{};
  bytes[28] = static_cast<uint8_t>(n >> 24);
  bytes[29] = static_cast<uint8_t>(n >> 16);
  bytes[30] = static_cast<uint8_t>(n >> 8);
  bytes[31] = static_cast<uint8_t>(n);
  return Id(bytes);
}

// `count` chunk pushes of objects first, first+1, ... to `to`.
std::vector<PushQueue::Push> PushesTo(const NodeId& to, uint32_t first, uint32_t count) {
  std::vector<PushQueue::Push> pushes;
  for (uint32_t i = 0; i < count; ++i) pushes.push_back({ObjectKind::kChunk, Object(first + i), to});
  return pushes;
}

std::map<NodeId, size_t> CountByPeer(const std::vector<PushQueue::Outgoing>& out) {
  std::map<NodeId, size_t> counts;
  for (const PushQueue::Outgoing& o : out) ++counts[o.push.to];
  return counts;
}

PushQueue::Options Window(size_t window) {
  PushQueue::Options options;
  options.window = window;
  options.timeout = seconds(10);
  return options;
}

const TimePoint kStart = FromMicros(1'000'000'000);

TEST_CASE("At most a window of pushes is in flight per peer, independently across peers",
          "[dht][push_queue]") {
  PushQueue queue(Window(2));
  const NodeId a = Peer(1), b = Peer(2), c = Peer(3);
  std::vector<PushQueue::Push> pushes = PushesTo(a, 0, 5);
  for (const auto& push : PushesTo(b, 100, 3)) pushes.push_back(push);
  pushes.push_back({ObjectKind::kManifest, Object(200), c});
  queue.Add(pushes);
  CHECK(queue.queued() == 9);

  const std::vector<PushQueue::Outgoing> first = queue.TakeSendable(kStart);
  CHECK(CountByPeer(first) == std::map<NodeId, size_t>{{a, 2}, {b, 2}, {c, 1}});
  CHECK(queue.in_flight() == 5);
  CHECK(queue.queued() == 4);
  // Each peer's pushes go out in the order they were added, and every request id is new.
  std::vector<Id> to_a;
  std::vector<uint64_t> request_ids;
  for (const auto& out : first) {
    if (out.push.to == a) to_a.push_back(out.push.id);
    request_ids.push_back(out.request_id);
  }
  CHECK(to_a == std::vector<Id>{Object(0), Object(1)});
  std::sort(request_ids.begin(), request_ids.end());
  CHECK(std::adjacent_find(request_ids.begin(), request_ids.end()) == request_ids.end());
  for (const auto& out : first) {
    if (out.push.to == c) CHECK(out.push.object == ObjectKind::kManifest);
  }
  // Nothing more until an ack: a full window stays full however often we ask.
  CHECK(queue.TakeSendable(kStart).empty());
  CHECK(queue.TakeSendable(kStart + seconds(1)).empty());

  // A second job to a waits behind the first job's pushes to a.
  queue.Add(PushesTo(a, 300, 1));
  CHECK(queue.TakeSendable(kStart).empty());
  CHECK(queue.queued() == 5);
}

TEST_CASE("An ack releases the next push to that peer only", "[dht][push_queue]") {
  PushQueue queue(Window(1));
  const NodeId a = Peer(1), b = Peer(2);
  std::vector<PushQueue::Push> pushes = PushesTo(a, 0, 3);
  for (const auto& push : PushesTo(b, 10, 2)) pushes.push_back(push);
  queue.Add(pushes);
  std::vector<PushQueue::Outgoing> out = queue.TakeSendable(kStart);
  REQUIRE(out.size() == 2);
  const PushQueue::Outgoing to_a = out[0].push.to == a ? out[0] : out[1];
  const PushQueue::Outgoing to_b = out[0].push.to == a ? out[1] : out[0];
  REQUIRE(to_a.push.id == Object(0));

  queue.OnAck(a, to_a.request_id, true);
  CHECK(queue.in_flight() == 1);
  out = queue.TakeSendable(kStart);
  REQUIRE(out.size() == 1);
  CHECK(out[0].push.to == a);
  CHECK(out[0].push.id == Object(1));
  // A refusal releases the window just as well.
  queue.OnAck(a, out[0].request_id, false);
  out = queue.TakeSendable(kStart);
  REQUIRE(out.size() == 1);
  CHECK(out[0].push.id == Object(2));
  // b's window is still taken by its first push.
  CHECK(queue.queued() == 1);
  queue.OnAck(b, to_b.request_id, true);
  out = queue.TakeSendable(kStart);
  REQUIRE(out.size() == 1);
  CHECK(out[0].push.to == b);
  CHECK(out[0].push.id == Object(11));
}

TEST_CASE("Acks from the wrong peer, for unknown ids, or repeated are ignored",
          "[dht][push_queue]") {
  PushQueue queue(Window(1));
  const NodeId a = Peer(1), b = Peer(2);
  const PushQueue::JobId job = queue.Add(PushesTo(a, 0, 2));
  std::vector<PushQueue::Outgoing> out = queue.TakeSendable(kStart);
  REQUIRE(out.size() == 1);
  const uint64_t request = out[0].request_id;

  queue.OnAck(b, request, true);        // right id, wrong peer
  queue.OnAck(a, request + 1000, true);  // right peer, no such request
  queue.OnAck(b, request + 1000, true);
  CHECK(queue.in_flight() == 1);
  CHECK(queue.TakeSendable(kStart).empty());
  CHECK(queue.TakeFinished().empty());

  queue.OnAck(a, request, true);
  out = queue.TakeSendable(kStart);
  REQUIRE(out.size() == 1);
  // The first ack again: it must neither resolve the second push nor open the window wider.
  queue.OnAck(a, request, false);
  CHECK(queue.in_flight() == 1);
  CHECK(queue.TakeFinished().empty());
  queue.OnAck(a, out[0].request_id, true);
  std::vector<PushQueue::JobResult> finished = queue.TakeFinished();
  REQUIRE(finished.size() == 1);
  CHECK(finished[0].job == job);
  CHECK(finished[0].acked == std::vector<bool>{true, true});
}

TEST_CASE("Pushes in flight past their deadline fail, and NextDeadline is the earliest",
          "[dht][push_queue]") {
  PushQueue queue(Window(1));
  const NodeId a = Peer(1), b = Peer(2);
  CHECK(queue.NextDeadline() == TimePoint::max());
  const PushQueue::JobId job_a = queue.Add(PushesTo(a, 0, 2));
  REQUIRE(queue.TakeSendable(kStart).size() == 1);
  const PushQueue::JobId job_b = queue.Add(PushesTo(b, 10, 1));
  std::vector<PushQueue::Outgoing> to_b = queue.TakeSendable(kStart + seconds(3));
  REQUIRE(to_b.size() == 1);
  CHECK(queue.NextDeadline() == kStart + seconds(10));

  queue.OnTimer(kStart + seconds(10) - Duration(1));
  CHECK(queue.in_flight() == 2);
  queue.OnTimer(kStart + seconds(10));
  CHECK(queue.in_flight() == 1);
  // b's push is now the earliest; a's second push went nowhere yet (not sent, no deadline).
  CHECK(queue.NextDeadline() == kStart + seconds(13));
  std::vector<PushQueue::Outgoing> next_a = queue.TakeSendable(kStart + seconds(11));
  REQUIRE(next_a.size() == 1);  // the timeout freed a's window
  CHECK(next_a[0].push.id == Object(1));
  CHECK(queue.NextDeadline() == kStart + seconds(13));

  queue.OnAck(b, to_b[0].request_id, true);
  CHECK(queue.NextDeadline() == kStart + seconds(21));
  queue.OnAck(a, next_a[0].request_id, true);
  CHECK(queue.NextDeadline() == TimePoint::max());

  std::vector<PushQueue::JobResult> finished = queue.TakeFinished();
  REQUIRE(finished.size() == 2);
  CHECK(finished[0].job == job_b);  // in the order they finished
  CHECK(finished[0].acked == std::vector<bool>{true});
  CHECK(finished[1].job == job_a);
  CHECK(finished[1].acked == std::vector<bool>{false, true});
}

TEST_CASE("A failed peer fails its pushes in flight and queued, and no other's",
          "[dht][push_queue]") {
  PushQueue queue(Window(2));
  const NodeId a = Peer(1), b = Peer(2);
  // Interleaved, so the job's results must map each push back to its place.
  std::vector<PushQueue::Push> pushes;
  for (uint32_t i = 0; i < 4; ++i) {
    pushes.push_back({ObjectKind::kChunk, Object(i), a});
    pushes.push_back({ObjectKind::kChunk, Object(100 + i), b});
  }
  const PushQueue::JobId job = queue.Add(pushes);
  std::vector<PushQueue::Outgoing> out = queue.TakeSendable(kStart);
  REQUIRE(out.size() == 4);

  queue.OnPeerFailed(a);
  CHECK(queue.in_flight() == 2);
  CHECK(queue.queued() == 2);
  CHECK(queue.TakeFinished().empty());  // b's pushes are still open
  // A late ack from a changes nothing.
  for (const auto& o : out) {
    if (o.push.to == a) queue.OnAck(a, o.request_id, true);
  }
  CHECK(queue.in_flight() == 2);

  // b carries on: ack everything it is sent.
  for (int round = 0; round < 3 && queue.in_flight() > 0; ++round) {
    for (const auto& o : out) {
      if (o.push.to == b) queue.OnAck(b, o.request_id, true);
    }
    out = queue.TakeSendable(kStart);
    for (const auto& o : out) CHECK(o.push.to == b);
  }
  std::vector<PushQueue::JobResult> finished = queue.TakeFinished();
  REQUIRE(finished.size() == 1);
  CHECK(finished[0].job == job);
  CHECK(finished[0].pushes.size() == pushes.size());
  for (size_t i = 0; i < pushes.size(); ++i) {
    CHECK(finished[0].pushes[i].id == pushes[i].id);
    CHECK(finished[0].acked[i] == (pushes[i].to == b));
  }
  CHECK(queue.TakeFinished().empty());  // exactly once

  // The failed peer can be pushed to again later.
  queue.Add(PushesTo(a, 50, 1));
  CHECK(queue.TakeSendable(kStart).size() == 1);
}

TEST_CASE("Each job finishes exactly once, with results in the order its pushes were added",
          "[dht][push_queue]") {
  PushQueue queue(Window(3));
  const NodeId a = Peer(1), b = Peer(2), c = Peer(3);
  std::vector<PushQueue::Push> pushes{{ObjectKind::kChunk, Object(1), c},
                                      {ObjectKind::kChunk, Object(2), a},
                                      {ObjectKind::kManifest, Object(3), b},
                                      {ObjectKind::kChunk, Object(4), a}};
  const PushQueue::JobId first = queue.Add(pushes);
  const PushQueue::JobId second = queue.Add(PushesTo(b, 10, 2));
  CHECK(first != second);
  std::vector<PushQueue::Outgoing> out = queue.TakeSendable(kStart);
  REQUIRE(out.size() == 6);
  // Resolve in reverse order of sending; the outcome depends on the object.
  std::reverse(out.begin(), out.end());
  for (const auto& o : out) {
    const bool ok = o.push.id != Object(2) && o.push.id != Object(11);
    queue.OnAck(o.push.to, o.request_id, ok);
  }
  std::vector<PushQueue::JobResult> finished = queue.TakeFinished();
  REQUIRE(finished.size() == 2);
  const PushQueue::JobResult& r1 = finished[0].job == first ? finished[0] : finished[1];
  const PushQueue::JobResult& r2 = finished[0].job == first ? finished[1] : finished[0];
  REQUIRE(r1.job == first);
  REQUIRE(r2.job == second);
  REQUIRE(r1.pushes.size() == 4);
  for (size_t i = 0; i < 4; ++i) {
    CHECK(r1.pushes[i].id == pushes[i].id);
    CHECK(r1.pushes[i].to == pushes[i].to);
    CHECK(r1.pushes[i].object == pushes[i].object);
  }
  CHECK(r1.acked == std::vector<bool>{true, false, true, true});
  CHECK(r2.acked == std::vector<bool>{true, false});
  // Timers, failures and acks after the fact finish nothing again.
  queue.OnTimer(kStart + seconds(100));
  queue.OnPeerFailed(a);
  for (const auto& o : out) queue.OnAck(o.push.to, o.request_id, true);
  CHECK(queue.TakeFinished().empty());
  CHECK(queue.in_flight() == 0);
  CHECK(queue.queued() == 0);
}

TEST_CASE("An empty job finishes at once", "[dht][push_queue]") {
  PushQueue queue(Window(4));
  queue.Add(PushesTo(Peer(1), 0, 1));
  const PushQueue::JobId empty = queue.Add({});
  std::vector<PushQueue::JobResult> finished = queue.TakeFinished();
  REQUIRE(finished.size() == 1);
  CHECK(finished[0].job == empty);
  CHECK(finished[0].pushes.empty());
  CHECK(finished[0].acked.empty());
  CHECK(queue.TakeFinished().empty());
  CHECK(queue.queued() == 1);  // the other job is untouched
}

}  // namespace
}  // namespace lake::dht
