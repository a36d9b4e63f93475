// Test support for scatter/gather: drives a ScatterGather to the end on virtual time against
// simulated chunk holders, as the planner actor will drive it against real ones. Each holder
// behaves one way for the whole query (answers in time, errors, stays silent, or answers after
// its deadline); delays are random, some answers arrive twice, and stray answers come from
// nodes that were not asked. Every reply still in flight when the query is done is delivered
// too, and must be ignored. Header-only; for test binaries that link lake_sql.
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "common/rng.h"
#include "sql/scatter_gather.h"

namespace lake::sql::testing {

enum class HolderBehaviour { kAnswers, kErrors, kSilent, kLate };

// What a holder that runs `fragment` replies: its partial result, or the error it hits.
using FragmentRunner = std::function<Result<Bytes>(const ScatterGather::Fragment&)>;

struct DriveLog {
  std::vector<ScatterGather::Fragment> first;  // what Start sent
  std::vector<ScatterGather::Fragment> sent;   // every fragment, Start's included
  std::map<uint64_t, NodeId> accepted;         // request id -> holder, answers that counted
};

// REQUIRES: `behaviour` has every node any chunk names.
inline DriveLog DriveToEnd(ScatterGather& sg, const std::map<NodeId, HolderBehaviour>& behaviour,
                           const FragmentRunner& run, Duration timeout, Rng& rng,
                           TimePoint start = FromMicros(1'000'000)) {
  struct Reply {
    uint64_t request_id = 0;
    NodeId from;
    std::optional<Bytes> partial;  // else `error`
    Status error;
  };
  std::multimap<TimePoint, Reply> replies;  // equal times keep their scheduling order
  std::vector<NodeId> nodes;
  for (const auto& entry : behaviour) nodes.push_back(entry.first);
  auto within = [&](Duration span) { return Duration(1 + rng.Uniform(span.count())); };

  DriveLog log;
  auto send = [&](const std::vector<ScatterGather::Fragment>& fragments, TimePoint now) {
    for (const ScatterGather::Fragment& f : fragments) {
      log.sent.push_back(f);
      const HolderBehaviour how = behaviour.at(f.holder);
      if (how == HolderBehaviour::kAnswers || how == HolderBehaviour::kLate) {
        Result<Bytes> result = run(f);
        Reply reply{f.request_id, f.holder, std::nullopt, result.status()};
        if (result.ok()) reply.partial = std::move(result).value();
        const TimePoint at = how == HolderBehaviour::kAnswers ? now + within(timeout * 9 / 10)
                                                              : f.deadline + within(timeout);
        replies.emplace(at, reply);
        if (rng.Bernoulli(0.3)) replies.emplace(at + within(timeout), reply);  // a duplicate
      } else if (how == HolderBehaviour::kErrors) {
        const Status error = rng.Bernoulli(0.5) ? Status::Unavailable("peer unreachable")
                                                : Status::NotFound("no such chunk");
        replies.emplace(now + within(timeout * 9 / 10), Reply{f.request_id, f.holder, {}, error});
      }
      if (rng.Bernoulli(0.1)) {  // a node that was not asked answers for this request
        const NodeId& stray = nodes[rng.Uniform(nodes.size())];
        if (stray != f.holder) {
          replies.emplace(now + within(timeout), Reply{f.request_id, stray, Bytes{1, 2, 3}, {}});
        }
      }
    }
  };
  auto deliver = [&](TimePoint at, Reply reply) {
    if (reply.partial) {
      if (sg.OnPartial(reply.request_id, reply.from, std::move(*reply.partial))) {
        CHECK(log.accepted.emplace(reply.request_id, reply.from).second);
      }
    } else {
      send(sg.OnFailure(reply.request_id, reply.from, reply.error, at), at);
    }
  };

  log.first = sg.Start(start);
  send(log.first, start);
  while (!sg.done()) {
    const TimePoint timer = sg.NextDeadline();
    REQUIRE(timer != TimePoint::max());  // not done: something must be outstanding
    if (replies.empty() || timer <= replies.begin()->first) {
      send(sg.OnTimer(timer), timer);
      continue;
    }
    auto [at, reply] = std::move(*replies.begin());
    replies.erase(replies.begin());
    deliver(at, std::move(reply));
  }
  // Done: whatever still arrives (late answers, duplicates, errors, strays) changes nothing.
  const size_t accepted = log.accepted.size();
  const size_t sent = log.sent.size();
  for (auto& [at, reply] : replies) {
    deliver(at, std::move(reply));
    CHECK(sg.OnTimer(at + timeout).empty());
  }
  CHECK(log.accepted.size() == accepted);
  CHECK(log.sent.size() == sent);

  // An answer counted only from the holder asked, one that answers in time.
  std::map<uint64_t, NodeId> holder_of;
  for (const ScatterGather::Fragment& f : log.sent) holder_of[f.request_id] = f.holder;
  for (const auto& [request_id, from] : log.accepted) {
    CHECK(holder_of.at(request_id) == from);
    CHECK(behaviour.at(from) == HolderBehaviour::kAnswers);
  }
  return log;
}

}  // namespace lake::sql::testing
