// Wire: a tiny network of DhtCores wired by hand for the core's tests, with helpers to compare
// contacts by distance. Header-only; each test file includes it inside no namespace of its own.
// Thread-safety: none (one test at a time).
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/rng.h"
#include "dht/dht_core.h"

namespace lake::dht::test_wire {

using namespace std::chrono_literals;
using OperationResult = DhtCore::OperationResult;

inline const TimePoint kT0 = FromMicros(1'767'225'600'000'000);

inline std::vector<Contact> SortedByDistance(std::vector<Contact> contacts, const Id& target) {
  std::sort(contacts.begin(), contacts.end(),
            [&](const Contact& a, const Contact& b) { return CloserTo(target, a.id, b.id); });
  return contacts;
}

// A tiny network of DhtCores. Messages travel instantly, in FIFO order, through the wire
// encoding; addresses are "node:<index>". Nodes listed in `silent` receive and send nothing. Like the
// simulator, a response counts as arriving on a session dialled to the responder (its address is
// verified), a request as arriving on the requester's own connection; dials are answered at once
// by the node at the address.
struct Wire {
  struct Packet {
    size_t from;
    DhtCore::Send send;
  };

  explicit Wire(size_t n, DhtOptions opts = DhtOptions(), uint64_t seed = 1) : options(opts) {
    Rng rng(seed);
    for (size_t i = 0; i < n; ++i) {
      const Contact self{rng.NextId(), "node:" + std::to_string(i)};
      cores.push_back(std::make_unique<DhtCore>(self, options, rng.Child(i)));
      results.emplace_back();
    }
  }

  DhtCore& core(size_t i) { return *cores[i]; }
  const Contact& contact(size_t i) const { return cores[i]->self(); }
  std::vector<Contact> AllContacts() const {
    std::vector<Contact> out;
    for (const auto& c : cores) out.push_back(c->self());
    return out;
  }

  // Moves node i's outbox onto the wire and its finished operations into results[i].
  void Collect(size_t i) {
    DhtCore::Outbox outbox = cores[i]->TakeOutbox();
    for (DhtCore::Send& send : outbox.sends) queue.push_back(Packet{i, std::move(send)});
    for (std::string& address : outbox.dials) dials.emplace_back(i, std::move(address));
    for (OperationResult& r : outbox.results) results[i].push_back(std::move(r));
  }
  void CollectAll() {
    for (size_t i = 0; i < cores.size(); ++i) Collect(i);
  }

  std::optional<size_t> IndexOf(const std::string& address) const {
    for (size_t i = 0; i < cores.size(); ++i) {
      if (cores[i]->self().address == address) return i;
    }
    return std::nullopt;
  }

  // Delivers one packet through the wire encoding; false if it was lost.
  bool Deliver(const Packet& packet) {
    const std::optional<size_t> to = IndexOf(packet.send.to.address);
    // The contact named in a send must be the node at that address.
    if (to) CHECK(packet.send.to.id == cores[*to]->self().id);
    if (!to || silent.count(*to) || silent.count(packet.from)) {
      ++lost;
      return false;
    }
    const Bytes bytes = EncodeMessage(packet.send.message);
    Result<Message> decoded = DecodeMessage(bytes, options.limits);
    if (!decoded.ok()) {
      ++undecodable;
      return false;
    }
    CHECK(*decoded == packet.send.message);
    const std::optional<std::string> verified =
        IsRequest(decoded->kind) ? std::nullopt
                                 : std::optional<std::string>(cores[packet.from]->self().address);
    cores[*to]->OnMessage(now, cores[packet.from]->self().id, *decoded, verified);
    Collect(*to);
    return true;
  }

  // Delivers until the wire is empty.
  void Pump() {
    CollectAll();
    for (int guard = 0; !queue.empty() || !dials.empty(); ++guard) {
      REQUIRE(guard < 100000);
      if (!dials.empty()) {
        auto [from, address] = std::move(dials.front());
        dials.pop_front();
        const std::optional<size_t> to = IndexOf(address);
        if (!to || silent.count(*to)) continue;
        ++dials_answered;
        cores[from]->OnDialed(now, contact(*to));
        Collect(from);
        continue;
      }
      Packet packet = std::move(queue.front());
      queue.pop_front();
      Deliver(packet);
    }
  }

  // Advances time to `until`, ticking every core at each wake-up on the way and pumping.
  void RunUntil(TimePoint until) {
    Pump();
    for (int guard = 0; guard < 100000; ++guard) {
      TimePoint next = until;
      for (const auto& c : cores) {
        const TimePoint wake = c->NextWakeup();
        if (wake != TimePoint{} && wake < next) next = wake;
      }
      if (next > now) now = next;
      for (const auto& c : cores) {
        const TimePoint wake = c->NextWakeup();
        if (wake != TimePoint{} && wake <= now) c->OnTimer(now);
      }
      Pump();
      if (now >= until) return;
    }
    FAIL("RunUntil did not reach its deadline");
  }

  // Node 0 starts the network; every other node bootstraps through node 0.
  void BootstrapAll() {
    cores[0]->Bootstrap(now, {});
    Pump();
    for (size_t i = 1; i < cores.size(); ++i) {
      cores[i]->Bootstrap(now, {contact(0)});
      Pump();
    }
    for (auto& r : results) r.clear();  // the bootstrap lookups
  }

  // The result of operation `op` on node i, if it finished.
  std::optional<OperationResult> Find(size_t i, DhtCore::OperationId op) const {
    for (const OperationResult& r : results[i]) {
      if (r.id == op) return r;
    }
    return std::nullopt;
  }

  DhtOptions options;
  std::vector<std::unique_ptr<DhtCore>> cores;
  std::vector<std::vector<OperationResult>> results;
  std::deque<Packet> queue;
  std::deque<std::pair<size_t, std::string>> dials;  // (dialling node, address)
  std::set<size_t> silent;
  size_t dials_answered = 0;
  TimePoint now = kT0;
  size_t lost = 0;
  size_t undecodable = 0;
};

inline std::vector<NodeId> IdsOf(const std::vector<Contact>& contacts) {
  std::vector<NodeId> out;
  for (const Contact& c : contacts) out.push_back(c.id);
  return out;
}

}  // namespace lake::dht::test_wire
