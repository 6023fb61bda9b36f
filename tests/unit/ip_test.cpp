#include "ad/ip.h"

#include <doctest/doctest.h>

TEST_SUITE("ip") {
  TEST_CASE("networks of IPv4 and IPv6 addresses") {
    CHECK(ad::ip_network("10.1.2.77") == "10.1.2.0/24");
    CHECK(ad::ip_network("2001:db8:42:1::5") == "2001:db8:42::/48");
    CHECK(ad::ip_network("::1") == "::/48");
    CHECK_FALSE(ad::ip_network("not an ip"));
    CHECK_FALSE(ad::ip_network("300.1.1.1"));
    CHECK_FALSE(ad::ip_network(""));
  }
  TEST_CASE("private ranges") {
    CHECK(ad::is_private_ip("192.168.1.5"));
    CHECK(ad::is_private_ip("172.20.0.1"));
    CHECK_FALSE(ad::is_private_ip("172.32.0.1"));
    CHECK(ad::is_private_ip("fd00::1"));
    CHECK_FALSE(ad::is_private_ip("8.8.8.8"));
  }
}
