#include "dht/dht_core.h"

#include <algorithm>

#include "dht/address_group.h"
#include "dht/dataset_pointer.h"

namespace lake::dht {

DhtCore::DhtCore(const Contact& self, const DhtOptions& options, Rng rng)
    : self_(self),
      options_(options),
      rng_(rng),
      table_(self.id, RoutingTable::Options{options.k, options.max_per_group_in_bucket,
                                            options.max_per_group_in_table}),
      records_(options.records) {}

void DhtCore::Join(TimePoint now, const std::vector<std::string>& seeds) {
  seeds_.clear();
  for (const std::string& text : seeds) {
    Result<Seed> seed = ParseSeed(text);
    if (seed.ok()) seeds_.push_back(std::move(seed).value());
  }
  next_heartbeat_ = now + options_.heartbeat_interval;
  if (seeds_.empty()) {
    Bootstrap(now, {});
    return;
  }
  next_maintenance_ = now + options_.maintenance_interval;
  DialSeeds(now);
}

DhtCore::Dialed DhtCore::OnDialed(TimePoint now, const Contact& peer) {
  auto seed = std::find_if(seeds_.begin(), seeds_.end(),
                           [&](const Seed& s) { return s.address == peer.address; });
  if (seed == seeds_.end()) {
    std::erase_if(verifying_, [&](const Verification& v) { return v.address == peer.address; });
    HeardFrom(now, peer.id, peer.address, peer.address);
    return Dialed::kOther;
  }
  if (seed->id && *seed->id != peer.id) {
    ++seeds_refused_;
    return Dialed::kWrongSeed;
  }
  Bootstrap(now, {peer});
  return Dialed::kSeed;
}

void DhtCore::DialSeeds(TimePoint now) {
  for (const Seed& seed : seeds_) outbox_.dials.push_back(seed.address);
  seed_retry_ = seed_retry_ == Duration{} ? options_.seed_retry_min
                                          : std::min(options_.seed_retry_max, seed_retry_ * 2);
  next_seed_dial_ = now + seed_retry_;
}

void DhtCore::Bootstrap(TimePoint now, const std::vector<Contact>& seeds) {
  next_maintenance_ = now + options_.maintenance_interval;
  if (next_heartbeat_ == TimePoint{}) next_heartbeat_ = now + options_.heartbeat_interval;
  for (const Contact& seed : seeds) {
    if (seed.id == self_.id) continue;
    HeardFrom(now, seed.id, seed.address, seed.address);
  }
  if (seeds.empty()) return;
  self_lookups_left_ = options_.join_lookup_repeats;
  LookUpSelf(now);
}

void DhtCore::LookUpSelf(TimePoint now) {
  FindNode(now, self_.id);
  if (self_lookups_left_ == 0) {
    next_self_lookup_ = TimePoint{};
    return;
  }
  // The wait doubles with each repeat already made: join_lookup_retry_min, twice that, ...
  const size_t repeats_made = options_.join_lookup_repeats - self_lookups_left_;
  --self_lookups_left_;
  next_self_lookup_ = now + options_.join_lookup_retry_min * (int64_t{1} << repeats_made);
}

void DhtCore::Request(TimePoint now, const Contact& to, Message message, Purpose purpose,
                      OperationId operation) {
  // Unpredictable ids: a reply must echo one to be accepted, which defeats blind spoofing.
  uint64_t request_id;
  do {
    request_id = rng_.Next();
  } while (request_id == 0 || pending_.count(request_id) != 0);
  message.request_id = request_id;
  message.source_address = self_.address;
  const TimePoint deadline = now + options_.request_timeout;
  pending_.emplace(request_id, PendingRequest{to, purpose, operation, deadline});
  deadlines_.emplace(deadline, request_id);
  outbox_.sends.push_back(Send{to, std::move(message)});
}

void DhtCore::Ping(TimePoint now, const Contact& to, Purpose purpose) {
  Message ping;
  ping.kind = MessageKind::kPing;
  Request(now, to, std::move(ping), purpose, 0);
}

void DhtCore::Reply(const NodeId& to, const Message& request, Message reply) {
  reply.request_id = request.request_id;
  FitReply(reply);
  // The requester's listen address came with its request.
  outbox_.sends.push_back(Send{Contact{to, request.source_address}, std::move(reply)});
}

void DhtCore::Heard(TimePoint now, const Contact& contact) {
  if (table_.Heard(contact, now) != RoutingTable::Touch::kBucketFull) return;
  // The bucket is full: probe its least recently seen contact; it is replaced only if silent.
  const Contact oldest = table_.LeastRecentlySeen(contact.id);
  if (!eviction_pings_.insert(oldest.id).second) return;
  Ping(now, oldest, Purpose::kEvictionPing);
}

void DhtCore::HeardFrom(TimePoint now, const NodeId& id, const std::string& claimed,
                        const std::optional<std::string>& verified) {
  if (verified) {
    // Its own answer on a session dialled to it is the only news of a new address.
    table_.UpdateAddress(id, *verified);
    Heard(now, Contact{id, *verified});
  } else if (!table_.Refresh(id, now) && !claimed.empty()) {
    // A claimed address is only added once a dial to it proves the id.
    Verify(now, claimed);
  }
}

// The transport dials `address`; OnDialed adds whichever node proves its id there. A node that
// gives someone else's address is never added. An address is dialled at most once per heartbeat
// interval, so many ids claiming one victim's address cost the victim one connection.
void DhtCore::Verify(TimePoint now, const std::string& address) {
  auto it = std::find_if(verifying_.begin(), verifying_.end(),
                         [&](const Verification& v) { return v.address == address; });
  if (it != verifying_.end()) {
    if (now - it->dialled < options_.heartbeat_interval) return;
    verifying_.erase(it);
  }
  verifying_.push_back(Verification{address, now});
  if (verifying_.size() > options_.pending_verifications) verifying_.pop_front();
  outbox_.dials.push_back(address);
}

void DhtCore::OnMessage(TimePoint now, const NodeId& from, const Message& message,
                        const std::optional<std::string>& verified_address) {
  if (from == self_.id) {
    ++messages_dropped_;
    return;
  }
  if (IsRequest(message.kind)) {
    HeardFrom(now, from, message.source_address, verified_address);
    ServeRequest(now, from, message, verified_address);
  } else {
    HandleResponse(now, from, message, verified_address);
  }
}

bool DhtCore::AmongClosest(const Id& key) const {
  const std::vector<Contact> closest = table_.Closest(key, options_.k);
  return closest.size() < options_.k || CloserTo(key, self_.id, closest.back().id);
}

bool DhtCore::WriterAllowed(const Id& key, const Bytes& value, bool* pinned) {
  *pinned = false;
  const Result<DatasetPointer> pointer = DecodeDatasetPointer(value);
  if (!pointer.ok()) return true;  // not a pointer: no signer to check
  if (!options_.writers.empty()) {
    return std::find(options_.writers.begin(), options_.writers.end(), pointer->uploader) !=
           options_.writers.end();
  }
  auto [it, inserted] = pointer_writers_.try_emplace(key, pointer->uploader);
  *pinned = inserted;
  return it->second == pointer->uploader;
}

bool DhtCore::Store(TimePoint now, const Id& key, const Bytes& value, uint32_t ttl_s,
                    const std::optional<RecordStore::Owner>& owner) {
  bool pinned = false;
  const bool stored = (!owner || AmongClosest(key)) && WriterAllowed(key, value, &pinned) &&
                      records_.Put(key, value, now + std::chrono::seconds(ttl_s), owner);
  if (!stored) {
    if (pinned) pointer_writers_.erase(key);  // nothing kept: the first signer is still to come
    ++stores_refused_;
  }
  return stored;
}

void DhtCore::FitReply(Message& reply) {
  if (reply.values.empty()) return;
  Message head = reply;
  head.values.clear();
  // A value costs its bytes and a bin header of at most 5; the array's header grows by at most 4.
  size_t size = EncodeMessage(head).size() + 4;
  size_t keep = 0;
  for (; keep < reply.values.size(); ++keep) {
    const size_t cost = reply.values[keep].size() + 5;
    if (size + cost > options_.max_message_bytes) break;
    size += cost;
  }
  if (keep == reply.values.size()) return;
  reply.values.resize(keep);
  ++replies_trimmed_;
}

void DhtCore::ServeRequest(TimePoint now, const NodeId& from, const Message& request,
                           const std::optional<std::string>& verified_address) {
  Message reply;
  switch (request.kind) {
    case MessageKind::kPing:
      reply.kind = MessageKind::kPong;
      break;
    case MessageKind::kFindNode:
      reply.kind = MessageKind::kNodes;
      reply.nodes = table_.Closest(request.target, options_.reply_contacts);
      break;
    case MessageKind::kFindValue:
      reply.kind = MessageKind::kValue;
      reply.values = records_.Get(request.target, now);
      if (reply.values.size() > options_.limits.max_values) {
        reply.values.resize(options_.limits.max_values);
      }
      reply.nodes = table_.Closest(request.target, options_.reply_contacts);
      break;
    case MessageKind::kStore: {
      if (request.values.size() != 1) {  // DecodeMessage guarantees it; a caller might not
        ++messages_dropped_;
        return;
      }
      reply.kind = MessageKind::kStoreAck;
      // Quotas go by the address the peer proved, else the one the table has for it; a peer
      // with neither shares one group with every other such peer.
      std::optional<Contact> known = table_.Find(from);
      const std::string where = verified_address ? *verified_address
                                : known          ? known->address
                                                 : std::string();
      const RecordStore::Owner owner{
          from, where.empty() ? std::string("unverified") : GroupOfAddress(where).name};
      reply.ok = Store(now, request.target, request.values.at(0),
                       std::min(request.ttl_s, options_.record_ttl_s), owner);
      break;
    }
    default:
      ++messages_dropped_;
      return;
  }
  Reply(from, request, std::move(reply));
}

void DhtCore::HandleResponse(TimePoint now, const NodeId& from, const Message& response,
                             const std::optional<std::string>& verified_address) {
  auto it = pending_.find(response.request_id);
  // Only the node we asked may answer, and only once.
  if (it == pending_.end() || it->second.to.id != from) {
    ++messages_dropped_;
    return;
  }
  const PendingRequest request = std::move(it->second);
  deadlines_.erase({request.deadline, response.request_id});
  pending_.erase(it);
  // request.to.address may come from a third party's reply: it is only a claim.
  HeardFrom(now, from, request.to.address, verified_address);
  table_.RecordRtt(from, now - (request.deadline - options_.request_timeout));

  switch (request.purpose) {
    case Purpose::kEvictionPing:
      eviction_pings_.erase(from);
      return;
    case Purpose::kLivenessPing:
      return;  // Heard() above has put it back in the table
    case Purpose::kStore: {
      auto op = operations_.find(request.operation);
      if (op == operations_.end()) return;
      --op->second.stores_pending;
      if (response.kind == MessageKind::kStoreAck && response.ok) ++op->second.stored;
      if (op->second.stores_pending == 0) Finish(request.operation);
      return;
    }
    case Purpose::kOperation:
      break;
  }
  auto op = operations_.find(request.operation);
  if (op == operations_.end()) return;
  const bool expected_kind =
      response.kind == MessageKind::kNodes || response.kind == MessageKind::kValue;
  if (!expected_kind) {
    op->second.lookup->OnFailure(from);
  } else {
    std::vector<Contact> closer;
    closer.reserve(response.nodes.size());
    for (const Contact& c : response.nodes) {
      if (c.id != self_.id) closer.push_back(c);
    }
    op->second.lookup->OnReply(from, closer);
    for (const Bytes& value : response.values) op->second.values.insert(value);
    if (op->second.get_mode == GetMode::kFirstFound && !op->second.values.empty()) {
      Finish(request.operation);
      return;
    }
  }
  Advance(now, request.operation);
}

void DhtCore::RequestFailed(TimePoint now, uint64_t request_id) {
  auto it = pending_.find(request_id);
  if (it == pending_.end()) return;
  const PendingRequest request = it->second;
  pending_.erase(it);
  ++requests_failed_;
  // A contact that keeps failing leaves the table (a waiting replacement takes its place) and
  // waits among the dormant for another chance. One that failed less often stays: a liveness or
  // eviction ping is sent again at once, so a dead node still leaves within max_failures
  // timeouts.
  const size_t failures = table_.RecordFailure(request.to.id);
  if (failures == 0 || failures >= options_.max_failures) {
    table_.Remove(request.to.id, now);
    if (std::none_of(dormant_.begin(), dormant_.end(),
                     [&](const Contact& c) { return c.id == request.to.id; })) {
      dormant_.push_back(request.to);
      if (dormant_.size() > options_.dormant_contacts) dormant_.pop_front();
    }
  } else if (request.purpose == Purpose::kLivenessPing ||
             request.purpose == Purpose::kEvictionPing) {
    Ping(now, request.to, request.purpose);  // the probe goes on (an eviction ping stays listed)
    return;
  }
  switch (request.purpose) {
    case Purpose::kEvictionPing:
      eviction_pings_.erase(request.to.id);
      return;
    case Purpose::kLivenessPing:
      return;
    case Purpose::kStore: {
      auto op = operations_.find(request.operation);
      if (op == operations_.end()) return;
      if (--op->second.stores_pending == 0) Finish(request.operation);
      return;
    }
    case Purpose::kOperation: {
      auto op = operations_.find(request.operation);
      if (op == operations_.end()) return;
      op->second.lookup->OnFailure(request.to.id);
      Advance(now, request.operation);
      return;
    }
  }
}

DhtCore::OperationId DhtCore::StartLookup(TimePoint now, OperationKind kind, const Id& target,
                                          GetMode mode) {
  const OperationId id = next_operation_++;
  Operation op;
  op.kind = kind;
  op.get_mode = mode;
  const size_t alpha = mode == GetMode::kFirstFound ? options_.first_found_alpha : options_.alpha;
  op.lookup =
      std::make_unique<Lookup>(target, options_.k, alpha, table_.Closest(target, options_.k));
  if (kind == OperationKind::kGet) {
    // The lookup never asks this node, which may hold the record itself.
    for (Bytes& value : records_.Get(target, now)) op.values.insert(std::move(value));
  }
  const bool found_here = mode == GetMode::kFirstFound && !op.values.empty();
  operations_.emplace(id, std::move(op));
  if (found_here) {
    Finish(id);
  } else {
    Advance(now, id);
  }
  return id;
}

DhtCore::OperationId DhtCore::FindNode(TimePoint now, const Id& target) {
  return StartLookup(now, OperationKind::kFindNode, target);
}

DhtCore::OperationId DhtCore::Get(TimePoint now, const Id& key, GetMode mode) {
  return StartLookup(now, OperationKind::kGet, key, mode);
}

DhtCore::OperationId DhtCore::Put(TimePoint now, const Id& key, const Bytes& value) {
  if (value.size() > options_.limits.max_value_bytes) {
    // No peer would accept it: report a put that stored nothing, and send nothing.
    const OperationId id = next_operation_++;
    Operation op;
    op.kind = OperationKind::kPut;
    op.lookup = std::make_unique<Lookup>(key, options_.k, options_.alpha, std::vector<Contact>{});
    operations_.emplace(id, std::move(op));
    Finish(id);
    return id;
  }
  published_[{key, value}] = Published{now + options_.republish_interval};
  return StartPut(now, key, value);
}

DhtCore::OperationId DhtCore::StartPut(TimePoint now, const Id& key, const Bytes& value) {
  const OperationId id = next_operation_++;
  Operation op;
  op.kind = OperationKind::kPut;
  op.value_to_store = value;
  // The lookup only has to pin down the nodes the value goes to: with fewer replicas than k it
  // converges after far fewer queries.
  const size_t width = std::min(options_.k, options_.store_replicas);
  op.lookup = std::make_unique<Lookup>(key, width, options_.alpha, table_.Closest(key, options_.k));
  operations_.emplace(id, std::move(op));
  Advance(now, id);
  return id;
}

void DhtCore::Unpublish(const Id& key, const Bytes& value) { published_.erase({key, value}); }

void DhtCore::Advance(TimePoint now, OperationId id) {
  auto it = operations_.find(id);
  if (it == operations_.end()) return;
  Operation& op = it->second;
  if (op.stores_pending > 0) return;  // a put in its store phase
  Lookup& lookup = *op.lookup;
  for (const Contact& to : lookup.TakeQueries()) {
    Message query;
    query.kind = op.kind == OperationKind::kGet ? MessageKind::kFindValue : MessageKind::kFindNode;
    query.target = lookup.target();
    Request(now, to, std::move(query), Purpose::kOperation, id);
  }
  if (!lookup.Done()) return;
  if (op.kind != OperationKind::kPut) {
    Finish(id);
    return;
  }
  // The lookup found where the value belongs: store it there (and here, if we are among them).
  std::vector<Contact> targets = ClosestWithSelf(lookup);
  targets.resize(std::min(targets.size(), options_.store_replicas));
  for (const Contact& to : targets) {
    if (to.id == self_.id) {
      op.stored +=
          Store(now, lookup.target(), op.value_to_store, options_.record_ttl_s, std::nullopt);
      continue;
    }
    Message store;
    store.kind = MessageKind::kStore;
    store.target = lookup.target();
    store.values.push_back(op.value_to_store);
    store.ttl_s = options_.record_ttl_s;
    ++op.stores_pending;
    Request(now, to, std::move(store), Purpose::kStore, id);
  }
  if (op.stores_pending == 0) Finish(id);
}

std::vector<Contact> DhtCore::ClosestWithSelf(const Lookup& lookup) const {
  // A lookup never queries its own node, but this node may well be among the closest.
  std::vector<Contact> closest = lookup.Closest();
  auto at = std::find_if(closest.begin(), closest.end(), [&](const Contact& c) {
    return CloserTo(lookup.target(), self_.id, c.id);
  });
  closest.insert(at, self_);
  if (closest.size() > options_.k) closest.pop_back();
  return closest;
}

void DhtCore::Finish(OperationId id) {
  auto it = operations_.find(id);
  if (it == operations_.end()) return;
  Operation& op = it->second;
  OperationResult result;
  result.id = id;
  result.kind = op.kind;
  result.target = op.lookup->target();
  result.closest = ClosestWithSelf(*op.lookup);
  result.values.assign(op.values.begin(), op.values.end());
  result.stored = op.stored;
  result.hops = op.lookup->hops();
  result.queries = op.lookup->queries_sent();
  outbox_.results.push_back(std::move(result));
  operations_.erase(it);
}

void DhtCore::Maintain(TimePoint now) {
  records_.Expire(now);
  // A key's first signer is remembered while records live under it: as long as its publisher
  // keeps republishing.
  std::erase_if(pointer_writers_, [&](const auto& pin) { return !records_.Contains(pin.first); });
  for (size_t i = 0; i < options_.revival_pings && !dormant_.empty(); ++i) {
    const Contact contact = dormant_.front();
    dormant_.pop_front();
    if (table_.Contains(contact.id)) continue;
    Ping(now, contact, Purpose::kLivenessPing);
  }
  // Refresh buckets nobody touched lately with a lookup of a random id inside each.
  for (int bucket : table_.StaleBuckets(now - options_.refresh_after)) {
    FindNode(now, table_.RandomIdInBucket(bucket, rng_.NextId().bytes()));
  }
  for (auto& [key_value, published] : published_) {
    if (published.next_republish > now) continue;
    published.next_republish = now + options_.republish_interval;
    StartPut(now, key_value.first, key_value.second);
  }
}

void DhtCore::OnUnreachable(TimePoint now, const NodeId& id) {
  FailRequestsTo(now, id, /*pings_too=*/true);
}

void DhtCore::OnTurnedAway(TimePoint now, const NodeId& id) {
  FailRequestsTo(now, id, /*pings_too=*/false);
}

void DhtCore::FailRequestsTo(TimePoint now, const NodeId& id, bool pings_too) {
  std::vector<uint64_t> failed;
  for (const auto& [request_id, request] : pending_) {
    const bool ping =
        request.purpose == Purpose::kLivenessPing || request.purpose == Purpose::kEvictionPing;
    if (request.to.id == id && (pings_too || !ping)) failed.push_back(request_id);
  }
  for (uint64_t request_id : failed) {
    deadlines_.erase({pending_.at(request_id).deadline, request_id});
    RequestFailed(now, request_id);
  }
}

void DhtCore::CheckAlive(TimePoint now, const NodeId& id) {
  const std::optional<Contact> contact = table_.Find(id);
  if (contact) Ping(now, *contact, Purpose::kLivenessPing);
}

// A sweep every interval, rather than a timer per contact: a quiet contact is pinged between one
// and two intervals after it was last heard from, for the cost of one pass over the table.
void DhtCore::Heartbeat(TimePoint now) {
  next_heartbeat_ = now + options_.heartbeat_interval;
  for (const Contact& contact : table_.QuietSince(now - options_.heartbeat_interval)) {
    Ping(now, contact, Purpose::kLivenessPing);
  }
}

void DhtCore::OnTimer(TimePoint now) {
  if (!seeds_.empty() && table_.size() == 0 && now >= next_seed_dial_) DialSeeds(now);
  if (next_heartbeat_ != TimePoint{} && now >= next_heartbeat_) Heartbeat(now);
  if (next_self_lookup_ != TimePoint{} && now >= next_self_lookup_) {
    if (table_.size() < options_.k) {
      LookUpSelf(now);
    } else {
      next_self_lookup_ = TimePoint{};  // a full table: the network was no secret
    }
  }
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    const uint64_t request_id = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    RequestFailed(now, request_id);
  }
  if (next_maintenance_ == TimePoint{}) next_maintenance_ = now + options_.maintenance_interval;
  if (now >= next_maintenance_) {
    next_maintenance_ = now + options_.maintenance_interval;
    Maintain(now);
  }
}

DhtCore::Outbox DhtCore::TakeOutbox() {
  Outbox out;
  std::swap(out, outbox_);
  return out;
}

TimePoint DhtCore::NextWakeup() const {
  TimePoint next{};  // zero: nothing due
  const auto consider = [&next](TimePoint t) {
    if (t != TimePoint{} && (next == TimePoint{} || t < next)) next = t;
  };
  consider(next_maintenance_);
  consider(next_heartbeat_);
  if (!deadlines_.empty()) consider(deadlines_.begin()->first);
  if (!seeds_.empty() && table_.size() == 0) consider(next_seed_dial_);
  consider(next_self_lookup_);
  return next;
}

}  // namespace lake::dht
