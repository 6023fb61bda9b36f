// ip.h: IP addresses as login features.
//
// Users log in from a few networks (office, home ISP, phone carrier) whose addresses
// change within a block. ad therefore judges an address also by its network: the /24
// for IPv4 and the /48 for IPv6, the usual allocation units; and by its wide network,
// the /16 for IPv4 and the /32 for IPv6, about the block a provider holds, inside which
// a phone's carrier-grade NAT address or a home's address moves (network.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ad {

// One spelling per address: IPv6 in lower case and compressed as RFC 5952 writes it
// ("2001:DB8:0::1" is "2001:db8::1"), and an IPv4-mapped IPv6 address as the IPv4
// address ("::ffff:10.1.2.3" is "10.1.2.3"). nullopt if text is not an IP address.
std::optional<std::string> canonical_ip(std::string_view text);

// "10.1.2.0/24" for "10.1.2.77"; "2001:db8:42::/48" for "2001:db8:42:1::5"; an
// IPv4-mapped address gets its IPv4 network. nullopt if text is not an IP address.
std::optional<std::string> ip_network(std::string_view text);

// "10.1.0.0/16" for "10.1.2.77"; "2001:db8::/32" for "2001:db8:42:1::5"; an
// IPv4-mapped address gets its IPv4 /16. nullopt if text is not an IP address.
std::optional<std::string> ip_wide_network(std::string_view text);

// The three names above of one address, from one parse: canonical_ip, ip_network and
// ip_wide_network of text. nullopt if text is not an IP address.
struct IpNames {
  std::string address, network, wide;
};
std::optional<IpNames> ip_names(std::string_view text);

}  // namespace ad
