#include "dht/address_group.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <vector>

namespace lake::dht {
namespace {

// The host part of "host:port" / "[v6]:port" / "host"; a bare IPv6 address (several colons, no
// brackets) is all host.
std::string_view HostOf(std::string_view address) {
  if (!address.empty() && address.front() == '[') {
    const size_t close = address.find(']');
    return close == std::string_view::npos ? address.substr(1) : address.substr(1, close - 1);
  }
  const size_t colon = address.find(':');
  if (colon == std::string_view::npos || address.find(':', colon + 1) != std::string_view::npos) {
    return address;
  }
  return address.substr(0, colon);
}

std::optional<std::array<uint8_t, 4>> ParseIpv4(std::string_view host) {
  std::array<uint8_t, 4> out{};
  size_t part = 0;
  size_t i = 0;
  while (part < 4) {
    if (i >= host.size() || host[i] < '0' || host[i] > '9') return std::nullopt;
    unsigned value = 0;
    size_t digits = 0;
    while (i < host.size() && host[i] >= '0' && host[i] <= '9' && digits < 4) {
      value = value * 10 + static_cast<unsigned>(host[i] - '0');
      ++i;
      ++digits;
    }
    if (value > 255 || digits > 3) return std::nullopt;
    out[part++] = static_cast<uint8_t>(value);
    if (part < 4) {
      if (i >= host.size() || host[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i != host.size()) return std::nullopt;
  return out;
}

std::optional<uint16_t> ParseHextet(std::string_view text) {
  if (text.empty() || text.size() > 4) return std::nullopt;
  uint16_t value = 0;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    value = static_cast<uint16_t>(value * 16 + digit);
  }
  return value;
}

// The eight hextets of an IPv6 address ("::" expanded; an embedded IPv4 tail or a zone index is
// not needed for grouping and makes the text no address here).
std::optional<std::array<uint16_t, 8>> ParseIpv6(std::string_view host) {
  const auto split = [](std::string_view text) {
    std::vector<std::string_view> parts;
    if (text.empty()) return parts;
    size_t start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
      if (i == text.size() || text[i] == ':') {
        parts.push_back(text.substr(start, i - start));
        start = i + 1;
      }
    }
    return parts;
  };
  const size_t gap = host.find("::");
  std::vector<std::string_view> head = split(gap == std::string_view::npos ? host : host.substr(0, gap));
  std::vector<std::string_view> tail =
      gap == std::string_view::npos ? std::vector<std::string_view>{} : split(host.substr(gap + 2));
  if (gap == std::string_view::npos ? head.size() != 8 : head.size() + tail.size() > 7) {
    return std::nullopt;
  }
  std::array<uint16_t, 8> out{};
  for (size_t i = 0; i < head.size(); ++i) {
    std::optional<uint16_t> h = ParseHextet(head[i]);
    if (!h) return std::nullopt;
    out[i] = *h;
  }
  for (size_t i = 0; i < tail.size(); ++i) {
    std::optional<uint16_t> h = ParseHextet(tail[i]);
    if (!h) return std::nullopt;
    out[8 - tail.size() + i] = *h;
  }
  return out;
}

bool IsPublicIpv4(const std::array<uint8_t, 4>& a) {
  return !(a[0] == 0 || a[0] == 10 || a[0] == 127 || (a[0] == 169 && a[1] == 254) ||
           (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
           (a[0] == 100 && (a[1] & 0xc0) == 64));  // carrier-grade NAT
}

bool IsPublicIpv6(const std::array<uint16_t, 8>& h) {
  bool zero_head = true;  // :: and ::1
  for (size_t i = 0; i < 7; ++i) zero_head = zero_head && h[i] == 0;
  return !(zero_head || (h[0] & 0xfe00) == 0xfc00 ||  // unique local fc00::/7
           (h[0] & 0xffc0) == 0xfe80);               // link-local fe80::/10
}

}  // namespace

AddressGroup GroupOfAddress(std::string_view address) {
  const std::string_view host = HostOf(address);
  if (std::optional<std::array<uint8_t, 4>> v4 = ParseIpv4(host)) {
    char name[24];
    std::snprintf(name, sizeof name, "v4:%u.%u.%u", (*v4)[0], (*v4)[1], (*v4)[2]);
    return AddressGroup{name, IsPublicIpv4(*v4)};
  }
  if (std::optional<std::array<uint16_t, 8>> v6 = ParseIpv6(host)) {
    char name[24];
    std::snprintf(name, sizeof name, "v6:%x:%x:%x", (*v6)[0], (*v6)[1], (*v6)[2]);
    return AddressGroup{name, IsPublicIpv6(*v6)};
  }
  return AddressGroup{"host:" + std::string(host), false};
}

}  // namespace lake::dht
