// RoutingTable: the Kademlia k-buckets of one node. Bucket i holds contacts whose XOR distance to
// us has its highest set bit at i (so bucket 255 covers half the id space, bucket 0 one id), each
// bucket at most k contacts ordered from least to most recently seen. A full bucket does not take
// newcomers: the core pings its least recently seen contact and replaces it only if that ping
// fails (long-lived nodes are the most likely to stay, Maymounkov & Mazières §2.2); the newcomer
// waits in the bucket's one-slot replacement cache meanwhile.
// Hearing from a known contact never changes its address (UpdateAddress does, for an address the
// core has verified). Contacts on public networks are limited per address group (/24 IPv4, /48
// IPv6, dht/address_group.h) in each bucket and in the whole table: ids are free, addresses are
// not, so one host cannot surround a key with ids of its own.
// Thread-safety: not thread-safe; owned by one DhtCore.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/id.h"
#include "dht/contact.h"

namespace lake::dht {

class RoutingTable {
 public:
  // One contact as the table knows it, for status pages.
  struct PeerView {
    Contact contact;
    TimePoint last_seen;
    std::optional<Duration> rtt;  // of the latest answered request, if any
  };

  enum class Touch {
    kAdded,       // new contact, bucket had room
    kRefreshed,   // known contact, now most recently seen
    kBucketFull,  // new contact, bucket full: ping LeastRecentlySeen() of its bucket
    kSelf,        // our own id: ignored
    kGroupFull,   // new contact from an address group already at its limit: ignored
  };

  struct Options {
    size_t k = 20;
    // Contacts of one public address group per bucket and in the table.
    size_t max_per_group_in_bucket = 2;
    size_t max_per_group_in_table = 10;
  };

  RoutingTable(NodeId self, const Options& options);
  RoutingTable(NodeId self, size_t k) : RoutingTable(self, Options{k}) {}

  // Records that `contact` was heard from at `now` (clearing its failures). A known contact keeps
  // the address it has.
  Touch Heard(const Contact& contact, TimePoint now);
  // Heard() for a contact the table may know by id alone: refreshes it and returns true if it is
  // in the table, else changes nothing and returns false.
  bool Refresh(const NodeId& id, TimePoint now);
  // `id` proved it is reachable at `address`: the contact moves there. No effect if `id` is not
  // in the table or the new address's group is at its limit.
  void UpdateAddress(const NodeId& id, const std::string& address);
  // A request to `id` failed; returns how many in a row have (0 if `id` is not in the table).
  size_t RecordFailure(const NodeId& id);
  // The least recently seen contact in the bucket `id` falls into.
  // REQUIRES: id is not our own, and its bucket is not empty.
  const Contact& LeastRecentlySeen(const NodeId& id) const;
  // The newcomer waiting for bucket `id`'s eviction ping, if any (none for our own id).
  std::optional<Contact> Replacement(const NodeId& id) const;
  // `id` failed to answer: drop it; the bucket's replacement (if any) takes its place.
  // Returns the contact promoted, if any.
  std::optional<Contact> Remove(const NodeId& id, TimePoint now);

  // Records the round-trip time of a request `id` answered. No effect if `id` is not in the table.
  void RecordRtt(const NodeId& id, Duration rtt);

  bool Contains(const NodeId& id) const;
  // The contact with this id, if it is in the table.
  std::optional<Contact> Find(const NodeId& id) const;
  // Up to `n` known contacts closest to `target`, closest first.
  std::vector<Contact> Closest(const Id& target, size_t n) const;
  // Every contact, bucket by bucket.
  std::vector<Contact> All() const;
  // Every contact with when it was last heard from and its latest round-trip time.
  std::vector<PeerView> Peers() const;
  // The contacts last heard from at or before `since`: those a heartbeat sweep pings.
  std::vector<Contact> QuietSince(TimePoint since) const;
  size_t size() const { return size_; }

  // Buckets holding contacts that nobody has heard from since `since`; a refresh looks up a
  // random id in each of them.
  std::vector<int> StaleBuckets(TimePoint since) const;
  // A uniformly random id falling in bucket `index` (refresh target), using `random` bits.
  Id RandomIdInBucket(int index, const std::array<uint8_t, Id::kBytes>& random) const;
  int BucketIndex(const NodeId& id) const;

 private:
  struct Entry {
    Contact contact;
    TimePoint last_seen;
    std::optional<Duration> rtt;
    size_t failures = 0;  // requests failed since it was last heard from
  };
  // Kept small: the simulator runs 100,000 tables.
  struct Bucket {
    std::vector<Entry> entries;  // least recently seen first; at most k
    std::unique_ptr<Contact> replacement;
    TimePoint last_changed{};
  };

  // Whether a contact at `address` may join `bucket` under the per-group limits (`except`: a
  // contact about to leave, not counted).
  bool GroupHasRoom(const Bucket& bucket, const std::string& address,
                    const NodeId* except = nullptr) const;
  void Count(const std::string& address, bool added);
  const Entry* FindEntry(const NodeId& id) const;
  Entry* FindEntry(const NodeId& id);
  // Bucket `index`; an empty one if the table never grew down to it.
  const Bucket& BucketAt(int index) const;
  // Bucket `index`, or null if the table never grew down to it (so it holds nothing).
  Bucket* GrownBucket(int index);
  // Bucket `index`, growing the table down to it.
  Bucket& GrowTo(int index);
  // The lowest bucket index the table has grown down to (Id::kBits if none).
  int LowestGrown() const { return static_cast<int>(Id::kBits - buckets_.size()); }

  // Immutable after construction
  const NodeId self_;
  const Options options_;

  // Mutable state
  // Bucket i at buckets_[kBits - 1 - i], from the top bucket down to the lowest one that ever
  // held a contact: a table of N nodes fills about the top log2(N) buckets, so it keeps those
  // rather than all 256 (10 KB a node, half of a simulated node's memory).
  std::vector<Bucket> buckets_;
  size_t size_ = 0;
  std::map<std::string, size_t> public_groups_;  // contacts per public address group
};

}  // namespace lake::dht
