#include <doctest/doctest.h>

#include "ad/core/error.h"
#include "ad/import/gworkspace.h"

using namespace ad::import;
using nlohmann::json;

TEST_CASE("gworkspace: one login per login_success or login_failure event") {
  std::vector<Login> out;
  map_gworkspace(json::parse(R"({"id":{"time":"2024-05-01T08:30:12.211Z","uniqueQualifier":"-58","applicationName":"login"},
    "actor":{"email":"a@x.org"},"ipAddress":"1.2.3.4","networkInfo":{"regionCode":"NO","subdivisionCode":"NO-03"},
    "events":[{"name":"login_failure","parameters":[{"name":"login_type","value":"google_password"},
               {"name":"is_suspicious","boolValue":true},{"name":"login_challenge_method","multiValue":["password","totp"]}]},
              {"name":"login_verification"},{"name":"login_success"}]})"),
                 out);
  map_gworkspace(json::parse(R"({"id":{"time":"2024-05-01T08:30:12Z","applicationName":"drive"},"events":[{"name":"login_success"}]})"),
                 out);
  REQUIRE(out.size() == 2);
  CHECK(out[0][kStatus] == "failure");
  CHECK(out[1][kStatus] == "success");
  CHECK(out[0][kEventId] == "-58-1");
  CHECK(out[1][kEventId] == "-58-2");
  CHECK(out[0][kCountry] == "NO");
  CHECK(out[0].extra == std::vector<std::string>{"google_password", "true", "password|totp", "", "NO-03"});
  CHECK_THROWS_WITH_AS(map_gworkspace(json::parse(R"({"id":{"time":"2024-05-01T08:30:12Z"},"ipAddress":"1.2.3.4",
    "events":[{"name":"login_success"}]})"), out), "no actor.email", ad::Error);
}
