// Tests for cli.h: the options every tool shares. (Tool::run's manners, the exit
// statuses and messages on stderr, are tested on the real binaries in tests/cli.)
#include "ad/core/cli.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "ad/core/error.h"

namespace {

// Parses args (without the program name) with InputOptions added to a fresh app.
ad::cli::InputOptions parse(std::vector<std::string> args) {
  CLI::App app("test");
  ad::cli::InputOptions in;
  in.add_to(app);
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  app.parse(args);
  return in;
}

}  // namespace

TEST_SUITE("cli") {
  TEST_CASE("NAME=VALUE options") {
    auto m = ad::cli::parse_assignments({"user=UPN", "time=when=now"}, "--map");
    CHECK(m.at("user") == "UPN");
    CHECK(m.at("time") == "when=now");
    CHECK_THROWS_WITH(ad::cli::parse_assignments({"user"}, "--map"),
                      "--map expects NAME=VALUE, got 'user'");
  }

  TEST_CASE("the shared input options: FILE, --map, --on-error, --assume-tz") {
    auto in = parse({"--map", "user=UPN", "--on-error", "skip", "--assume-tz", "+02:00", "in.csv"});
    CHECK(in.path == "in.csv");
    CHECK(in.skip_bad_rows());
    CHECK(in.assume_tz_s() == 7200);
    CHECK(in.role_map().at("user") == "UPN");
    auto defaults = parse({});
    CHECK_FALSE(defaults.skip_bad_rows());
    CHECK(defaults.assume_tz_s() == 0);
    CHECK(defaults.role_map().empty());
  }

  TEST_CASE("a bad --assume-tz or --on-error is a usage error") {
    auto in = parse({"--assume-tz", "Mars/Olympus"});
    try {
      in.assume_tz_s();
      FAIL("expected ad::Error");
    } catch (const ad::Error& e) {
      CHECK(e.status() == ad::Status::kUsage);
    }
    CHECK_THROWS_AS(parse({"--on-error", "ignore"}), CLI::ValidationError);
  }

  TEST_CASE("--format gives a preset's columns, and --map overrides them role by role") {
    auto in = parse({"--format", "entra", "--map", "user=User"});
    auto roles = in.role_map();
    CHECK(roles.at("user") == "User");
    CHECK(roles.at("time") == "Date (UTC)");
  }
}
