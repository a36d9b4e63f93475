// AddressGroup: which network a peer's "host:port" address belongs to, for the limits that stop
// one host (or one small network) from filling a routing table or a record store: an IPv4
// address groups by its /24, an IPv6 address by its /48, and any other host (a name, the
// simulator's "sim:<n>") is a group of its own. Public addresses are marked: the routing
// table's per-group limits spare loopback and private networks, where a whole test or LAN
// cluster legitimately shares one /24.
// Thread-safety: value types and pure functions (the core never resolves names).
#pragma once

#include <string>
#include <string_view>

namespace lake::dht {

struct AddressGroup {
  std::string name;          // "v4:10.1.2", "v6:2001:db8:1", "host:example.org"
  bool is_public = false;    // an IP address outside loopback, private and link-local ranges
  friend bool operator==(const AddressGroup&, const AddressGroup&) = default;
};

// The group of "host:port", "[ipv6]:port" or a bare host.
AddressGroup GroupOfAddress(std::string_view address);

}  // namespace lake::dht
