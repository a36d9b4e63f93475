#include "actors/dht_router.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "actors/actor_clock.h"
#include "actors/errors.h"
#include "actors/node_events.h"
#include "common/rng.h"

namespace lake::actors {
namespace {

using Self = DhtRouterActor::stateful_pointer<DhtRouterState>;

TimePoint Now(Self self) { return ActorNow(self); }

PeerInfo ToPeerInfo(const DhtRouterState& state, const dht::RoutingTable::PeerView& peer) {
  PeerInfo info;
  info.id = peer.contact.id;
  info.address = peer.contact.address;
  info.last_seen_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          (peer.last_seen + state.wall_offset).time_since_epoch())
                          .count();
  if (peer.rtt) info.rtt_ms = std::chrono::duration<double, std::milli>(*peer.rtt).count();
  info.connected = state.connected.count(peer.contact.id) > 0;
  return info;
}

// The driver's link to the world: messages and dials go to the transport, ticks to this actor.
dht::CoreDriver::Callbacks DriverCallbacks(Self self) {
  return {
      [self](const dht::Contact& to, Bytes message) {
        caf::anon_send(self->state.transport, send_atom::value, to.id, to.address,
                       std::move(message));
      },
      [self](const std::string& address) {
        caf::anon_send(self->state.transport, dial_atom::value, address);
      },
      [self](TimePoint when) {
        self->delayed_send(self, std::max(Duration{0}, when - Now(self)), tick_atom::value);
      },
  };
}

// What a finished operation answers its request with.
void Deliver(caf::response_promise& promise, dht::DhtCore::OperationResult result) {
  switch (result.kind) {
    case dht::DhtCore::OperationKind::kGet:
      promise.deliver(std::move(result.values));
      return;
    case dht::DhtCore::OperationKind::kPut:
      promise.deliver(static_cast<uint64_t>(result.stored));
      return;
    case dht::DhtCore::OperationKind::kFindNode: {
      std::vector<PeerInfo> closest;
      for (const dht::Contact& c : result.closest) {
        closest.push_back(PeerInfo{c.id, c.address, 0, -1, false});
      }
      promise.deliver(std::move(closest));
      return;
    }
  }
}

// Parks the current request until operation `id` finishes, which delivers its answer.
template <class T>
caf::delegated<T> Await(Self self, dht::DhtCore::OperationId id) {
  self->state.driver->Await(
      id, [promise = self->make_response_promise()](dht::DhtCore::OperationResult result) mutable {
        Deliver(promise, std::move(result));
      });
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
    return ToCafError(Status::Unavailable("dht router not attached yet"));
  };
  return {
      [=](attach_atom, TransportActor transport, const std::string& address) {
        auto& st = self->state;
        if (st.driver) return;
        st.transport = std::move(transport);
        st.driver = std::make_unique<dht::CoreDriver>(
            std::make_unique<dht::DhtCore>(dht::Contact{st.options.self, address}, st.options.dht,
                                           Rng(st.options.rng_seed)),
            DriverCallbacks(self));
        if (st.options.seeds.empty()) {
          spdlog::info("dht: first node of a new network, id {}", st.options.self.ShortHex());
        }
        st.driver->core().Join(Now(self), st.options.seeds);
        st.driver->Flush();
      },
      [=](deliver_atom, const NodeId& from, const Bytes& payload) {
        auto& st = self->state;
        // The transport pauses reading from a peer whose payloads wait here unprocessed.
        if (st.transport) {
          caf::anon_send(st.transport, consumed_atom::value, from, uint64_t{payload.size()});
        }
        if (!st.driver) return;
        Result<dht::Message> message = dht::DecodeMessage(payload, st.options.dht.limits);
        if (!message.ok()) {
          ++st.frames_bad;
          spdlog::warn("dht: dropping session with {}: {}", from.ShortHex(),
                       message.status().ToString());
          caf::anon_send(st.transport, close_atom::value, from);
          return;
        }
        // The session it came on is gone (a peer dropped for not reading sent these): its answer
        // could not be sent, and building it is the work the peer wanted us to waste.
        if (dht::IsRequest(message->kind) && st.lost.count(from) > 0) {
          ++st.requests_unanswered;
          return;
        }
        auto dialled = st.dialled.find(from);
        st.driver->core().OnMessage(Now(self), from, *message,
                                    dialled == st.dialled.end()
                                        ? std::nullopt
                                        : std::optional<std::string>(dialled->second));
        st.driver->Flush();
      },
      [=](peer_up_atom, const NodeId& peer, const std::string& address, bool outbound) {
        auto& st = self->state;
        st.lost.erase(peer);
        if (st.connected.insert(peer).second) {
          PublishEvent(self->system(), event_type::kPeerJoined,
                       {{"nodeId", peer.ToHex()}, {"address", address}});
        }
        // The transport announces its newest session with the peer: only one it dialled proves
        // the peer's address.
        if (outbound) {
          st.dialled[peer] = address;
        } else {
          st.dialled.erase(peer);
        }
        if (!st.driver || !outbound) return;
        switch (st.driver->core().OnDialed(Now(self), dht::Contact{peer, address})) {
          case dht::DhtCore::Dialed::kSeed:
            spdlog::info("dht: seed {} is {}, joining", address, peer.ShortHex());
            break;
          case dht::DhtCore::Dialed::kWrongSeed:
            spdlog::warn("dht: seed {} answered as {}, not the id it is pinned to; refused",
                         address, peer.ToHex());
            caf::anon_send(st.transport, close_atom::value, peer);
            break;
          case dht::DhtCore::Dialed::kOther:
            break;
        }
        st.driver->Flush();
      },
      [=](peer_down_atom, const NodeId& peer, bool lost) {
        auto& st = self->state;
        st.dialled.erase(peer);
        if (st.connected.erase(peer) > 0) {
          PublishEvent(self->system(), event_type::kPeerLeft, {{"nodeId", peer.ToHex()}});
        }
        if (!lost || !st.driver) return;
        if (st.lost.size() >= kMaxLostPeers) st.lost.clear();
        st.lost.insert(peer);
        st.driver->core().CheckAlive(Now(self), peer);
        st.driver->Flush();
      },
      [=](unreach_atom, const NodeId& peer) {
        auto& st = self->state;
        if (!st.driver) return;
        st.driver->core().OnUnreachable(Now(self), peer);
        st.driver->Flush();
      },
      [=](turned_away_atom, const NodeId& peer) {
        auto& st = self->state;
        if (!st.driver) return;
        st.driver->core().OnTurnedAway(Now(self), peer);
        st.driver->Flush();
      },
      [=](tick_atom) {
        if (self->state.driver) self->state.driver->OnWakeup(Now(self));
      },
      [=](get_atom, const Id& key) -> caf::result<std::vector<Bytes>> {
        if (!self->state.driver) return not_ready();
        return Await<std::vector<Bytes>>(self, self->state.driver->core().Get(Now(self), key));
      },
      [=](get_first_atom, const Id& key) -> caf::result<std::vector<Bytes>> {
        if (!self->state.driver) return not_ready();
        return Await<std::vector<Bytes>>(
            self,
            self->state.driver->core().Get(Now(self), key, dht::DhtCore::GetMode::kFirstFound));
      },
      [=](put_atom, const Id& key, const Bytes& value) -> caf::result<uint64_t> {
        if (!self->state.driver) return not_ready();
        return Await<uint64_t>(self, self->state.driver->core().Put(Now(self), key, value));
      },
      [=](find_atom, const Id& target) -> caf::result<std::vector<PeerInfo>> {
        if (!self->state.driver) return not_ready();
        return Await<std::vector<PeerInfo>>(self,
                                            self->state.driver->core().FindNode(Now(self), target));
      },
      [=](peers_atom) {
        auto& st = self->state;
        std::vector<PeerInfo> peers;
        if (!st.driver) return peers;
        for (const auto& peer : st.driver->core().table().Peers())
          peers.push_back(ToPeerInfo(st, peer));
        return peers;
      },
      [=](status_atom) {
        auto& st = self->state;
        RouterStatus status;
        status.id = st.options.self;
        if (!st.driver) return status;
        const dht::DhtCore& core = st.driver->core();
        status.address = core.self().address;
        status.peers = core.table().size();
        status.records = core.records().size();
        status.frames_bad = st.frames_bad;
        status.lookups_done = st.driver->operations_finished();
        status.replies_trimmed = core.replies_trimmed();
        status.requests_unanswered = st.requests_unanswered;
        return status;
      },
  };
}

}  // namespace lake::actors
