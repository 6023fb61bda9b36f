// Tests for aspect.h: parsing aspect lists, which aspect each feature belongs to, and
// quantile mapping between score scales.
#include "ad/detect/aspect.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "ad/core/error.h"
#include "ad/detect/login.h"
#include "ad/core/roles.h"

using ad::Aspect;
using ad::Derived;

namespace {

// Runs parse_aspects and returns the error it throws; fails the test if it does not.
ad::Error parse_error(const std::string& list) {
  try {
    ad::parse_aspects(list);
  } catch (const ad::Error& e) {
    return e;
  }
  FAIL("expected ad::Error for '" << list << "'");
  return ad::Error(ad::Status::kOk, "unreachable");
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

ad::Feature derived_feature(Derived d) {
  ad::Feature f;
  f.kind = static_cast<ad::FeatureKind>(ad::kDerivedKindBase + static_cast<int>(d));
  f.column = std::string(ad::derived_name(d));
  return f;
}

ad::Feature feature(ad::FeatureKind kind, int role = -1) {
  ad::Feature f;
  f.kind = kind;
  f.role = role;
  f.column = "c";
  return f;
}

}  // namespace

TEST_SUITE("aspect") {
  TEST_CASE("aspect names are stable") {
    CHECK(ad::aspect_name(Aspect::kPlace) == "place");
    CHECK(ad::aspect_name(Aspect::kDevice) == "device");
    CHECK(ad::aspect_name(Aspect::kTime) == "time");
    CHECK(ad::aspect_name(Aspect::kAttempts) == "attempts");
    CHECK(ad::aspect_name(Aspect::kNetwork) == "network");
    // Stored in model files: the numbers never change.
    CHECK(static_cast<int>(Aspect::kPlace) == 0);
    CHECK(static_cast<int>(Aspect::kDevice) == 1);
    CHECK(static_cast<int>(Aspect::kTime) == 2);
    CHECK(static_cast<int>(Aspect::kAttempts) == 3);
    CHECK(static_cast<int>(Aspect::kNetwork) == 4);
    CHECK(ad::kAspectCount == 5);
    CHECK(ad::default_aspects() == std::vector<Aspect>{Aspect::kTime, Aspect::kNetwork});
  }

  TEST_CASE("parse_aspects: names in order, duplicates collapse, none is empty") {
    CHECK(ad::parse_aspects("time") == std::vector<Aspect>{Aspect::kTime});
    CHECK(ad::parse_aspects("place,time") == std::vector<Aspect>{Aspect::kPlace, Aspect::kTime});
    CHECK(ad::parse_aspects("time,place") == std::vector<Aspect>{Aspect::kTime, Aspect::kPlace});
    CHECK(ad::parse_aspects("attempts,device,time,place") ==
          std::vector<Aspect>{Aspect::kAttempts, Aspect::kDevice, Aspect::kTime, Aspect::kPlace});
    CHECK(ad::parse_aspects("time,time") == std::vector<Aspect>{Aspect::kTime});
    CHECK(ad::parse_aspects("time,network") == ad::default_aspects());
    CHECK(ad::parse_aspects("device,time,device,place,time") ==
          std::vector<Aspect>{Aspect::kDevice, Aspect::kTime, Aspect::kPlace});
    CHECK(ad::parse_aspects("none").empty());
  }

  TEST_CASE("parse_aspects: an empty, unknown or trailing-comma list is a usage error naming it") {
    {
      ad::Error e = parse_error("bogus");
      CHECK(e.status() == ad::Status::kUsage);
      CHECK(contains(e.message(), "'bogus'"));
    }
    {
      ad::Error e = parse_error("time,bogus");
      CHECK(e.status() == ad::Status::kUsage);
      CHECK(contains(e.message(), "'bogus'"));
    }
    {
      ad::Error e = parse_error("");
      CHECK(e.status() == ad::Status::kUsage);
      CHECK(contains(e.message(), "''"));
    }
    {
      ad::Error e = parse_error("time,");
      CHECK(e.status() == ad::Status::kUsage);
      CHECK(contains(e.message(), "''"));
    }
    // Names are exact: no case folding, no spaces, "none" only alone.
    CHECK(parse_error("Time").status() == ad::Status::kUsage);
    CHECK(contains(parse_error("place, time").message(), "' time'"));
    CHECK(contains(parse_error("none,time").message(), "'none'"));
  }

  TEST_CASE("aspect_of: every derived login feature") {
    const std::optional<Aspect> none;
    const std::vector<std::pair<Derived, std::optional<Aspect>>> expected = {
        {Derived::kHistory, none},
        {Derived::kNewIp, Aspect::kPlace},
        {Derived::kNewNetwork, Aspect::kPlace},
        {Derived::kNewCountry, Aspect::kPlace},
        {Derived::kNewCity, Aspect::kPlace},
        {Derived::kNewDevice, Aspect::kDevice},
        {Derived::kNewUserAgent, Aspect::kDevice},
        {Derived::kHourUnusual, Aspect::kTime},
        {Derived::kWeekdayUnusual, Aspect::kTime},
        {Derived::kTravelSpeed, Aspect::kPlace},
        {Derived::kUserFailures, Aspect::kAttempts},
        {Derived::kIpFailures, Aspect::kAttempts},
        {Derived::kIpUsers, Aspect::kAttempts},
        {Derived::kUserLogins, Aspect::kAttempts},
        {Derived::kSuccessAfterFailures, Aspect::kAttempts},
        {Derived::kNewWideNetwork, Aspect::kNetwork},
        {Derived::kNetworkUsers, Aspect::kNetwork},
        {Derived::kConcurrentSession, Aspect::kNetwork},
        {Derived::kNewEverything, Aspect::kNetwork},
        {Derived::kPlaceJump, Aspect::kNetwork},
        {Derived::kHourRarity, Aspect::kTime},
    };
    REQUIRE(expected.size() == static_cast<std::size_t>(ad::kDerivedCount));
    for (const auto& [d, a] : expected) {
      CAPTURE(ad::derived_name(d));
      CHECK(ad::aspect_of(derived_feature(d)) == a);
    }
  }

  TEST_CASE("aspect_of: column features") {
    using ad::FeatureKind;
    CHECK(ad::aspect_of(feature(FeatureKind::kRarity, static_cast<int>(ad::Role::kIp))) == Aspect::kPlace);
    CHECK(ad::aspect_of(feature(FeatureKind::kRarity, static_cast<int>(ad::Role::kCountry))) == Aspect::kPlace);
    CHECK(ad::aspect_of(feature(FeatureKind::kFailure, static_cast<int>(ad::Role::kOutcome))) == Aspect::kAttempts);
    CHECK_FALSE(ad::aspect_of(feature(FeatureKind::kNumeric)).has_value());
    CHECK_FALSE(ad::aspect_of(feature(FeatureKind::kCategorical)).has_value());
    // A kind beyond the derived ones belongs to no aspect.
    CHECK_FALSE(ad::aspect_of(feature(static_cast<FeatureKind>(ad::kDerivedKindBase + ad::kDerivedCount))).has_value());
  }

  TEST_CASE("aspect_features: the labels of an aspect's features, in model order") {
    using ad::FeatureKind;
    std::vector<ad::Feature> fs = {feature(FeatureKind::kNumeric), derived_feature(Derived::kWeekdayUnusual),
                                   feature(FeatureKind::kRarity, static_cast<int>(ad::Role::kIp)),
                                   derived_feature(Derived::kHourUnusual), derived_feature(Derived::kNewIp)};
    fs[0].column = "data_size_kb";
    fs[2].column = "ip_address";
    CHECK(ad::aspect_features(Aspect::kTime, fs) == "weekday_unusual, hour_unusual");
    CHECK(ad::aspect_features(Aspect::kPlace, fs) == "network, new_ip");
    CHECK(ad::aspect_features(Aspect::kDevice, fs) == "");
  }

  TEST_CASE("map_quantiles: linear between matching quantiles") {
    const std::vector<double> from = {0.1, 0.2, 0.3, 0.4};
    const std::vector<double> to = {0.3, 0.5, 0.6, 0.9};
    // Exactly at a quantile: its partner.
    CHECK(ad::map_quantiles(0.1, from, to) == doctest::Approx(0.3));
    CHECK(ad::map_quantiles(0.2, from, to) == doctest::Approx(0.5));
    CHECK(ad::map_quantiles(0.3, from, to) == doctest::Approx(0.6));
    CHECK(ad::map_quantiles(0.4, from, to) == doctest::Approx(0.9));
    // Halfway and a quarter of the way between two quantiles.
    CHECK(ad::map_quantiles(0.15, from, to) == doctest::Approx(0.4));
    CHECK(ad::map_quantiles(0.25, from, to) == doctest::Approx(0.55));
    CHECK(ad::map_quantiles(0.35, from, to) == doctest::Approx(0.75));
    CHECK(ad::map_quantiles(0.325, from, to) == doctest::Approx(0.675));
  }

  TEST_CASE("map_quantiles: linear to 1 above the top and to 0 below the bottom") {
    const std::vector<double> from = {0.1, 0.2, 0.3, 0.4};
    const std::vector<double> to = {0.3, 0.5, 0.6, 0.9};
    // Above: from (0.4, 0.9) to (1, 1): 0.9 + (0.7 - 0.4) x 0.1 / 0.6 = 0.95.
    CHECK(ad::map_quantiles(0.7, from, to) == doctest::Approx(0.95));
    CHECK(ad::map_quantiles(0.55, from, to) == doctest::Approx(0.925));
    CHECK(ad::map_quantiles(1.0, from, to) == doctest::Approx(1.0));
    // Below: from (0, 0) to (0.1, 0.3): 0.05 -> 0.15.
    CHECK(ad::map_quantiles(0.05, from, to) == doctest::Approx(0.15));
    CHECK(ad::map_quantiles(0.02, from, to) == doctest::Approx(0.06));
    CHECK(ad::map_quantiles(0.0, from, to) == doctest::Approx(0.0));
  }

  TEST_CASE("map_quantiles: a score shared by several quantiles maps to the middle of their partners") {
    // Three tied (ranks 1..3): the middle one's partner.
    const std::vector<double> from = {0.1, 0.2, 0.2, 0.2, 0.5};
    const std::vector<double> to = {0.1, 0.2, 0.3, 0.4, 0.5};
    CHECK(ad::map_quantiles(0.2, from, to) == doctest::Approx(0.3));
    // Two tied (ranks 1..2): the mean of both partners.
    const std::vector<double> from2 = {0.1, 0.2, 0.2, 0.5};
    const std::vector<double> to2 = {0.1, 0.2, 0.4, 0.5};
    CHECK(ad::map_quantiles(0.2, from2, to2) == doctest::Approx(0.3));
    // Four tied (ranks 0..3) at the bottom: the mean of ranks 1 and 2.
    const std::vector<double> from4 = {0.3, 0.3, 0.3, 0.3, 0.6};
    const std::vector<double> to4 = {0.1, 0.2, 0.4, 0.5, 0.7};
    CHECK(ad::map_quantiles(0.3, from4, to4) == doctest::Approx(0.3));
    // Just off a tied run the usual interpolation applies: between the run's last rank
    // (0.3 -> 0.5) and the next (0.6 -> 0.7), and below it from (0, 0).
    CHECK(ad::map_quantiles(0.45, from4, to4) == doctest::Approx(0.6));
    CHECK(ad::map_quantiles(0.15, from4, to4) == doctest::Approx(0.05));
    // Tied at the top (ranks 3..4).
    const std::vector<double> top = {0.1, 0.2, 0.3, 0.5, 0.5};
    const std::vector<double> top_to = {0.1, 0.2, 0.3, 0.6, 0.8};
    CHECK(ad::map_quantiles(0.5, top, top_to) == doctest::Approx(0.7));
    CHECK(ad::map_quantiles(0.75, top, top_to) == doctest::Approx(0.9));  // 0.8 + 0.25 x 0.2 / 0.5
  }

  TEST_CASE("map_quantiles is monotone and stays between 0 and 1") {
    const std::vector<std::pair<std::vector<double>, std::vector<double>>> cases = {
        {{0.1, 0.2, 0.3, 0.4}, {0.3, 0.5, 0.6, 0.9}},
        {{0.1, 0.2, 0.2, 0.2, 0.5}, {0.1, 0.2, 0.3, 0.4, 0.5}},
        {{0.3, 0.3, 0.3, 0.3, 0.6}, {0.1, 0.2, 0.4, 0.5, 0.7}},
        {{0.1, 0.2, 0.3, 0.5, 0.5}, {0.1, 0.2, 0.3, 0.6, 0.8}},
        {{0.35, 0.4, 0.4, 0.45, 0.7}, {0.4, 0.41, 0.43, 0.5, 0.62}},
    };
    for (std::size_t c = 0; c < cases.size(); ++c) {
      CAPTURE(c);
      const auto& [from, to] = cases[c];
      double last = -1;
      int steps = 0;
      for (int i = 0; i <= 4000; ++i) {
        double s = i / 4000.0;
        double v = ad::map_quantiles(s, from, to);
        CHECK(v >= 0.0);
        CHECK(v <= 1.0);
        if (v < last) FAIL_CHECK("decreases at " << s << ": " << last << " -> " << v);
        if (v > last) ++steps;
        last = v;
      }
      CHECK(steps > 3000);  // not flat
      CHECK(last == doctest::Approx(1.0));
    }
  }
}
