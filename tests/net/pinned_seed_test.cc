// Real `p2plake node` processes on 127.0.0.1: a seed written "<node id>@host:port" is joined
// through only if the node at that address proves that id; one that proves another id is refused
// and the joining node stays alone.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/net/node_process.h"

namespace lake::nettest {
namespace {

using std::chrono::seconds;

TEST_CASE("A seed pinned to another node's id is refused; pinned to its own id it is joined",
          "[net]") {
  const std::string dir = FreshTestDir("pinned-seed");
  NodeProcess seed(dir + "/seed");
  NodeProcess fooled(dir + "/fooled");
  NodeProcess pinned(dir + "/pinned");
  const bool seed_started = seed.Start();
  INFO(seed.error());
  REQUIRE(seed_started);
  REQUIRE(seed.node_id().size() == 64);

  // Another id for the same address: what a stale entry or a man in the middle would present.
  std::string wrong_id = seed.node_id();
  wrong_id[0] = wrong_id[0] == '0' ? '1' : '0';
  const bool fooled_started = fooled.Start({wrong_id + "@" + seed.p2p_address()});
  INFO(fooled.error());
  REQUIRE(fooled_started);
  const bool refused = Eventually(
      [&] { return fooled.Stderr().find("not the id it is pinned to") != std::string::npos; },
      seconds(10));
  INFO(fooled.Stderr());
  CHECK(refused);
  // Seed re-dials back off from half a second: a few of them pass, none is joined through.
  std::this_thread::sleep_for(seconds(2));
  CHECK(PeerIds(fooled.http_port()).empty());
  CHECK(PeerIds(seed.http_port()).empty());

  const bool pinned_started = pinned.Start({seed.node_id() + "@" + seed.p2p_address()});
  INFO(pinned.error());
  REQUIRE(pinned_started);
  CHECK(Eventually(
      [&] { return PeerIds(pinned.http_port()) == std::vector<std::string>{seed.node_id()}; },
      seconds(10)));
  CHECK(Eventually(
      [&] { return PeerIds(seed.http_port()) == std::vector<std::string>{pinned.node_id()}; },
      seconds(10)));
}

}  // namespace
}  // namespace lake::nettest
