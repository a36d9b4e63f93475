// Lookup: one iterative Kademlia lookup (FIND_NODE or FIND_VALUE) as a state machine. It keeps
// the candidates it has heard of ordered by distance to the target, keeps at most α queries in
// flight to the closest unqueried ones, and is done when the k closest candidates that have not
// failed have all replied. It sends nothing itself: the core asks it what to query next and feeds
// it replies and failures.
// Thread-safety: not thread-safe; owned by one DhtCore.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/id.h"
#include "dht/contact.h"

namespace lake::dht {

class Lookup {
 public:
  Lookup(const Id& target, size_t k, size_t alpha, const std::vector<Contact>& seeds);

  // Contacts to query now (each becomes in flight); empty when α are in flight or nothing is left.
  std::vector<Contact> TakeQueries();
  // `from` replied with contacts it knows closer to the target.
  void OnReply(const NodeId& from, const std::vector<Contact>& closer);
  // `from` did not reply in time, or sent garbage.
  void OnFailure(const NodeId& from);

  bool Done() const;
  const Id& target() const { return target_; }
  // The up-to-k closest contacts that replied, closest first.
  std::vector<Contact> Closest() const;
  // Hops to the closest contact that replied: 1 for a seed, one more per referral.
  int hops() const;
  size_t queries_sent() const { return queries_sent_; }

 private:
  enum class State { kNew, kInFlight, kReplied, kFailed };
  struct Candidate {
    Contact contact;
    State state = State::kNew;
    int hop = 1;
  };
  // A candidate's place in the distance order: a reply's contacts are looked up by binary search
  // over these small entries and merged in together, where a map allocated a node for each.
  struct Ranked {
    Id distance;     // to the target
    uint32_t index;  // into candidates_
  };
  // Adds the contacts not yet candidates, in one merge; a known one keeps its place.
  void Add(const std::vector<Contact>& contacts, int hop);
  // The candidate `from` is, if it is one.
  Candidate* Find(const NodeId& from);

  // Immutable after construction
  const Id target_;
  const size_t k_;
  const size_t alpha_;

  // Mutable state
  std::vector<Candidate> candidates_;  // in the order they were heard of
  std::vector<Ranked> by_distance_;    // every candidate, closest to the target first
  size_t in_flight_ = 0;
  size_t queries_sent_ = 0;
};

}  // namespace lake::dht
