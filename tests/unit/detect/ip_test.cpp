#include "ad/detect/ip.h"

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
  TEST_CASE("wide networks: the IPv4 /16 and the IPv6 /32") {
    CHECK(ad::ip_wide_network("10.1.2.77") == "10.1.0.0/16");
    CHECK(ad::ip_wide_network("2001:db8:42:1::5") == "2001:db8::/32");
    CHECK(ad::ip_wide_network("2a01:4f8:c17:1::1") == "2a01:4f8::/32");
    CHECK(ad::ip_wide_network("::ffff:10.1.2.77") == "10.1.0.0/16");
    CHECK_FALSE(ad::ip_wide_network("10.1.2"));
    CHECK_FALSE(ad::ip_wide_network(""));
  }
  TEST_CASE("canonical spelling: lower case, RFC 5952 compression, IPv4-mapped as IPv4") {
    CHECK(ad::canonical_ip("2001:DB8:0:0:0:0:0:1") == "2001:db8::1");
    CHECK(ad::canonical_ip("2001:0db8:0042::0005") == "2001:db8:42::5");
    CHECK(ad::canonical_ip("::FFFF:10.1.2.3") == "10.1.2.3");
    CHECK(ad::canonical_ip("10.1.2.3") == "10.1.2.3");
    CHECK_FALSE(ad::canonical_ip("010.1.2.3"));  // inet_pton refuses leading zeros
    CHECK_FALSE(ad::canonical_ip("host.example"));
    CHECK_FALSE(ad::canonical_ip(""));
    // An IPv4-mapped address has the IPv4 network.
    CHECK(ad::ip_network("::ffff:10.1.2.77") == "10.1.2.0/24");
  }
}

TEST_SUITE("ip") {
  TEST_CASE("ip_names: the three names from one parse, as the three functions give them") {
    for (const char* text : {"10.1.2.77", "::ffff:10.1.2.3", "2001:DB8:42:1::5", "2001:db8::1", "0.0.0.0", "::",
                             "fe80::1", "not-an-ip", "", "10.1.2", "1.2.3.4.5", "2001:db8::g"}) {
      CAPTURE(text);
      auto names = ad::ip_names(text);
      REQUIRE(names.has_value() == ad::canonical_ip(text).has_value());
      if (!names) continue;
      CHECK(names->address == *ad::canonical_ip(text));
      CHECK(names->network == *ad::ip_network(text));
      CHECK(names->wide == *ad::ip_wide_network(text));
    }
    CHECK(ad::ip_names("::ffff:10.1.2.3")->wide == "10.1.0.0/16");
  }
}
