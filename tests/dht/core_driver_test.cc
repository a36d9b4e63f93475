// CoreDriver over a real DhtCore with recording callbacks: what it sends and dials, which
// operations it completes, and when it asks for a wake-up.
#include "dht/core_driver.h"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "common/rng.h"
#include "dht/messages.h"

namespace lake::dht {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = FromMicros(1'767'225'600'000'000);

// A driver whose callbacks record what they are given.
struct Recorder {
  explicit Recorder(uint64_t seed, const DhtOptions& options = DhtOptions()) {
    Rng rng(seed);
    self = Contact{rng.NextId(), "self:1"};
    driver = std::make_unique<CoreDriver>(
        std::make_unique<DhtCore>(self, options, rng.Child(1)),
        CoreDriver::Callbacks{
            [this](const Contact& to, Bytes bytes) {
              Result<Message> message = DecodeMessage(bytes);
              REQUIRE(message.ok());
              sent.push_back(DhtCore::Send{to, *message});
            },
            [this](const std::string& address) { dialled.push_back(address); },
            [this](TimePoint when) { scheduled.push_back(when); },
        });
  }

  Contact self;
  std::unique_ptr<CoreDriver> driver;
  std::vector<DhtCore::Send> sent;
  std::vector<std::string> dialled;
  std::vector<TimePoint> scheduled;
};

TEST_CASE("The driver dials and sends what the core queued, decodable as sent",
          "[dht][core_driver]") {
  Recorder r(1);
  DhtCore& core = r.driver->core();
  core.Join(kT0, {"seed:1"});
  r.driver->Flush();
  CHECK(r.dialled == std::vector<std::string>{"seed:1"});
  CHECK(r.sent.empty());
  const Contact seed{Rng(2).NextId(), "seed:1"};
  REQUIRE(core.OnDialed(kT0 + 10ms, seed) == DhtCore::Dialed::kSeed);
  r.driver->Flush();
  REQUIRE(r.sent.size() == 1);
  CHECK(r.sent[0].to == seed);
  CHECK(r.sent[0].message.kind == MessageKind::kFindNode);
  CHECK(r.sent[0].message.target == r.self.id);
  // A flush with nothing queued sends nothing again.
  r.driver->Flush();
  CHECK(r.sent.size() == 1);
  CHECK(r.dialled.size() == 1);
}

TEST_CASE("The driver completes awaited operations once and ignores the others",
          "[dht][core_driver]") {
  Recorder r(3);
  DhtCore& core = r.driver->core();
  core.Join(kT0, {});  // alone: lookups finish at once
  std::vector<DhtCore::OperationResult> completed;
  const DhtCore::OperationId unawaited = core.FindNode(kT0, Rng(4).NextId());
  const DhtCore::OperationId awaited = core.FindNode(kT0, Rng(5).NextId());
  r.driver->Await(awaited,
                  [&](DhtCore::OperationResult result) { completed.push_back(std::move(result)); });
  REQUIRE(completed.size() == 1);
  CHECK(completed[0].id == awaited);
  CHECK(completed[0].id != unawaited);
  CHECK(completed[0].closest == std::vector<Contact>{r.self});
  CHECK(r.driver->operations_finished() == 2);
  r.driver->Flush();
  CHECK(completed.size() == 1);
}

TEST_CASE("The driver asks for a wake-up only when it is due before the one armed",
          "[dht][core_driver]") {
  DhtOptions options;
  options.join_lookup_repeats = 0;  // no later lookups in the way
  Recorder r(6, options);
  DhtCore& core = r.driver->core();
  core.Join(kT0, {});
  r.driver->Flush();
  CHECK(r.scheduled == std::vector<TimePoint>{kT0 + options.heartbeat_interval});
  r.driver->Flush();
  CHECK(r.scheduled.size() == 1);

  // A request's deadline comes before the armed heartbeat: an earlier wake-up is asked for.
  const Contact peer{Rng(7).NextId(), "peer:1"};
  core.Bootstrap(kT0, {peer});
  r.driver->Flush();
  const TimePoint deadline = kT0 + options.request_timeout;
  CHECK(r.scheduled == std::vector<TimePoint>{kT0 + options.heartbeat_interval, deadline});

  // A stale wake-up before the armed one leaves it armed.
  r.driver->OnWakeup(kT0 + 1s);
  CHECK(r.scheduled.size() == 2);
  CHECK(core.table().Contains(peer.id));

  // The armed one fires: the request times out, and the next wake-up is asked for anew.
  r.driver->OnWakeup(deadline);
  CHECK(core.requests_failed() == 1);
  CHECK(r.scheduled == std::vector<TimePoint>{kT0 + options.heartbeat_interval, deadline,
                                              kT0 + options.heartbeat_interval});
}

}  // namespace
}  // namespace lake::dht
