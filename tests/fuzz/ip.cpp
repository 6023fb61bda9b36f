// IP addresses: canonical_ip is idempotent, ip_network and ip_wide_network accept
// what it accepts, and ip_names gives the three from one parse.
#include <string>

#include "ad/detect/ip.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(bytes), size);
  auto canon = ad::canonical_ip(text);
  auto net = ad::ip_network(text);
  auto wide = ad::ip_wide_network(text);
  FUZZ_CHECK(net.has_value() == wide.has_value(), "a network without a wide network, or the other way");
  if (canon) {
    auto again = ad::canonical_ip(*canon);
    FUZZ_CHECK(again && *again == *canon, "canonical form '" + *canon + "' is not canonical");
    FUZZ_CHECK(net.has_value(), "an address without a network: '" + *canon + "'");
  }
  auto names = ad::ip_names(text);
  FUZZ_CHECK(names.has_value() == canon.has_value(), "ip_names and canonical_ip disagree on accepting it");
  if (names && net && wide)
    FUZZ_CHECK(names->address == *canon && names->network == *net && names->wide == *wide,
               "ip_names differs from the three functions");
  return 0;
}
