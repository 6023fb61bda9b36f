#include "ad/core/roles.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "ad/core/error.h"

using ad::Role;
using ad::Roles;

TEST_SUITE("schema") {
  TEST_CASE("the prototype's columns are found by role") {
    std::vector<std::string> h{"user_id", "timestamp", "activity_type", "ip_address", "device_type",
                               "data_size_kb", "location"};
    auto r = Roles::find(h);
    CHECK(r[Role::kUser] == 0);
    CHECK(r[Role::kTime] == 1);
    CHECK(r[Role::kActivity] == 2);
    CHECK(r[Role::kIp] == 3);
    CHECK(r[Role::kDevice] == 4);
    CHECK(r[Role::kCountry] == 6);
    CHECK_FALSE(r.has(Role::kOutcome));
    CHECK(r.role_of(5) == std::nullopt);
    CHECK(r.role_of(6) == Role::kCountry);
  }
  TEST_CASE("names match ignoring case, spaces and underscores") {
    auto r = Roles::find({"@timestamp", "UserPrincipalName", "ipAddress", "Login Successful"});
    CHECK(r[Role::kTime] == 0);
    CHECK(r[Role::kUser] == 1);
    CHECK(r[Role::kIp] == 2);
    CHECK(r[Role::kOutcome] == 3);
  }
  TEST_CASE("--map overrides and its errors") {
    auto r = Roles::find({"who", "user"}, {{"user", "who"}});
    CHECK(r[Role::kUser] == 0);
    CHECK_THROWS_WITH(Roles::find({"a"}, {{"colour", "a"}}), doctest::Contains("unknown role 'colour'"));
    CHECK_THROWS_WITH(Roles::find({"a"}, {{"user", "b"}}), "--map user=b: no such column in the input");
  }
  TEST_CASE("login activities and outcomes") {
    CHECK(ad::is_login_activity("login"));
    CHECK(ad::is_login_activity("Login_Failed"));
    CHECK(ad::is_login_activity("sign-in"));
    CHECK_FALSE(ad::is_login_activity("file_upload"));
    CHECK(ad::parse_outcome("Success") == true);
    CHECK(ad::parse_outcome("FAILED") == false);
    CHECK(ad::parse_outcome("0") == false);
    CHECK(ad::parse_outcome("maybe") == std::nullopt);
  }

  TEST_CASE("--format presets: Entra ID's CSV download, the JSON and syslog sources point to ad-import") {
    auto entra = ad::format_preset("entra");
    CHECK(entra.roles.at("time") == "Date (UTC)");
    CHECK(entra.roles.at("user") == "Username");
    CHECK(entra.roles.at("ip") == "IP address");
    CHECK(entra.roles.at("outcome") == "Status");
    CHECK(entra.restrict_features);
    CHECK(std::find(entra.features.begin(), entra.features.end(), "Application") != entra.features.end());
    CHECK(ad::format_preset("").roles.empty());
    CHECK_FALSE(ad::format_preset("ad").restrict_features);
    for (const char* f : {"sshd", "okta", "gworkspace", "cloudtrail"}) {
      try {
        ad::format_preset(f);
        FAIL("expected ad::Error");
      } catch (const ad::Error& e) {
        CHECK(e.status() == ad::Status::kUsage);
        CHECK(std::string(e.what()).find("ad-import --format " + std::string(f)) != std::string::npos);
      }
    }
    CHECK_THROWS_AS(ad::format_preset("splunk"), ad::Error);
  }
}
