#include "actors/dht_router.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/rng.h"

namespace lake::actors {
namespace {

using Self = DhtRouterActor::stateful_pointer<DhtRouterState>;

TimePoint Now(Self self) {
  return TimePoint(std::chrono::duration_cast<Duration>(self->clock().now().time_since_epoch()));
}

PeerInfo ToPeerInfo(const DhtRouterState& state, const dht::RoutingTable::PeerView& peer) {
  PeerInfo info;
  info.id = peer.contact.id;
  info.address = peer.contact.address;
  info.last_seen_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          (peer.last_seen + state.wall_offset).time_since_epoch())
                          .count();
  if (peer.rtt) info.rtt_ms = std::chrono::duration<double, std::milli>(*peer.rtt).count();
  return info;
}

void DialSeeds(Self self, TimePoint now) {
  auto& st = self->state;
  for (const std::string& seed : st.options.seeds)
    caf::anon_send(st.transport, dial_atom::value, seed);
  st.seed_retry =
      std::min(st.options.seed_retry_max,
               st.seed_retry == Duration{} ? st.options.seed_retry_min : st.seed_retry * 2);
  st.next_seed_dial = now + st.seed_retry;
}

// Pings contacts nobody heard from for a heartbeat interval: a node that died without closing
// its connection (power loss, partition) leaves the table within two intervals.
void Heartbeat(Self self, TimePoint now) {
  auto& st = self->state;
  st.next_heartbeat = now + st.options.heartbeat_interval;
  for (const auto& peer : st.core->table().Peers()) {
    if (now - peer.last_seen >= st.options.heartbeat_interval) {
      st.core->CheckAlive(now, peer.contact.id);
    }
  }
}

// Sends what the core queued, answers finished operations and arms the next tick.
void Flush(Self self, TimePoint now) {
  auto& st = self->state;
  dht::DhtCore::Outbox out = st.core->TakeOutbox();
  for (dht::DhtCore::Send& send : out.sends) {
    caf::anon_send(st.transport, send_atom::value, send.to.id, send.to.address,
                   dht::EncodeMessage(send.message));
  }
  for (dht::DhtCore::OperationResult& result : out.results) {
    ++st.lookups_done;
    auto it = st.waiting.find(result.id);
    if (it == st.waiting.end()) continue;
    switch (result.kind) {
      case dht::DhtCore::OperationKind::kGet:
        it->second.deliver(std::move(result.values));
        break;
      case dht::DhtCore::OperationKind::kPut:
        it->second.deliver(static_cast<uint64_t>(result.stored));
        break;
      case dht::DhtCore::OperationKind::kFindNode: {
        std::vector<PeerInfo> closest;
        for (const dht::Contact& c : result.closest) {
          closest.push_back(PeerInfo{c.id, c.address, 0, -1});
        }
        it->second.deliver(std::move(closest));
        break;
      }
    }
    st.waiting.erase(it);
  }
  TimePoint wake = std::min(st.core->NextWakeup(), st.next_heartbeat);
  if (!st.options.seeds.empty() && st.core->table().size() == 0) {
    wake = std::min(wake, st.next_seed_dial);
  }
  if (st.armed && *st.armed <= wake) return;
  st.armed = wake;
  self->delayed_send(self, std::max(Duration{0}, wake - now), tick_atom::value);
}

// Parks the current request until operation `id` finishes (Flush delivers its answer).
template <class T>
caf::delegated<T> Await(Self self, dht::DhtCore::OperationId id) {
  self->state.waiting.emplace(id, self->make_response_promise());
  Flush(self, Now(self));
  return {};
}

}  // namespace

DhtRouterActor::behavior_type DhtRouter(Self self, DhtRouterOptions options) {
  auto& st = self->state;
  st.wall_offset =
      std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch()) -
      Now(self).time_since_epoch();
  st.options = std::move(options);
  const auto not_ready = [] {
    return caf::make_error(caf::sec::request_receiver_down, "dht router not attached yet");
  };
  return {
      [=](attach_atom, TransportActor transport, const std::string& address) {
        auto& st = self->state;
        if (st.core) return;
        st.core = std::make_unique<dht::DhtCore>(dht::Contact{st.options.self, address},
                                                 st.options.dht, Rng(st.options.rng_seed));
        st.transport = std::move(transport);
        const TimePoint now = Now(self);
        st.next_heartbeat = now + st.options.heartbeat_interval;
        if (st.options.seeds.empty()) {
          st.core->Bootstrap(now, {});
          spdlog::info("dht: first node of a new network, id {}", st.options.self.ShortHex());
        } else {
          DialSeeds(self, now);
        }
        Flush(self, now);
      },
      [=](deliver_atom, const NodeId& from, const Bytes& payload) {
        auto& st = self->state;
        if (!st.core) return;
        Result<dht::Message> message = dht::DecodeMessage(payload, st.options.dht.limits);
        if (!message.ok()) {
          ++st.frames_bad;
          spdlog::warn("dht: dropping session with {}: {}", from.ShortHex(),
                       message.status().ToString());
          caf::anon_send(st.transport, close_atom::value, from);
          return;
        }
        const TimePoint now = Now(self);
        st.core->OnMessage(now, from, *message);
        Flush(self, now);
      },
      [=](peer_up_atom, const NodeId& peer, const std::string& address, bool outbound) {
        auto& st = self->state;
        if (!st.core) return;
        const bool is_seed = outbound && std::find(st.options.seeds.begin(), st.options.seeds.end(),
                                                   address) != st.options.seeds.end();
        if (!is_seed) return;
        // A seed answered: join through it (also after a restart of either side).
        const TimePoint now = Now(self);
        spdlog::info("dht: seed {} is {}, joining", address, peer.ShortHex());
        st.core->Bootstrap(now, {dht::Contact{peer, address}});
        Flush(self, now);
      },
      [=](peer_down_atom, const NodeId& peer) {
        if (!self->state.core) return;
        const TimePoint now = Now(self);
        self->state.core->CheckAlive(now, peer);
        Flush(self, now);
      },
      [=](unreach_atom, const NodeId& peer) {
        if (!self->state.core) return;
        const TimePoint now = Now(self);
        self->state.core->OnUnreachable(now, peer);
        Flush(self, now);
      },
      [=](tick_atom) {
        auto& st = self->state;
        if (!st.core) return;
        const TimePoint now = Now(self);
        if (st.armed && *st.armed <= now) st.armed.reset();
        if (!st.options.seeds.empty() && st.core->table().size() == 0 && now >= st.next_seed_dial) {
          DialSeeds(self, now);
        }
        if (now >= st.next_heartbeat) Heartbeat(self, now);
        if (now >= st.core->NextWakeup()) st.core->OnTimer(now);
        Flush(self, now);
      },
      [=](get_atom, const Id& key) -> caf::result<std::vector<Bytes>> {
        if (!self->state.core) return not_ready();
        return Await<std::vector<Bytes>>(self, self->state.core->Get(Now(self), key));
      },
      [=](get_first_atom, const Id& key) -> caf::result<std::vector<Bytes>> {
        if (!self->state.core) return not_ready();
        return Await<std::vector<Bytes>>(
            self, self->state.core->Get(Now(self), key, dht::DhtCore::GetMode::kFirstFound));
      },
      [=](put_atom, const Id& key, const Bytes& value) -> caf::result<uint64_t> {
        if (!self->state.core) return not_ready();
        return Await<uint64_t>(self, self->state.core->Put(Now(self), key, value));
      },
      [=](find_atom, const Id& target) -> caf::result<std::vector<PeerInfo>> {
        if (!self->state.core) return not_ready();
        return Await<std::vector<PeerInfo>>(self, self->state.core->FindNode(Now(self), target));
      },
      [=](peers_atom) {
        auto& st = self->state;
        std::vector<PeerInfo> peers;
        if (!st.core) return peers;
        for (const auto& peer : st.core->table().Peers()) peers.push_back(ToPeerInfo(st, peer));
        return peers;
      },
      [=](status_atom) {
        auto& st = self->state;
        RouterStatus status;
        status.id = st.options.self;
        if (!st.core) return status;
        status.address = st.core->self().address;
        status.peers = st.core->table().size();
        status.records = st.core->records().size();
        status.frames_bad = st.frames_bad;
        status.lookups_done = st.lookups_done;
        return status;
      },
  };
}

}  // namespace lake::actors
