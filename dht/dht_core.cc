#include "dht/dht_core.h"

#include <algorithm>

namespace lake::dht {

DhtCore::DhtCore(const Contact& self, const DhtOptions& options, Rng rng)
    : self_(self),
      options_(options),
      rng_(rng),
      table_(self.id, options.k),
      records_(options.max_values_per_key, options.max_values_total) {}

void DhtCore::Join(TimePoint now, std::vector<std::string> seeds) {
  seeds_ = std::move(seeds);
  next_heartbeat_ = now + options_.heartbeat_interval;
  if (seeds_.empty()) {
    Bootstrap(now, {});
    return;
  }
  next_maintenance_ = now + options_.maintenance_interval;
  DialSeeds(now);
}

bool DhtCore::OnDialed(TimePoint now, const Contact& peer) {
  if (std::find(seeds_.begin(), seeds_.end(), peer.address) == seeds_.end()) return false;
  Bootstrap(now, {peer});
  return true;
}

void DhtCore::DialSeeds(TimePoint now) {
  outbox_.dials.insert(outbox_.dials.end(), seeds_.begin(), seeds_.end());
  seed_retry_ = seed_retry_ == Duration{} ? options_.seed_retry_min
                                          : std::min(options_.seed_retry_max, seed_retry_ * 2);
  next_seed_dial_ = now + seed_retry_;
}

void DhtCore::Bootstrap(TimePoint now, const std::vector<Contact>& seeds) {
  next_maintenance_ = now + options_.maintenance_interval;
  if (next_heartbeat_ == TimePoint{}) next_heartbeat_ = now + options_.heartbeat_interval;
  for (const Contact& seed : seeds) {
    if (seed.id == self_.id) continue;
    table_.Heard(seed, now);
  }
  if (!seeds.empty()) FindNode(now, self_.id);
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

void DhtCore::OnMessage(TimePoint now, const NodeId& from, const Message& message) {
  if (from == self_.id) {
    ++messages_dropped_;
    return;
  }
  if (IsRequest(message.kind)) {
    Heard(now, Contact{from, message.source_address});
    ServeRequest(now, from, message);
  } else {
    HandleResponse(now, from, message);
  }
}

void DhtCore::ServeRequest(TimePoint now, const NodeId& from, const Message& request) {
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
      const uint32_t ttl_s = std::min(request.ttl_s, options_.record_ttl_s);
      reply.ok =
          records_.Put(request.target, request.values.at(0), now + std::chrono::seconds(ttl_s));
      break;
    }
    default:
      ++messages_dropped_;
      return;
  }
  Reply(from, request, std::move(reply));
}

void DhtCore::HandleResponse(TimePoint now, const NodeId& from, const Message& response) {
  auto it = pending_.find(response.request_id);
  // Only the node we asked may answer, and only once.
  if (it == pending_.end() || it->second.to.id != from) {
    ++messages_dropped_;
    return;
  }
  const PendingRequest request = it->second;
  deadlines_.erase({request.deadline, response.request_id});
  pending_.erase(it);
  Heard(now, request.to);
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
  // A node that does not answer leaves the table (a waiting replacement takes its place) and
  // waits among the dormant for another chance.
  table_.Remove(request.to.id, now);
  if (std::none_of(dormant_.begin(), dormant_.end(),
                   [&](const Contact& c) { return c.id == request.to.id; })) {
    dormant_.push_back(request.to);
    if (dormant_.size() > options_.dormant_contacts) dormant_.pop_front();
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
      op.stored += records_.Put(lookup.target(), op.value_to_store,
                                now + std::chrono::seconds(options_.record_ttl_s));
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
  std::vector<uint64_t> failed;
  for (const auto& [request_id, request] : pending_) {
    if (request.to.id == id) failed.push_back(request_id);
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
  for (const RoutingTable::PeerView& peer : table_.Peers()) {
    if (now - peer.last_seen >= options_.heartbeat_interval) {
      Ping(now, peer.contact, Purpose::kLivenessPing);
    }
  }
}

void DhtCore::OnTimer(TimePoint now) {
  if (!seeds_.empty() && table_.size() == 0 && now >= next_seed_dial_) DialSeeds(now);
  if (next_heartbeat_ != TimePoint{} && now >= next_heartbeat_) Heartbeat(now);
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
  return next;
}

}  // namespace lake::dht
