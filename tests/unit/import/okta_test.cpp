#include <doctest/doctest.h>

#include "ad/core/error.h"
#include "ad/import/okta.h"

using namespace ad::import;
using nlohmann::json;

TEST_CASE("okta: user.session.start is a login, other events are not") {
  std::vector<Login> out;
  map_okta(json::parse(R"({"eventType":"user.session.start","published":"2024-05-01T08:30:12.345Z",
    "actor":{"alternateId":"a@x.com"},"uuid":"u1","outcome":{"result":"FAILURE","reason":"INVALID_CREDENTIALS"},
    "client":{"ipAddress":"1.2.3.4","device":"Computer","userAgent":{"rawUserAgent":"UA","os":"Windows 10","browser":"CHROME"},
      "geographicalContext":{"city":"Oslo","state":"Oslo","country":"Norway","geolocation":{"lat":59.9,"lon":10.7}}}})"),
           out);
  map_okta(json::parse(R"({"eventType":"user.session.end","published":"2024-05-01T08:30:12Z"})"), out);
  REQUIRE(out.size() == 1);
  const Login& l = out[0];
  CHECK(l[kTimestamp] == "2024-05-01T08:30:12.345Z");
  CHECK(l[kUser] == "a@x.com");
  CHECK(l[kIp] == "1.2.3.4");
  CHECK(l[kCountry] == "Norway");
  CHECK(l[kLatitude] == "59.9");
  CHECK(l[kLongitude] == "10.7");
  CHECK(l[kDeviceType] == "Computer");
  CHECK(l[kUserAgent] == "UA");
  CHECK(l[kStatus] == "failure");
  CHECK(l[kEventId] == "u1");
  CHECK(l.extra == std::vector<std::string>{"Windows 10", "CHROME", "INVALID_CREDENTIALS", "Oslo", ""});
  CHECK_THROWS_WITH_AS(map_okta(json::parse(R"({"eventType":"user.session.start","published":"2024-05-01T08:30:12Z",
    "actor":{"alternateId":"a@x.com"}})"), out), "no client.ipAddress", ad::Error);
}
