// Tests for geoip.h: real MaxMind-format databases, written at test time by
// tests/common/make-mmdb.pl with libmaxmind-db-writer-perl, read through libmaxminddb.
#include "ad/detect/geoip.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "ad/core/csv.h"
#include "ad/core/error.h"
#include "ad/core/roles.h"
#include "ad/core/timestamp.h"
#include "ad/detect/login.h"
#include "testutil.h"

namespace {

using testutil::TempDir;

// Writes the test database of `kind` (city or asn) into dir and returns its path.
std::string make_mmdb(const TempDir& dir, const std::string& kind) {
  const std::string out = dir.file(kind + ".mmdb");
  const std::string cmd = std::string("perl ") + AD_SOURCE_DIR + "/tests/common/make-mmdb.pl " + kind + " " + out;
  REQUIRE(std::system(cmd.c_str()) == 0);
  return out;
}

ad::Error open_error(const std::string& path) {
  try {
    ad::MmdbFile f(path);
  } catch (const ad::Error& e) {
    return e;
  }
  FAIL("expected ad::Error");
  return ad::Error(ad::Status::kOk, "unreachable");
}

}  // namespace

TEST_SUITE("geoip") {
  TEST_CASE("a City database fills country, city and coordinates, an ASN database the AS and its kind") {
    TempDir dir;
    ad::GeoIp geo(make_mmdb(dir, "city"), make_mmdb(dir, "asn"));
    CHECK(geo.places());
    CHECK(geo.networks());
    ad::IpFacts f = geo.lookup("10.2.77.1");
    CHECK(f.country == "NO");
    CHECK(f.city == "Bergen");
    REQUIRE(f.point);
    CHECK(f.point->lat == doctest::Approx(60.3913));
    CHECK(f.point->lon == doctest::Approx(5.3221));
    CHECK_FALSE(f.point->approximate);
    CHECK(f.asn == 2119);
    CHECK(f.kind == "isp");
    ad::IpFacts h = geo.lookup("203.0.113.9");
    CHECK(h.asn == 14061);
    CHECK(h.kind == "hosting");
    CHECK(h.city == "Ashburn");
    // IPv6, and an IPv4-mapped address as its IPv4 address.
    CHECK(geo.lookup("2001:DB8::1").city == "Oslo");
    CHECK(geo.lookup("::ffff:10.1.0.1").asn == 2119);
    // Unknown addresses and text that is no address know nothing.
    ad::IpFacts none = geo.lookup("192.0.2.1");
    CHECK(none.country.empty());
    CHECK(none.asn == 0);
    CHECK_FALSE(none.point);
    CHECK(geo.lookup("not an address").city.empty());
  }

  TEST_CASE("a City database alone: places, no networks") {
    TempDir dir;
    ad::GeoIp geo(make_mmdb(dir, "city"), "");
    CHECK(geo.places());
    CHECK_FALSE(geo.networks());
    CHECK(geo.lookup("10.1.2.3").asn == 0);
  }

  TEST_CASE("a missing file is an I/O error, a file that is no database a data error, each naming the file") {
    TempDir dir;
    ad::Error missing = open_error(dir.file("nope.mmdb"));
    CHECK(missing.status() == ad::Status::kIo);
    CHECK(missing.where().file == dir.file("nope.mmdb"));
    const std::string junk = dir.file("junk.mmdb");
    std::ofstream(junk) << "this is not a MaxMind database\n";
    ad::Error bad = open_error(junk);
    CHECK(bad.status() == ad::Status::kData);
    CHECK(bad.where().file == junk);
    CHECK(std::string(bad.what()).find("MaxMind") != std::string::npos);
    // A real database cut short loses its metadata at the end: refused the same way.
    const std::string cut = dir.file("cut.mmdb");
    std::string bytes = testutil::slurp(make_mmdb(dir, "city"));
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    CHECK(open_error(cut).status() == ad::Status::kData);
  }

  TEST_CASE("the tracker: the database fills what a login lacks, and the AS is the wide network") {
    TempDir dir;
    ad::GeoIp geo(make_mmdb(dir, "city"), make_mmdb(dir, "asn"));
    ad::Profiles profiles;
    ad::LoginTracker tracker(profiles, &geo);
    const std::string csv =
        "timestamp,user,ip,country,status\n"
        "2025-01-06T09:00:00Z,alice,10.1.2.3,,success\n"
        "2025-01-06T09:05:00Z,alice,203.0.113.7,SE,success\n";
    ad::csv::Reader in(ad::csv::string_lines("g.csv", csv), "g.csv");
    auto columns = ad::LoginColumns::bind({}, in.header(), ad::Roles::find(in.header()), in.name(), false);
    CHECK(ad::available_derived(columns, true).size() > ad::available_derived(columns, false).size());
    ad::csv::Row row;
    ad::LoginContext first, second;
    REQUIRE(in.next(row));
    tracker.observe(ad::read_event(columns, row, *ad::parse_time_ms("2025-01-06T09:00:00Z")), first);
    CHECK(first.current[static_cast<int>(ad::Trait::kCountry)] == "NO");
    CHECK(first.current[static_cast<int>(ad::Trait::kCity)] == "Oslo");
    CHECK(first.wide == "AS2119");
    CHECK(first.network_kind == "isp");
    REQUIRE(in.next(row));
    tracker.observe(ad::read_event(columns, row, *ad::parse_time_ms("2025-01-06T09:05:00Z")), second);
    // The login's own country wins; the database's city of another country is not used.
    CHECK(second.current[static_cast<int>(ad::Trait::kCountry)] == "SE");
    CHECK(second.current[static_cast<int>(ad::Trait::kCity)].empty());
    CHECK(second.wide == "AS14061");
    CHECK(ad::describe_derived(ad::Derived::kNetworkUsers, second) ==
          "network AS14061 (hosting) never used by anyone here");
  }
}
