// The dialer's time limits, with a stand-in name resolver as slow as a name server that does not
// answer: a dial fails within its timeout however long resolution takes, and names that never
// resolve leave a bounded number of resolver threads behind.
#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "actors/dialer.h"
#include "actors/interfaces.h"
#include "tests/actors/loopback_listener.h"

namespace lake::actors {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// A resolver that answers 127.0.0.1 for any name, but only once its gate opens (as a name server
// that does not answer, until the test ends).
class GatedResolver {
 public:
  NameResolver resolver() {
    return [gate = gate_](const char*, const char* port, const addrinfo* hints, addrinfo** found) {
      std::unique_lock<std::mutex> lock(gate->mu);
      gate->cv.wait_for(lock, std::chrono::seconds(30), [&] { return gate->open; });
      addrinfo numeric = *hints;
      numeric.ai_flags = AI_NUMERICHOST;
      return getaddrinfo("127.0.0.1", port, &numeric, found);
    };
  }
  // Lets every waiting resolution answer, then gives their threads a moment to finish.
  void Open() {
    {
      std::lock_guard<std::mutex> lock(gate_->mu);
      gate_->open = true;
    }
    gate_->cv.notify_all();
    std::this_thread::sleep_for(milliseconds(200));
  }
  ~GatedResolver() { Open(); }

 private:
  struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
  };
  std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
};

struct DialOutcome {
  bool connected = false;
  std::string error;
  Clock::duration took{};
};

DialOutcome DialAndWait(caf::actor_system& system, const std::string& address, milliseconds timeout,
                        NameResolver resolve) {
  caf::scoped_actor self{system};
  DialOutcome outcome;
  const auto start = Clock::now();
  Dial(caf::actor_cast<caf::actor>(self), 1, address, timeout, std::move(resolve));
  self->receive(
      [&](dialed_atom, uint64_t, int fd) {
        outcome.connected = true;
        close(fd);
      },
      [&](dial_fail_atom, uint64_t, const std::string& why) { outcome.error = why; },
      caf::after(std::chrono::seconds(40)) >> [&] { outcome.error = "no answer"; });
  outcome.took = Clock::now() - start;
  return outcome;
}

TEST_CASE("A dial fails within its timeout when the name does not resolve in time",
          "[actors][dialer]") {
  caf::actor_system_config config;
  caf::actor_system system{config};
  LoopbackListener listener;
  GatedResolver slow;

  const DialOutcome outcome =
      DialAndWait(system, "slow.example:" + listener.port(), milliseconds(300), slow.resolver());
  CHECK_FALSE(outcome.connected);
  CHECK(outcome.error == "name did not resolve within 300 ms");
  CHECK(outcome.took < milliseconds(1500));

  // Once names answer, the same dial connects.
  slow.Open();
  CHECK(DialAndWait(system, "slow.example:" + listener.port(), milliseconds(300), slow.resolver())
            .connected);
}

TEST_CASE("Names that never resolve leave a bounded number of resolver threads behind",
          "[actors][dialer]") {
  caf::actor_system_config config;
  caf::actor_system system{config};
  LoopbackListener listener;
  GatedResolver stuck;
  const std::string address = "stuck.example:" + listener.port();

  for (int i = 0; i < kMaxLingeringResolutions; ++i) {
    CHECK(DialAndWait(system, address, milliseconds(50), stuck.resolver()).error ==
          "name did not resolve within 50 ms");
  }
  // Every resolver thread allowed is stuck: a further name fails at once, without a thread.
  const DialOutcome refused = DialAndWait(system, address, milliseconds(2000), stuck.resolver());
  CHECK(refused.error == "too many name resolutions under way");
  CHECK(refused.took < milliseconds(1000));
  // A numeric address needs no resolver thread, and still connects.
  CHECK(DialAndWait(system, "127.0.0.1:" + listener.port(), milliseconds(300), stuck.resolver())
            .connected);

  // Once the stuck resolutions end, names are dialled again.
  stuck.Open();
  CHECK(DialAndWait(system, address, milliseconds(300), stuck.resolver()).connected);
}

}  // namespace
}  // namespace lake::actors
