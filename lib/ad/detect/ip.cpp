#include "ad/detect/ip.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <cstring>

namespace ad {

namespace {
bool parse(std::string_view text, int& family, unsigned char* bytes) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return false;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (::inet_pton(AF_INET, buf, bytes) == 1) {
    family = AF_INET;
    return true;
  }
  if (::inet_pton(AF_INET6, buf, bytes) == 1) {
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    if (std::memcmp(bytes, kMapped, 12) == 0) {  // ::ffff:a.b.c.d is IPv4
      std::memmove(bytes, bytes + 12, 4);
      std::memset(bytes + 4, 0, 12);
      family = AF_INET;
      return true;
    }
    family = AF_INET6;
    return true;
  }
  return false;
}
}  // namespace

std::optional<std::string> canonical_ip(std::string_view text) {
  unsigned char b[16] = {};
  int family = 0;
  if (!parse(text, family, b)) return std::nullopt;
  char out[INET6_ADDRSTRLEN];
  ::inet_ntop(family, b, out, sizeof out);
  return std::string(out);
}

namespace {
// The IPv4 network of `v4_bits` (24 or 16) or the IPv6 network of `v6_bits` (48 or 32)
// that holds the parsed address b.
std::string network_of(int family, const unsigned char* address, int v4_bits, int v6_bits) {
  unsigned char b[16];
  std::memcpy(b, address, sizeof b);
  if (family == AF_INET)
    return v4_bits == 24 ? fmt::format("{}.{}.{}.0/24", b[0], b[1], b[2]) : fmt::format("{}.{}.0.0/16", b[0], b[1]);
  const std::size_t keep = static_cast<std::size_t>(v6_bits / 8);
  std::memset(b + keep, 0, 16 - keep);
  char addr[INET6_ADDRSTRLEN];
  ::inet_ntop(AF_INET6, b, addr, sizeof addr);
  return fmt::format("{}/{}", addr, v6_bits);
}

std::optional<std::string> network_of(std::string_view text, int v4_bits, int v6_bits) {
  unsigned char b[16] = {};
  int family = 0;
  if (!parse(text, family, b)) return std::nullopt;
  return network_of(family, b, v4_bits, v6_bits);
}
}  // namespace

std::optional<std::string> ip_network(std::string_view text) { return network_of(text, 24, 48); }

std::optional<std::string> ip_wide_network(std::string_view text) { return network_of(text, 16, 32); }

std::optional<IpNames> ip_names(std::string_view text) {
  unsigned char b[16] = {};
  int family = 0;
  if (!parse(text, family, b)) return std::nullopt;
  char out[INET6_ADDRSTRLEN];
  ::inet_ntop(family, b, out, sizeof out);
  return IpNames{out, network_of(family, b, 24, 48), network_of(family, b, 16, 32)};
}

}  // namespace ad
