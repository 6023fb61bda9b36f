#include "ad/import/entra.h"

#include <doctest/doctest.h>

#include "ad/core/error.h"

using namespace ad::import;
using nlohmann::json;

TEST_CASE("entra JSON: the Graph signIn resource, and the diagnostic settings' properties") {
  const char* signin = R"({"id":"s1","createdDateTime":"2024-05-01T08:30:12Z","userPrincipalName":"a@c.com",
    "ipAddress":"1.2.3.4","appDisplayName":"Azure Portal","clientAppUsed":"Browser","correlationId":"c1",
    "status":{"errorCode":50126,"failureReason":"Invalid password"},
    "deviceDetail":{"operatingSystem":"Windows 10","browser":"Edge 124.0.0"},
    "location":{"city":"Oslo","state":"Oslo","countryOrRegion":"NO","geoCoordinates":{"latitude":59.9,"longitude":10.7}}})";
  std::vector<Login> out;
  map_entra(json::parse(signin), out);
  map_entra(json{{"category", "SignInLogs"}, {"properties", json::parse(signin)}}, out);
  REQUIRE(out.size() == 2);
  for (const Login& l : out) {
    CHECK(l[kTimestamp] == "2024-05-01T08:30:12Z");
    CHECK(l[kUser] == "a@c.com");
    CHECK(l[kCountry] == "NO");
    CHECK(l[kCity] == "Oslo");
    CHECK(l[kLatitude] == "59.9");
    CHECK(l[kDeviceType] == "Windows 10");
    CHECK(l[kUserAgent] == "Edge 124.0.0");
    CHECK(l[kStatus] == "failure");
    CHECK(l[kEventId] == "s1");
    CHECK(l.extra == std::vector<std::string>{"Azure Portal", "Browser", "Edge 124.0.0", "Windows 10", "50126",
                                              "Invalid password", "Oslo", "c1"});
  }
  out.clear();
  map_entra(json::parse(R"({"createdDateTime":"2024-05-01T08:30:12Z","userPrincipalName":"a","ipAddress":"1.2.3.4",
    "status":{"errorCode":0}})"), out);
  CHECK(out.at(0)[kStatus] == "success");
  CHECK_THROWS_WITH_AS(map_entra(json::parse(R"({"createdDateTime":"2024-05-01T08:30:12Z","ipAddress":"1.2.3.4"})"), out),
                       "no userPrincipalName", ad::Error);
}

TEST_CASE("entra CSV: the Location column") {
  std::string city, state, country;
  split_entra_location("Oslo, Oslo, NO", city, state, country);
  CHECK((city == "Oslo" && state == "Oslo" && country == "NO"));
  split_entra_location("Lagos, NG", city, state, country);
  CHECK((city == "Lagos" && state.empty() && country == "NG"));
  split_entra_location("NO", city, state, country);
  CHECK((city.empty() && country == "NO"));
  split_entra_location("", city, state, country);
  CHECK((city.empty() && state.empty() && country.empty()));
}

TEST_CASE("entra CSV: columns by name, in any order and case") {
  EntraCsvColumns cols({"status", "IP address", "Date (UTC)", "Username", "Location", "Request ID", "Browser"});
  Login l = cols.map({"Failure", "1.2.3.4", "2024-05-01T08:30:12", "a@c.com", "Bergen, Vestland, NO", "r1", "Chrome"});
  CHECK(l[kTimestamp] == "2024-05-01T08:30:12Z");
  CHECK(l[kStatus] == "failure");
  CHECK(l[kCity] == "Bergen");
  CHECK(l[kCountry] == "NO");
  CHECK(l[kUserAgent] == "Chrome");
  CHECK(l[kEventId] == "r1");
  CHECK(l.extra[6] == "Vestland");
  CHECK_THROWS_WITH_AS(cols.map({"Failure", "", "2024-05-01T08:30:12", "a", "", "r1", ""}), "no IP address", ad::Error);
  CHECK_THROWS_AS(EntraCsvColumns({"timestamp", "user", "ip"}), ad::Error);
}
