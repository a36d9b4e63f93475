// AddressGroup: IPv4 by /24, IPv6 by /48, anything else by its host name; which are public.
#include "dht/address_group.h"

#include <catch2/catch.hpp>

namespace lake::dht {
namespace {

TEST_CASE("GroupOfAddress groups IPv4 by /24 and IPv6 by /48, ignoring ports",
          "[dht][address_group]") {
  CHECK(GroupOfAddress("203.0.113.7:4000") == AddressGroup{"v4:203.0.113", true});
  CHECK(GroupOfAddress("203.0.113.200:1") == GroupOfAddress("203.0.113.7:4000"));
  CHECK(GroupOfAddress("203.0.114.7:4000") != GroupOfAddress("203.0.113.7:4000"));
  CHECK(GroupOfAddress("[2001:db8:1:2::1]:4000") == AddressGroup{"v6:2001:db8:1", true});
  CHECK(GroupOfAddress("[2001:db8:1:ffff:0:0:0:9]:1") == GroupOfAddress("[2001:db8:1::]:4000"));
  CHECK(GroupOfAddress("[2001:db8:2::1]:4000") != GroupOfAddress("[2001:db8:1::1]:4000"));
  CHECK(GroupOfAddress("2001:db8:1::5") == GroupOfAddress("[2001:db8:1::1]:4000"));
}

TEST_CASE("GroupOfAddress marks loopback, private and link-local networks as not public",
          "[dht][address_group]") {
  for (const char* address : {"127.0.0.1:4000", "10.1.2.3:1", "172.16.0.1:1", "172.31.9.9:1",
                              "192.168.1.1:1", "169.254.1.1:1", "100.64.0.1:1", "0.0.0.0:1",
                              "[::1]:4000", "[fd00::1]:1", "[fe80::1]:1"}) {
    INFO(address);
    CHECK_FALSE(GroupOfAddress(address).is_public);
  }
  CHECK(GroupOfAddress("172.32.0.1:1").is_public);
  CHECK(GroupOfAddress("8.8.8.8:53").is_public);
}

TEST_CASE("GroupOfAddress treats anything that is no IP address as a host of its own",
          "[dht][address_group]") {
  CHECK(GroupOfAddress("node-3.example:4000") == AddressGroup{"host:node-3.example", false});
  CHECK(GroupOfAddress("sim:12") == AddressGroup{"host:sim", false});
  for (const char* address : {"256.0.0.1:1", "1.2.3:1", "1.2.3.4.5:1", "[2001:db8::1::2]:1",
                              "[12345::1]:1"}) {
    INFO(address);
    CHECK(GroupOfAddress(address).name.rfind("host:", 0) == 0);
  }
}

}  // namespace
}  // namespace lake::dht
